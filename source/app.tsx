import {useCallback, useMemo, useRef, useState} from 'react';
import {Box, useInput, useStdin, type Key} from 'ink';
import AccountsPane, {accountsPaneWanted} from './components/accounts-pane.js';
import Footer from './components/footer.js';
import Header from './components/header.js';
import HelpOverlay from './components/help-overlay.js';
import RequestLog, {logRowsFor} from './components/request-log.js';
import SavingsLine from './components/savings-line.js';
import TooSmall from './components/too-small.js';
import useNow from './hooks/use-now.js';
import useOptimisticActions from './hooks/use-optimistic-actions.js';
import useStore from './hooks/use-store.js';
import useTerminalSize from './hooks/use-terminal-size.js';
import type {MonitorStore} from './monitor/contract.js';
import {buildAccountRows} from './ui/account-rows.js';
import {buildHeader} from './ui/header-lines.js';
import {findBinding, type Focus, type KeyContext} from './ui/key-bindings.js';
import {densityFor, gaugeBarWidth, minimumSize, paneHeights, usableRows} from './ui/layout.js';
import {mergeLog, type LogItem} from './ui/log-items.js';

type UiState = {
	focus: Focus;
	/** Index into the account list (clamped when the list shrinks). */
	cursor: number;
	/**
	 * The log's scroll position, remembered as the key of the entry at the top so the view holds
	 * still while new requests arrive above it; null = following the newest.
	 */
	logAnchor: string | null;
	helpOpen: boolean;
	/** q was pressed: the caller is draining in-flight requests before it unmounts us. */
	quitting: boolean;
};

const clamp = (value: number, low: number, high: number) => Math.max(low, Math.min(value, high));

function logOffset(items: readonly LogItem[], anchor: string | null): number {
	return anchor === null ? 0 : Math.max(0, items.findIndex(item => item.key === anchor));
}

type Props = {
	store: MonitorStore;
	/** Called once on q or Ctrl-C; the caller stops the proxy and unmounts. */
	onQuit: () => void;
};

/**
 * The live monitor: header, accounts, the request/event log, savings and key hints, laid out to the
 * terminal's size. It reads the store only through its snapshots and changes it only through its
 * actions, so it never touches the network.
 */
