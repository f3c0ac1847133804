import {useMemo, useRef} from 'react';
import {Box} from 'ink';
import AccountsPane, {accountsPaneWanted} from './panes/accounts/accounts-pane.js';
import {buildAccountRows} from './panes/accounts/account-rows.js';
import DetailView from './panes/detail/detail-view.js';
import {liveDetailLines, requestDetailLines} from './panes/detail/detail-lines.js';
import Footer from './panes/footer/footer.js';
import Header from './panes/header/header.js';
import {buildHeader} from './panes/header/header-lines.js';
import HelpOverlay, {helpPageCount} from './panes/help/help-overlay.js';
import HistoryPane from './panes/history/history-pane.js';
import {buildHistory, historyHeightFor, type HistoryInput} from './panes/history/history-rows.js';
import {parseFilter} from './panes/log/log-filter.js';
import {mergeLog} from './panes/log/log-items.js';
import RequestLog, {logRowsFor} from './panes/log/log-pane.js';
import {historyRoom, screenPanes} from './panes/pane-list.js';
import SavingsLine from './panes/savings/savings-line.js';
import TooSmall from './panes/too-small.js';
import useNow from './hooks/use-now.js';
import useOptimisticActions from './hooks/use-optimistic-actions.js';
import useStore from './hooks/use-store.js';
import useTerminalSize from './hooks/use-terminal-size.js';
import useSteadyHeight from './hooks/use-steady-height.js';
import type {MonitorStore} from './contract.js';
import {useKeyHandler, type Rendered} from './keys/use-key-handler.js';
import type {Segment} from './kit/segments.js';
import {colors} from './kit/theme.js';
import {
	densityFor, gaugeBarWidth, minimumSize, paneHeights, usableRows,
} from './layout.js';
import {clamp, logOffset} from './ui-state.js';

type Props = {
	readonly store: MonitorStore;
	/** Called once on q or Ctrl-C; the caller stops the proxy and unmounts. */
	readonly onQuit: () => void;
};

const detailKeys: Segment[] = [{text: 'esc', bold: true, color: colors.accent}, {text: ' closes the detail', color: colors.muted}];
const helpPageKeys: Segment[] = [{text: '?', bold: true, color: colors.accent}, {text: ' next page  ', color: colors.muted}, {text: 'any other key', bold: true, color: colors.accent}, {text: ' closes the help', color: colors.muted}];
const filterKeys: Segment[] = [{text: 'type', bold: true, color: colors.accent}, {text: ' to filter  ', color: colors.muted}, {text: 'enter', bold: true, color: colors.accent}, {text: ' keeps  ', color: colors.muted}, {text: 'esc', bold: true, color: colors.accent}, {text: ' clears', color: colors.muted}];

/**
 * The live monitor: header, accounts, history, the request/event log, savings and key hints, laid out to the
 * terminal's size, with the help and a request's detail over it. It reads the store only through
 * its snapshots and changes it only through its actions, so it never touches the network.
 */
