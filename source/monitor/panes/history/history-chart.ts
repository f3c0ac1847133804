// The history chart as lines of styled text: a column per bucket (several buckets to a column when
// the window has more buckets than the screen has room), each series' tokens stacked in its own
// symbol and colour, a token scale on the left and times along the bottom. Pure, so tests can pin
// every cell.
import {formatEstimate, formatTokens} from '../../kit/format.js';
import type {Segment} from '../../kit/segments.js';
import {colors, type StateStyle} from '../../kit/theme.js';

export type ChartLine = {key: string; segments: Segment[]};

export type ChartInput = {
	/** Per bucket, oldest first: tokens per series, in stacking order (bottom first). */
	values: ReadonlyArray<readonly number[]>;
	/** Per series, in the same order. */
	styles: readonly StateStyle[];
	firstStartMs: number;
	bucketMs: number;
	/** When the data was read: the right end of the time axis. */
	nowMs: number;
	width: number;
	/** Rows of bars; the axis and its time labels take two more lines. */
	rows: number;
};

export type Chart = {
	/** `rows` lines of bars, the axis, the time labels. */
	lines: ChartLine[];
	/** Buckets each column adds up (1 unless the screen is narrow). */
	bucketsPerColumn: number;
	/** Screen cells per column, the gap included. */
	cellsPerColumn: number;
	/** Tokens a full-height column stands for (0 when nothing was used). */
	top: number;
};

/** formatTokens is at most five cells wide (`12.3k`, `950k`), so the scale's width is fixed. */
export const scaleWidth = 5;
/** The scale, a space, the axis. */
const leftWidth = scaleWidth + 2;
/** Wider columns would stretch a short window across the screen and say nothing more. */
const maxCellsPerColumn = 3;
/** Time ticks at round distances from now, the smallest that leaves room between labels. */
const tickSteps = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880].map(minutes => minutes * 60_000);
const minTickSpacing = 10;

/** The smallest of 1, 1.5, 2, 3, 4, 5, 6, 8 × 10ⁿ at or above `value`: a scale whose labels (and halves) read as round numbers, and bars that use most of the height. */
export function niceCeiling(value: number): number {
	if (!(value > 0) || !Number.isFinite(value)) {
		return 0;
	}

	let power = 10 ** Math.floor(Math.log10(value));
	// log10 can land a hair under a whole power of ten.
	if (power * 10 <= value) {
		power *= 10;
	}

	for (const step of [1, 1.5, 2, 3, 4, 5, 6, 8, 10]) {
		if (step * power >= value) {
			return step * power;
		}
	}

	return 10 * power;
}

/**
 * Which cells of a column each series fills, bottom up: boundaries rounded from the running total,
 * so the column's height is its total's and the parts add up exactly. A column with any tokens gets
 * at least one cell (its largest series'), so light traffic does not vanish.
 */
export function stackCells(parts: readonly number[], top: number, rows: number): Array<{from: number; to: number}> {
	const total = parts.reduce((sum, part) => sum + part, 0);
	const ranges: Array<{from: number; to: number}> = [];
	if (!(top > 0) || !(total > 0)) {
		return parts.map(() => ({from: 0, to: 0}));
	}

	let running = 0;
	let previous = 0;
	for (const part of parts) {
		running += part;
		const boundary = Math.min(rows, Math.round((running / top) * rows));
		ranges.push({from: previous, to: boundary});
		previous = boundary;
	}

	if (previous === 0) {
		const largest = parts.indexOf(Math.max(...parts));
		return parts.map((_part, index) => (index === largest ? {from: 0, to: 1} : {from: 0, to: 0}));
	}

	return ranges;
}

/** Appends text in a style, merging with the previous segment when the style is the same. */
function append(segments: Segment[], text: string, color?: string): void {
	const last = segments.at(-1);
	if (last && last.color === color) {
		last.text += text;
	} else {
		segments.push(color === undefined ? {text} : {text, color});
	}
}