export default function App({store, onQuit}: Props) {
	const snapshot = useStore(store);
	const {columns, rows} = useTerminalSize();
	const tick = useNow(1000, snapshot);
	// The ticker drives countdowns between snapshots; a newer snapshot clock wins.
	const nowMs = Math.max(tick, snapshot.nowMs);
	const optimistic = useOptimisticActions(store, snapshot);

	// UI state lives in a ref as well as in React state: several keys can arrive in one stdin chunk
	// (a held key, fast typing) and each must see the state the previous one left.
	const [ui, setUi] = useState<UiState>({focus: 'accounts', cursor: 0, logAnchor: null, helpOpen: false, quitting: false});
	const uiRef = useRef(ui);
	const updateUi = useCallback((change: (state: UiState) => UiState) => {
		uiRef.current = change(uiRef.current);
		setUi(uiRef.current);
	}, []);

	const {accounts} = snapshot;
	const cursorIndex = clamp(ui.cursor, 0, Math.max(0, accounts.length - 1));
	const logItems = useMemo(() => mergeLog(snapshot.requests, snapshot.events), [snapshot.requests, snapshot.events]);

	const density = densityFor(columns);
	const usable = usableRows(rows);
	const short = usable < 20;
	const gap = columns >= 120 ? 2 : 1;
	const accountModel = buildAccountRows({
		accounts,
		nowMs,
		width: columns,
		gap,
		density,
		barWidth: gaugeBarWidth(columns),
		cursor: cursorIndex,
		focused: ui.focus === 'accounts',
		detailLines: !short,
	});
	// Very short terminals drop the accounts' column header to keep a few log rows.
	const accountsHeader = usable >= 16;
	const headerLines = buildHeader(snapshot, nowMs, columns, density, short);
	const body = usable - headerLines.length - 1;
	const heights = paneHeights(body, accountsPaneWanted(accountModel, accounts.length, accountsHeader));
	const logRoom = logRowsFor(heights.log);

	// What the key handler needs from this render, read when a key arrives.
	const rendered = useRef({logItems, logRoom});
	rendered.current = {logItems, logRoom};

	const handleKey = useCallback((input: string, key: Key) => {
		// Once quitting, nothing more may change: the proxy is shutting down.
		if (uiRef.current.quitting) {
			return;
		}

		// Any key closes the help without also acting; Ctrl-C still quits from anywhere.
		if (uiRef.current.helpOpen && !(key.ctrl && input === 'c')) {
			updateUi(state => ({...state, helpOpen: false}));
			return;
		}

		const view = optimistic.view();
		const state = uiRef.current;
		const cursor = clamp(state.cursor, 0, Math.max(0, view.accounts.length - 1));
		const context: KeyContext = {
			snapshot: view,
			actions: optimistic.actions,
			focus: state.focus,
			cursorAccount: view.accounts[cursor],
			move(delta) {
				if (uiRef.current.focus === 'accounts') {
					updateUi(current => ({...current, cursor: clamp(cursor + delta, 0, Math.max(0, view.accounts.length - 1))}));
					return;
				}

				const {logItems: items, logRoom: room} = rendered.current;
				updateUi(current => {
					const offset = clamp(logOffset(items, current.logAnchor) + delta, 0, Math.max(0, items.length - room));
					return {...current, logAnchor: offset === 0 ? null : items[offset]?.key ?? null};
				});
			},
			toggleFocus() {
				// Leaving the log returns it to live so new entries are not missed.
				updateUi(current => ({...current, focus: current.focus === 'accounts' ? 'log' : 'accounts', logAnchor: null}));
			},
			openHelp() {
				updateUi(current => ({...current, helpOpen: true}));
			},
			quit() {
				updateUi(current => ({...current, quitting: true, helpOpen: false}));
				onQuit();
			},
		};
		findBinding(input, key)?.action(context, input, key);
	}, [optimistic, updateUi, onQuit]);

	const handleInput = useCallback((input: string, key: Key) => {
		// Ink hands over a whole chunk at once when keys arrive together (fast typing, a held key,
		// a slow ssh link): "jjj" must move three rows, not match nothing.
		const chars = [...input];
		if (chars.length > 1 && !key.ctrl && !key.meta) {
			for (const char of chars) {
				handleKey(char, {...key, shift: /^[A-Z]$/.test(char)});
			}

			return;
		}

		handleKey(input, key);
	}, [handleKey]);

	const {isRawModeSupported} = useStdin();
	// Without a TTY there is no raw mode and useInput would throw; the monitor then just displays.
	useInput(handleInput, {isActive: Boolean(isRawModeSupported)});

	if (columns < minimumSize.columns || rows < minimumSize.rows) {
		return <TooSmall columns={columns} rows={rows}/>;
	}

	if (ui.helpOpen) {
		// The help takes the whole screen so every key and strategy fits even at 80×24.
		return (
			<Box flexDirection="column" width={columns} height={usable} overflow="hidden">
				<HelpOverlay width={columns} height={usable - 1} strategy={snapshot.strategy}/>
				<Footer width={columns} helpOpen/>
			</Box>
		);
	}

	return (
		<Box flexDirection="column" width={columns} height={usable} overflow="hidden">
			<Header lines={headerLines} width={columns}/>
			<AccountsPane
				model={accountModel}
				accountCount={accounts.length}
				width={columns}
				height={heights.accounts}
				gap={gap}
				focused={ui.focus === 'accounts'}
				showLegend={density !== 'narrow' && accountsHeader}
				showHeader={accountsHeader}
			/>
			<RequestLog
				items={logItems}
				offset={logOffset(logItems, ui.logAnchor)}
				accounts={accounts}
				listenUrl={snapshot.listenUrl}
				nowMs={nowMs}
				width={columns}
				height={heights.log}
				gap={gap}
				density={density}
				focused={ui.focus === 'log'}
			/>
			{heights.savings > 0 ? <SavingsLine savings={snapshot.savings} width={columns}/> : null}
			<Footer width={columns} helpOpen={false} quitting={ui.quitting ? snapshot.inFlight : undefined}/>
		</Box>
	);
}
