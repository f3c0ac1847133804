import {Box, Text} from 'ink';
import type {Density} from '../../layout.js';
import type {Segment} from '../../kit/segments.js';
import {colors} from '../../kit/theme.js';
import PaneTitle from '../../kit/pane-title.js';
import Table from '../../kit/table.js';
import {buildLogRows, logColumns} from './log-rows.js';
import type {LogItem} from './log-items.js';

type Props = {
	/** After the filter, newest first. */
	readonly items: readonly LogItem[];
	/** Entries before the first one shown (0 = following live). */
	readonly offset: number;
	readonly selected: string | null;
	readonly filter: string;
	// eslint-disable-next-line react/no-unused-prop-types -- read by titleHint(props)
	readonly filtering: boolean;
	readonly accountNames: readonly string[];
	readonly listenUrl: string;
	readonly nowMs: number;
	readonly width: number;
	readonly height: number;
	readonly gap: number;
	readonly density: Density;
	readonly focused: boolean;
};

/** Rows of log entries a pane of this height shows (the title and the column header take two). */
export function logRowsFor(height: number): number {
	return Math.max(0, height - 2);
}

function titleHint(props: Props): Segment[] {
	const {offset, filter, filtering, selected} = props;
	const parts: Segment[] = [];
	if (filtering || filter !== '') {
		parts.push({text: '/', bold: true, color: colors.accent}, {text: filter, bold: true}, ...(filtering ? [{text: '▏', color: colors.accent}] : []), {text: filtering ? '  enter keeps · esc clears' : '  esc clears', color: colors.muted});
		return parts;
	}

	if (offset > 0) {
		return [{text: `↑${offset} newer`, bold: true, color: colors.warn}, {text: ' · esc returns to live', color: colors.muted}];
	}

	return selected === null ? [{text: 'newest first · by arrival', color: colors.muted}] : [{text: 'enter shows the detail', color: colors.muted}];
}

/** Requests (live and finished) and events, newest first, as many as fit. */
export default function RequestLog(props: Props) {
	const {items, offset, selected, accountNames, listenUrl, nowMs, width, height, gap, density, focused, filter} = props;
	const room = logRowsFor(height);
	// Only the entries in view are built: under load this renders several times a second. Column
	// widths do not depend on them (they come from what can appear), so the view holds still.
	const rows = buildLogRows(items.slice(offset, offset + room), nowMs, density, focused ? selected : null);
	let empty = `No requests yet. Point a client here: ANTHROPIC_BASE_URL=${listenUrl}`;
	if (filter !== '') {
		empty = `Nothing matches /${filter}`;
	}

	return (
		<Box flexDirection='column' width={width} height={height} flexShrink={0} overflowY='hidden'>
			<PaneTitle title='requests & events' focused={focused} width={width} hint={titleHint(props)}/>
			{items.length === 0
				? (
					<Text wrap='truncate-end' color={colors.muted}>{empty}</Text>
				)
				: (
					<Table columns={logColumns(density, accountNames)} rows={rows} width={width} gap={gap}/>
				)}
		</Box>
	);
}
