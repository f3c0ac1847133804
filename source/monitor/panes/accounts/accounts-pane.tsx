import {Box, Text} from 'ink';
import type {Segment} from '../../kit/segments.js';
import {colors} from '../../kit/theme.js';
import PaneTitle from '../../kit/pane-title.js';
import Table from '../../kit/table.js';
import type {AccountRows} from './account-rows.js';

type Props = {
	readonly model: AccountRows;
	readonly accountCount: number;
	readonly width: number;
	readonly height: number;
	readonly gap: number;
	readonly focused: boolean;
	readonly showLegend: boolean;
	/** Short terminals skip the column header; the title then says what the numbers are. */
	readonly showHeader: boolean;
};

/** Lines the pane needs to show every account: title, column header, rows. */
export function accountsPaneWanted(model: AccountRows, accountCount: number, showHeader: boolean): number {
	return accountCount === 0 ? 2 : (showHeader ? 2 : 1) + model.rows.length;
}

/**
 * The accounts in config order with their pin number, state, usage gauges and countdowns. When
 * there are more lines than room, the window follows the cursor.
 */
export default function AccountsPane({model, accountCount, width, height, gap, focused, showLegend, showHeader}: Props) {
	if (accountCount === 0) {
		return (
			<Box flexDirection='column' width={width} height={height} flexShrink={0} overflowY='hidden'>
				<PaneTitle title='accounts' focused={focused} width={width}/>
				<Text wrap='truncate-end'>
					<Text>No accounts yet. Add one with </Text>
					<Text bold>shunt add-account {'<name>'}</Text>
					<Text> or </Text>
					<Text bold>shunt import-claude-code</Text>
					<Text>, or try </Text>
					<Text bold>shunt --demo</Text>
				</Text>
			</Box>
		);
	}

	const room = Math.max(0, height - (showHeader ? 2 : 1));
	// Stateless scrolling: start at the top and slide down just far enough to show the cursor.
	const start = model.cursorLast >= room ? Math.min(model.cursorFirst, model.cursorLast - room + 1) : 0;
	const rows = model.rows.slice(start, start + room);
	const above = start;
	const below = model.rows.length - start - rows.length;
	const hint: Segment[] = [];
	if (above > 0 || below > 0) {
		hint.push({text: `${above > 0 ? `↑${above} ` : ''}${below > 0 ? `↓${below} ` : ''}more`, color: colors.warn}, {text: ' · ', color: colors.muted});
	}

	hint.push({text: `${accountCount} account${accountCount === 1 ? '' : 's'}`, color: colors.muted});
	if (showLegend) {
		hint.push({text: ' · bars and % show how much of each window is used', color: colors.muted});
	} else if (!showHeader) {
		hint.push({text: ' · 5h 7d % used', color: colors.muted});
	}

	return (
		<Box flexDirection='column' width={width} height={height} flexShrink={0} overflowY='hidden'>
			<PaneTitle title='accounts' focused={focused} width={width} hint={hint}/>
			<Table columns={model.columns} rows={rows} width={width} gap={gap} showHeader={showHeader}/>
		</Box>
	);
}
