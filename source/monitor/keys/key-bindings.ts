// Every key the monitor understands, as data. The input handler, the footer hints and the help
// overlay are all generated from this one list, so they cannot disagree.
import type {Key} from 'ink';
import {
	historyWindows, type AccountView, type HistoryWindow, type StoreActions, type StoreSnapshot,
} from '../contract.js';
import {formatBurst, shortModel} from '../kit/format.js';
import {nextStrategy, strategies} from '../kit/strategies.js';
import type {Focus} from '../panes/pane-list.js';
import {
	burstCycle, effortCycle, modelCycle, nextInCycle,
} from './cycles.js';

export type {Focus} from '../panes/pane-list.js';

/** What a key may act on: the store's actions, or the monitor's own UI state. */
export type KeyContext = {
	snapshot: StoreSnapshot;
	actions: StoreActions;
	focus: Focus;
	/** The account under the cursor, if any. */
	cursorAccount: AccountView | undefined;
	/** Moves the account cursor, or scrolls the log when it has the focus. */
	move(delta: number): void;
	toggleFocus(): void;
	openHelp(): void;
	/** The detail view of the log row under the cursor. */
	openDetail(): void;
	/** Starts typing a log filter. */
	startFilter(): void;
	/** Closes what is open, clears the filter, or returns the log to live. */
	escape(): void;
	/** A short message in the footer (a key that could not do anything, say why). */
	notify(text: string): void;
	/** Whether the history pane is wanted, and the window it shows. */
	history: {shown: boolean; window: HistoryWindow};
	setHistory(history: {shown: boolean; window: HistoryWindow}): void;
	quit(): void;
};

export type KeyBinding = {
	/** The key as the footer and the help overlay print it. */
	key: string;
	/** One word for the footer. */
	label: string;
	/** One line for the help overlay. */
	description: string;
	/** Footer order when space is short: lower shows first; undefined = help overlay only. */
	footerRank?: number;
	matches(input: string, key: Key): boolean;
	action(context: KeyContext, input: string, key: Key): void;
};

/** `a → b → c → a`: the order a cycling key walks through, back to where it started. */
const describeCycle = <T>(cycle: readonly T[], name: (value: T) => string): string =>
	[...cycle, cycle[0]!].map(value => name(value)).join(' → ');

const plain = (key: Key) => !key.ctrl && !key.meta;

/** Said when a history key finds nothing to show: this run keeps no history, or could not open it (the log says why). */
export const noHistoryNotice = 'no history to show: historyRetentionDays is 0 or history.db could not be opened';

/** The window `step` places along historyWindows from `current`, round the end to the other. */
export function stepHistoryWindow(current: HistoryWindow, step: number): HistoryWindow {
	const count = historyWindows.length;
	return historyWindows[(((historyWindows.indexOf(current) + step) % count) + count) % count]!;
}

const isCtrlC = (input: string, key: Key) => key.ctrl && input === 'c';

