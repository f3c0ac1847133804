import type {ReactNode} from 'react';
import {Box} from 'ink';
import {
	layoutColumns, rowLine, type Column, type SizedColumn, type TableRow,
} from './table-layout.js';
import StyledText from './styled-text.js';

type Props = {
	readonly columns: readonly Column[];
	readonly rows: readonly TableRow[];
	readonly width: number;
	readonly gap?: number;
	readonly showHeader?: boolean;
	/** Rows to size the columns by, when more than the ones shown (keeps widths steady while scrolling). */
	readonly measureRows?: readonly TableRow[];
};

function cellBox(column: SizedColumn, content: ReactNode, marginRight: number) {
	// No overflow="hidden" here or on the rows: StyledText already cuts every line to its width
	// (and Ink's truncate-end backs that up), while a clipping box would make Ink re-slice every
	// line of every frame, a large share of the monitor's drawing cost. Panes clip vertically only.
	return (
		<Box
			key={column.key}
			width={column.size}
			flexShrink={0}
			marginRight={marginRight}
			justifyContent={column.align === 'right' ? 'flex-end' : 'flex-start'}
		>
			{content}
		</Box>
	);
}

/**
 * A table sized by display width: numbers right-aligned, every cell one line cut with an ellipsis,
 * so a long name can never wrap and push the rest of the screen down.
 */
export default function Table({columns, rows, width, gap = 1, showHeader = true, measureRows}: Props) {
	const sized = layoutColumns(columns, measureRows ?? rows, width, gap).filter(column => column.size > 0);

	// Each row is one line of styled text: one layout node per row instead of one per cell.
	const renderRow = (row: TableRow) => (
		<Box key={row.key} width={width} height={1} flexShrink={0}>
			<StyledText cell={rowLine(row, sized, width, gap)} width={width}/>
		</Box>
	);

	return (
		<Box flexDirection='column' width={width} flexShrink={0}>
			{showHeader
				? (
					<Box width={width} height={1} flexShrink={0}>
						{sized.map((column, index) => cellBox(
							column,
							<StyledText dimColor cell={column.header} width={column.size}/>,
							index === sized.length - 1 ? 0 : gap,
						))}
					</Box>
				)
				: null}
			{rows.map(row => renderRow(row))}
		</Box>
	);
}
