// Small, dependency-free statistics for the benchmark. Percentiles use nearest-rank on a sorted
// copy: with thousands of samples interpolation changes nothing, and nearest-rank always returns a
// latency that was really observed.

/** The p-th percentile (0–100) by nearest rank; NaN for no samples. */
export function percentile(samples: ArrayLike<number>, p: number): number {
	const {length} = samples;
	if (length === 0) {
		return Number.NaN;
	}

	const sorted = Float64Array.from(samples);
	sorted.sort();
	const rank = Math.ceil((p / 100) * length);
	return sorted[Math.min(length - 1, Math.max(0, rank - 1))]!;
}

/** Median of a few run results (the middle one, or the mean of the middle two); NaN when empty. */
export function median(values: readonly number[]): number {
	const finite = values.filter(value => Number.isFinite(value)).toSorted((a, b) => a - b);
	if (finite.length === 0) {
		return Number.NaN;
	}

	const middle = Math.floor(finite.length / 2);
	return finite.length % 2 === 1 ? finite[middle]! : (finite[middle - 1]! + finite[middle]!) / 2;
}

export type Summary = {count: number; p50: number; p99: number; mean: number; max: number};

export function summarize(samples: ArrayLike<number> & Iterable<number>): Summary {
	let sum = 0;
	let max = Number.NEGATIVE_INFINITY;
	for (const value of samples) {
		sum += value;
		max = Math.max(max, value);
	}

	return {
		count: samples.length,
		p50: percentile(samples, 50),
		p99: percentile(samples, 99),
		mean: samples.length > 0 ? sum / samples.length : Number.NaN,
		max: samples.length > 0 ? max : Number.NaN,
	};
}

/** Rounds for display and JSON: enough digits for sub-millisecond differences, no float noise. */
export function round(value: number, digits = 3): number {
	const factor = 10 ** digits;
	return Math.round(value * factor) / factor;
}

/** A B C, B C A, C A B, …: each target leads equally often (interleaved rounds on a noisy machine). */
export function rotated<T>(items: readonly T[], roundIndex: number): T[] {
	const shift = roundIndex % items.length;
	return [...items.slice(shift), ...items.slice(0, shift)];
}

/**
 * The median of round-by-round ratios on[i] ÷ off[i]. Both sides of a pair were measured in the
 * same round, so a slow stretch of the machine lands on both: steadier than a ratio of medians.
 */
export function pairedRatio(on: readonly number[], off: readonly number[]): number {
	const ratios = on.flatMap((value, index) => (off[index] ? [value / off[index]] : []));
	return round(median(ratios));
}
