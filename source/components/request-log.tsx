import {Box, Text} from 'ink';
import type {AccountView} from '../monitor/contract.js';
import type {Density} from '../ui/layout.js';
import type {LogItem} from '../ui/log-items.js';
import {buildLogRows, logColumns} from '../ui/log-rows.js';
import type {Segment} from '../ui/segments.js';
import {colors} from '../ui/theme.js';
import PaneTitle from './pane-title.js';
import Table from './table.js';

type Props = {
	items: readonly LogItem[];
	/** Rows scrolled away from the newest entry (0 = following live). */
	offset: number;
	accounts: readonly AccountView[];
	listenUrl: string;
	nowMs: number;
	width: number;
	height: number;
	gap: number;
	density: Density;
	focused: boolean;
};

/** Rows of log entries a pane of this height shows. */
export function logRowsFor(height: number): number {
	return Math.max(0, height - 2);
}

/** Requests and events, newest first, as many as fit. */
export default function RequestLog({items, offset, accounts, listenUrl, nowMs, width, height, gap, density, focused}: Props) {
	const room = logRowsFor(height);
	// Only the entries up to the bottom of the view are built and measured: under load this renders
	// several times a second, and the whole ring (300 entries) made every frame block the proxy.
	const rows = buildLogRows(items.slice(0, offset + room), accounts, nowMs, density);
	const visible = rows.slice(offset, offset + room);
	const hint: Segment[] = offset > 0
		? [{text: `↑${offset} newer`, bold: true, color: colors.warn}, {text: ' · ', color: colors.muted}, {text: 'scrolled; tab returns to live', color: colors.muted}]
		: [{text: 'newest first', color: colors.muted}];

	return (
		<Box flexDirection="column" width={width} height={height} flexShrink={0} overflowY="hidden">
			<PaneTitle title="requests & events" focused={focused} width={width} hint={hint}/>
			{items.length === 0 ? (
				<Text wrap="truncate-end" color={colors.muted}>
					No requests yet. Point a client here: ANTHROPIC_BASE_URL={listenUrl}
				</Text>
			) : (
				<Table columns={logColumns(density)} rows={visible} measureRows={rows} width={width} gap={gap}/>
			)}
		</Box>
	);
}