export default function App({store, onQuit}: Props) {
	const snapshot = useStore(store);
	const {columns, rows} = useTerminalSize();
	const tick = useNow(1000, snapshot);
	// The ticker drives countdowns between snapshots; a newer snapshot clock wins.
	const nowMs = Math.max(tick, snapshot.nowMs);
	const optimistic = useOptimisticActions(store, snapshot);
	const rendered = useRef<Rendered>({
		logKeys: [], detailKeys: new Set(), helpPages: 1, nowMs,
	});
	const ui = useKeyHandler(optimistic, rendered, onQuit);

	const {accounts} = snapshot;
	const cursorIndex = clamp(ui.cursor, 0, Math.max(0, accounts.length - 1));
	// Team mode: other instances' requests and events interleave with ours, marked with their instance.
	const {team} = snapshot;
	const allItems = useMemo(() => mergeLog(
		team ? [...snapshot.requests, ...team.requests] : snapshot.requests,
		snapshot.inFlightRequests,
		team ? [...snapshot.events, ...team.events] : snapshot.events,
	), [snapshot.requests, snapshot.inFlightRequests, snapshot.events, team]);
	const logItems = useMemo(() => (ui.filter === '' ? allItems : allItems.filter(parseFilter(ui.filter))), [allItems, ui.filter]);
	const accountNames = useMemo(() => accounts.map(account => account.name), [accounts]);

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
	// Detail lines come and go with cooldowns: the pane keeps its height a while so the log does not jump.
	const accountsWanted = useSteadyHeight(accountsPaneWanted(accountModel, accounts.length, accountsHeader), nowMs, `${columns}x${rows}`);
	// The history takes what the log can spare (historyRoom), in the richest layout that fits there;
	// without a history (no history.db) it is not offered at all.
	const historyInput: HistoryInput | undefined = ui.history.shown && snapshot.history
		? {
			view: snapshot.history, accounts: accountNames, nowMs, width: columns,
		}
		: undefined;
	const historyHeight = historyInput ? historyHeightFor(historyInput, historyRoom(paneHeights(body, screenPanes({accounts: accountsWanted, history: 0})).log, body)) : 0;
	const heights = paneHeights(body, screenPanes({accounts: accountsWanted, history: historyHeight}));
	const logRoom = logRowsFor(heights.log);
	const keys = logItems.map(item => item.key);
	const offset = logOffset(keys, ui.focus === 'log' ? ui.logSelected : null, logRoom);

	// The help takes the screen but the footer's line.
	const helpHeight = usable - 1;
	const helpPages = helpPageCount(snapshot.strategy, helpHeight);
	// What the key handler needs from this render, read when a key arrives.
	rendered.current = {
		logKeys: keys, detailKeys: new Set(logItems.filter(item => item.type !== 'event').map(item => item.key)), helpPages, nowMs,
	};

	if (columns < minimumSize.columns || rows < minimumSize.rows) {
		return <TooSmall columns={columns} rows={rows}/>;
	}

	const notice = ui.notice && ui.notice.untilMs > nowMs ? ui.notice.text : undefined;
	if (ui.overlay?.kind === 'help') {
		// The help takes the whole screen; where it still does not fit, ? pages through it.
		const page = Math.min(ui.overlay.page, helpPages - 1);
		return (
			<Box flexDirection='column' width={columns} height={usable} overflow='hidden'>
				<HelpOverlay width={columns} height={helpHeight} strategy={snapshot.strategy} page={page}/>
				<Footer helpOpen width={columns} override={page + 1 < helpPages ? helpPageKeys : undefined}/>
			</Box>
		);
	}

	if (ui.overlay?.kind === 'detail') {
		const {key} = ui.overlay;
		const item = allItems.find(candidate => candidate.key === key);
		const lines = item?.type === 'request'
			? requestDetailLines(item.request, nowMs)
			: (item?.type === 'live' ? liveDetailLines(item.live, nowMs) : [{key: 'gone', segments: [{text: 'That request is no longer in the log.', color: colors.muted}]}]);
		return (
			<Box flexDirection='column' width={columns} height={usable} overflow='hidden'>
				<DetailView lines={lines} width={columns} height={usable - 1}/>
				<Footer width={columns} helpOpen={false} override={detailKeys}/>
			</Box>
		);
	}

	return (
		<Box flexDirection='column' width={columns} height={usable} overflow='hidden'>
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
			{historyInput && heights.history > 0 ? <HistoryPane model={buildHistory(historyInput, heights.history)} width={columns} height={heights.history}/> : null}
			<RequestLog
				items={logItems}
				offset={offset}
				selected={ui.focus === 'log' ? ui.logSelected ?? keys[0] ?? null : null}
				filter={ui.filter}
				filtering={ui.filtering}
				accountNames={accountNames}
				listenUrl={snapshot.listenUrl}
				nowMs={nowMs}
				width={columns}
				height={heights.log}
				gap={gap}
				density={density}
				focused={ui.focus === 'log'}
			/>
			{heights.savings > 0 ? <SavingsLine savings={snapshot.savings} width={columns}/> : null}
			<Footer width={columns} helpOpen={false} quitting={ui.quitting ? snapshot.inFlight : undefined} notice={notice} override={ui.filtering ? filterKeys : undefined}/>
		</Box>
	);
}
