// Column sizing for the monitor's tables, by display width. Pure so the panes can ask where a column
// will end up (for instance to move an account's status onto its own line when its column is narrow).
import {
	cellWidth, toSegments, truncateSegments, type Cell, type Segment,
} from './segments.js';
import {displayWidth} from './text-width.js';

export type Column = {
	key: string;
	header: string;
	align?: 'left' | 'right';
	/** A fixed width; otherwise the column is as wide as its widest cell or header. */
	width?: number;
	/** How far the column may shrink when the table is too wide; defaults to its natural width. */
	minWidth?: number;
	maxWidth?: number;
	/** Takes whatever width is left over (at most one column should grow). */
	grow?: boolean;
	/** Columns are dropped highest priority first when even their minimum widths do not fit; 0 = never. */
	dropPriority?: number;
};

export type TableRow = {
	key: string;
	cells: Readonly<Record<string, Cell>>;
	/**
	 * One cell that spans from this column to the right edge (events, detail lines); given several,
	 * from the first of them that is shown.
	 */
	span?: {from: string | readonly string[]; cell: Cell};
};

export type SizedColumn = Column & {size: number};

function naturalWidth(column: Column, rows: readonly TableRow[]): number {
	if (column.width !== undefined) {
		return column.width;
	}

	let widest = displayWidth(column.header);
	for (const row of rows) {
		widest = Math.max(widest, cellWidth(row.cells[column.key]));
	}

	return Math.max(column.minWidth ?? 0, Math.min(widest, column.maxWidth ?? Number.POSITIVE_INFINITY));
}

function minimumWidth(column: Column, natural: number): number {
	if (column.width !== undefined) {
		return column.width;
	}

	return Math.min(natural, column.minWidth ?? natural);
}

const totalWidth = (sizes: readonly number[], gap: number): number => {
	const shown = sizes.filter(size => size > 0);
	return shown.reduce((sum, size) => sum + size, 0) + (gap * Math.max(0, shown.length - 1));
};

/**
 * Sizes the columns to fit `width`: drop the least important columns while their minimums do not
 * fit, then shrink the widest shrinkable columns one cell at a time, then give any slack to the
 * growing column. A column sized 0 is not drawn (nor is its gap).
 */
export function layoutColumns(columns: readonly Column[], rows: readonly TableRow[], width: number, gap: number): SizedColumn[] {
	let active = [...columns];
	const natural = new Map(active.map(column => [column.key, column.grow ? minimumWidth(column, naturalWidth(column, rows)) : naturalWidth(column, rows)]));
	const minimum = new Map(active.map(column => [column.key, minimumWidth(column, naturalWidth(column, rows))]));

	const sumOf = (source: Map<string, number>) => totalWidth(active.map(column => source.get(column.key)!), gap);
	while (sumOf(minimum) > width) {
		const droppable = active.filter(column => (column.dropPriority ?? 0) > 0);
		if (droppable.length === 0) {
			break;
		}

		// The first of the highest drop priority.
		let victim = droppable[0]!;
		for (const column of droppable) {
			if ((column.dropPriority ?? 0) > (victim.dropPriority ?? 0)) {
				victim = column;
			}
		}

		active = active.filter(column => column !== victim);
	}

	const sizes = new Map(active.map(column => [column.key, natural.get(column.key)!]));
	let excess = totalWidth([...sizes.values()], gap) - width;
	while (excess > 0) {
		let widest: Column | undefined;
		for (const column of active) {
			const size = sizes.get(column.key)!;
			if (size > minimum.get(column.key)! && (!widest || size > sizes.get(widest.key)!)) {
				widest = column;
			}
		}

		if (!widest) {
			break;
		}

		const size = sizes.get(widest.key)! - 1;
		sizes.set(widest.key, size);
		// A column shrunk to nothing also gives back its gap.
		excess -= size === 0 ? 1 + gap : 1;
	}

	const grower = active.find(column => column.grow);
	if (grower) {
		const slack = width - totalWidth([...sizes.values()], gap);
		if (slack > 0) {
			const current = sizes.get(grower.key)!;
			// A growing column that was at 0 also needs room for the gap it brings back.
			sizes.set(grower.key, current === 0 ? Math.max(0, slack - gap) : current + slack);
		}
	}

	return active.map(column => ({...column, size: sizes.get(column.key)!}));
}

/** The shown column a row's spanning cell starts at, if it has one. */
function spanStart(row: TableRow, sized: readonly SizedColumn[]): string | undefined {
	const from = row.span?.from;
	if (typeof from === 'string' || from === undefined) {
		return from;
	}

	return from.find(key => sized.some(column => column.key === key));
}

/**
 * One table row as a single line of segments: each cell cut to its column, padded to it (right
 * columns on the left), columns joined by `gap` spaces, a spanning cell taking the rest. Drawing a
 * row as one line of text instead of a box per cell keeps the monitor's layout work (and so its
 * CPU, which the proxy needs) small.
 */
export function rowLine(row: TableRow, sized: readonly SizedColumn[], width: number, gap: number): Segment[] {
	const line: Segment[] = [];
	let used = 0;
	const spacer = ' '.repeat(gap);
	const spanFrom = spanStart(row, sized);
	for (const [index, column] of sized.entries()) {
		if (row.span && column.key === spanFrom) {
			line.push(...truncateSegments(toSegments(row.span.cell), Math.max(0, width - used)));
			return line;
		}

		const content = truncateSegments(toSegments(row.cells[column.key]), column.size);
		const padding = ' '.repeat(Math.max(0, column.size - cellWidth(content)));
		if (column.align === 'right') {
			line.push({text: padding}, ...content);
		} else {
			line.push(...content, {text: padding});
		}

		used += column.size;
		if (index < sized.length - 1) {
			line.push({text: spacer});
			used += gap;
		}
	}

	return withoutTrailingBlanks(line);
}

/**
 * The line without the unstyled spaces at its end. The terminal cell is blank either way, but Ink
 * tokenizes every character it is given on every frame: a row's trailing padding was a good share
 * of the characters in a frame. Styled spaces (a background, inverse) are kept: they are visible.
 */
function withoutTrailingBlanks(line: Segment[]): Segment[] {
	let end = line.length;
	while (end > 0) {
		const last = line[end - 1]!;
		if (last.backgroundColor !== undefined || last.inverse) {
			break;
		}

		const trimmed = last.text.trimEnd();
		if (trimmed !== '') {
			return trimmed === last.text && end === line.length ? line : [...line.slice(0, end - 1), {...last, text: trimmed}];
		}

		end--;
	}

	return line.slice(0, end);
}