export const keyBindings: readonly KeyBinding[] = [
	{
		key: '1–9',
		label: 'pin',
		description: 'pin the Nth account: requests go there while it can serve them',
		footerRank: 1,
		matches: (input, key) => plain(key) && /^[1-9]$/.test(input),
		action({snapshot, actions, notify}, input) {
			// Numbers past the end of the list pin nothing unexpected, and say so.
			const account = snapshot.accounts[Number(input) - 1];
			if (account) {
				actions.pin(account.name);
			} else {
				notify(`no account ${input}: there ${snapshot.accounts.length === 1 ? 'is 1' : `are ${snapshot.accounts.length}`}`);
			}
		},
	},
	{
		key: '0',
		label: 'auto',
		description: 'unpin: back to automatic routing',
		footerRank: 2,
		matches: (input, key) => plain(key) && input === '0',
		action({actions}) {
			actions.pin(null);
		},
	},
	{
		key: 's',
		label: 'strategy',
		description: `next strategy: ${describeCycle(strategies, strategy => strategy.name)}`,
		footerRank: 3,
		matches: (input, key) => plain(key) && input === 's',
		action({snapshot, actions}) {
			// Back at the configured strategy, the override ends (so the header stops saying "override").
			const next = nextStrategy(snapshot.strategy);
			actions.setStrategy(next === snapshot.defaults.strategy ? null : next);
		},
	},
	{
		key: 'o',
		label: 'model',
		description: `model override: ${describeCycle(modelCycle, model => (model === null ? 'auto' : shortModel(model)))}`,
		footerRank: 6,
		matches: (input, key) => plain(key) && input === 'o',
		action({snapshot, actions}) {
			actions.setModelOverride(nextInCycle(modelCycle, snapshot.overrides.model));
		},
	},
	{
		key: 'e',
		label: 'effort',
		description: `effort override: ${describeCycle(effortCycle, effort => effort ?? 'auto')}`,
		footerRank: 7,
		matches: (input, key) => plain(key) && input === 'e',
		action({snapshot, actions}) {
			actions.setEffortOverride(nextInCycle(effortCycle, snapshot.overrides.effort));
		},
	},
	{
		key: 'b',
		label: 'burst',
		description: `burst limit: ${describeCycle(burstCycle, limit => (limit === null ? 'default' : formatBurst(limit)))}`,
		footerRank: 8,
		matches: (input, key) => plain(key) && input === 'b',
		action({snapshot, actions}) {
			actions.setBurstRpmLimit(nextInCycle(burstCycle, snapshot.overrides.burstRpmLimit));
		},
	},
	{
		key: 'p',
		label: 'pause',
		description: 'pause / resume the account under the cursor',
		footerRank: 4,
		matches: (input, key) => plain(key) && input === 'p',
		action({cursorAccount, actions}) {
			if (cursorAccount) {
				actions.setPaused(cursorAccount.name, cursorAccount.state !== 'paused');
			}
		},
	},
	{
		key: 'h',
		label: 'history',
		description: 'show / hide the history pane (chart, sparklines, burn rates)',
		footerRank: 5.5,
		matches: (input, key) => plain(key) && input === 'h',
		action({snapshot, actions, history, setHistory, notify}) {
			if (history.shown && !snapshot.history) {
				notify(noHistoryNotice);
				return;
			}

			// Hidden, the store stops reading history for the screen; shown again, it reads the same window.
			actions.setHistoryWindow(history.shown ? null : history.window);
			setHistory({...history, shown: !history.shown});
		},
	},
	{
		key: '[ ]',
		label: 'window',
		description: `history window, ] next, [ back: ${describeCycle(historyWindows, window => window)}`,
		footerRank: 13,
		matches: (input, key) => plain(key) && (input === '[' || input === ']'),
		action({snapshot, actions, history, setHistory, notify}, input) {
			const window = stepHistoryWindow(snapshot.history?.window ?? history.window, input === ']' ? 1 : -1);
			actions.setHistoryWindow(window);
			// A hidden pane comes back showing the window asked for.
			setHistory({shown: true, window});
			if (history.shown && !snapshot.history) {
				notify(noHistoryNotice);
			}
		},
	},
	{
		key: 'm',
		label: 'mute',
		description: 'mute / unmute alerts',
		footerRank: 9,
		matches: (input, key) => plain(key) && input === 'm',
		action({snapshot, actions}) {
			actions.setAlertsMuted(!snapshot.overrides.alertsMuted);
		},
	},
	{
		key: '↑↓ jk',
		label: 'move',
		description: 'move the account cursor, or scroll the log when it has the focus',
		footerRank: 10,
		matches: (input, key) => key.upArrow || key.downArrow || (plain(key) && (input === 'k' || input === 'j')),
		action({move}, input, key) {
			move(key.upArrow || input === 'k' ? -1 : 1);
		},
	},
	{
		key: 'tab',
		label: 'focus',
		description: 'switch the focus between the accounts and the log',
		footerRank: 5,
		matches: (_input, key) => key.tab,
		action({toggleFocus}) {
			toggleFocus();
		},
	},
	{
		key: 'enter',
		label: 'detail',
		description: 'this log row in detail: why that account, each try, timing, tokens',
		footerRank: 11,
		matches: (_input, key) => key.return,
		action({openDetail}) {
			openDetail();
		},
	},
	{
		key: '/',
		label: 'filter',
		description: 'filter the log: words, account:x, model:x, status:429',
		footerRank: 12,
		matches: (input, key) => plain(key) && input === '/',
		action({startFilter}) {
			startFilter();
		},
	},
	{
		key: 'esc',
		label: 'back',
		description: 'close the detail view, clear the filter, return the log to live',
		matches: (_input, key) => key.escape,
		action({escape}) {
			escape();
		},
	},
	{
		key: '?',
		label: 'help',
		description: 'this help; ? again shows its next page, any other key closes it',
		footerRank: 0,
		matches: (input, key) => plain(key) && input === '?',
		action({openHelp}) {
			openHelp();
		},
	},
	{
		key: 'q',
		label: 'quit',
		description: 'quit cleanly: in-flight requests finish, state is saved (also Ctrl-C)',
		footerRank: 0,
		matches: (input, key) => (plain(key) && input === 'q') || isCtrlC(input, key),
		action({quit}) {
			quit();
		},
	},
];

export function findBinding(input: string, key: Key): KeyBinding | undefined {
	return keyBindings.find(binding => binding.matches(input, key));
}
