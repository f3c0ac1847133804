// A 5h-window sparkline: one character per slice of the window, ▁ (under an eighth used) to █
// (all of it), coloured like the gauges. Pure.
import type {Segment} from '../../kit/segments.js';
import {
	colors, sparkLevels, sparkUnknown, usageColor,
} from '../../kit/theme.js';

/** The level character of a utilization (0..1; more counts as full). */
export function sparkChar(utilization: number): string {
	const levels = [...sparkLevels];
	if (!(utilization > 0)) {
		return levels[0]!;
	}

	return levels[Math.min(levels.length - 1, Math.ceil(Math.min(1, utilization) * levels.length) - 1)]!;
}

/**
 * The series squeezed into at most `width` characters: each character stands for as many slices
 * as needed, grouped from the newest back, and shows the last known value of its group (the
 * utilization at its end). Oldest slices left over from grouping are not drawn.
 */
export function sparkValues(values: ReadonlyArray<number | null>, width: number): Array<number | null> {
	if (width <= 0 || values.length === 0) {
		return [];
	}

	const group = Math.ceil(values.length / width);
	const count = Math.floor(values.length / group);
	const skipped = values.length - (count * group);
	const result: Array<number | null> = [];
	for (let index = 0; index < count; index++) {
		const slice = values.slice(skipped + (index * group), skipped + ((index + 1) * group));
		const known = slice.filter((value): value is number => value !== null && Number.isFinite(value));
		result.push(known.at(-1) ?? null);
	}

	return result;
}

export function sparklineSegments(values: ReadonlyArray<number | null>): Segment[] {
	const segments: Segment[] = [];
	for (const value of values) {
		const text = value === null ? sparkUnknown : sparkChar(value);
		const color = value === null ? colors.muted : usageColor(value, false);
		const last = segments.at(-1);
		if (last?.color === color) {
			last.text += text;
		} else {
			segments.push({text, color});
		}
	}

	return segments;
}