/** Labels along the time axis: `now` at the right end, `-15m`, `-30m`, … back from it, as many as fit apart. */
export function timeLabels(cells: number, fromMs: number, toMs: number, nowMs: number): string {
	const line = Array.from({length: cells}, () => ' ');
	const put = (start: number, text: string) => {
		for (const [index, char] of [...text].entries()) {
			line[start + index] = char;
		}
	};

	if (cells < 3 || toMs <= fromMs) {
		return line.join('');
	}

	const nowStart = cells - 3;
	put(nowStart, 'now');
	const cellsPerMs = cells / (toMs - fromMs);
	for (const step of tickSteps) {
		if (step * cellsPerMs < minTickSpacing) {
			continue;
		}

		let end = nowStart - 2;
		const placed: Array<{start: number; text: string}> = [];
		for (let back = step; nowMs - back >= fromMs; back += step) {
			const text = `-${formatEstimate(back)}`;
			const start = Math.max(0, Math.round(((nowMs - back - fromMs) * cellsPerMs) - (text.length / 2)));
			if (start + text.length > end) {
				break;
			}

			placed.push({start, text});
			end = start - 2;
		}

		for (const label of placed) {
			put(label.start, label.text);
		}

		break;
	}

	return line.join('');
}

/**
 * The stacked bars. Columns are grouped from the newest bucket back, so the right edge is always
 * now; buckets left over at the old end when grouping are not drawn (the labels say where the
 * chart starts).
 */
export function buildChart(input: ChartInput): Chart {
	const {values, styles, bucketMs, nowMs, width} = input;
	const rows = Math.max(1, input.rows);
	const plotWidth = Math.max(1, width - leftWidth);
	const bucketsPerColumn = Math.max(1, Math.ceil(values.length / plotWidth));
	const columnCount = Math.floor(values.length / bucketsPerColumn);
	const skipped = values.length - (columnCount * bucketsPerColumn);
	const cellsPerColumn = columnCount === 0 ? 1 : Math.max(1, Math.min(maxCellsPerColumn, Math.floor(plotWidth / columnCount)));
	// A gap between bars once they are wide enough to spare one.
	const barWidth = cellsPerColumn >= 2 ? cellsPerColumn - 1 : 1;
	const columns: number[][] = [];
	for (let column = 0; column < columnCount; column++) {
		const sums = styles.map(() => 0);
		for (let index = 0; index < bucketsPerColumn; index++) {
			const bucket = values[skipped + (column * bucketsPerColumn) + index]!;
			for (const [series, value] of bucket.entries()) {
				if (series < sums.length && value > 0 && Number.isFinite(value)) {
					sums[series]! += value;
				}
			}
		}

		columns.push(sums);
	}

	const top = niceCeiling(Math.max(0, ...columns.map(sums => sums.reduce((sum, value) => sum + value, 0))));
	const stacks = columns.map(sums => stackCells(sums, top, rows));
	const half = rows >= 4 && rows % 2 === 0 ? rows / 2 : -1;
	const lines: ChartLine[] = [];
	for (let row = 0; row < rows; row++) {
		const level = rows - 1 - row;
		let label = '';
		if (row === 0 && top > 0) {
			label = formatTokens(top);
		} else if (row === half && top > 0) {
			label = formatTokens(top / 2);
		}

		const segments: Segment[] = [{text: `${label.padStart(scaleWidth)} ${label === '' ? '│' : '┤'}`, color: colors.muted}];
		for (const stack of stacks) {
			const series = stack.findIndex(range => level >= range.from && level < range.to);
			const style = styles[series];
			if (style) {
				append(segments, style.symbol.repeat(barWidth), style.color);
				append(segments, ' '.repeat(cellsPerColumn - barWidth));
			} else {
				append(segments, ' '.repeat(cellsPerColumn));
			}
		}

		lines.push({key: `bars:${row}`, segments});
	}

	const plotCells = columnCount * cellsPerColumn;
	if (top === 0) {
		// Nothing to stack: say so in the middle of the empty plot rather than draw nothing.
		const middle = lines[Math.floor((rows - 1) / 2)]!;
		middle.segments = [middle.segments[0]!, {text: ' no tokens used in this window', color: colors.muted}];
	}

	lines.push(
		{key: 'axis', segments: [{text: `${'0'.padStart(scaleWidth)} └${'─'.repeat(plotCells)}`, color: colors.muted}]},
		{
			key: 'time',
			segments: [{
				text: ' '.repeat(leftWidth) + timeLabels(plotCells, input.firstStartMs + (skipped * bucketMs), input.firstStartMs + (values.length * bucketMs), nowMs).trimEnd(),
				color: colors.muted,
			}],
		},
	);
	return {
		lines, bucketsPerColumn, cellsPerColumn, top,
	};
}
