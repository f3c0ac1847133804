// The history chart's spans and their slices: 30 to 60 buckets each, on round boundaries so a
// bucket means the same slice of time from one refresh to the next.
import type {HistoryWindow} from '../monitor/contract.js';

const minute = 60_000;
const hour = 60 * minute;

export type WindowSpec = {spanMs: number; bucketMs: number};

export const windowSpecs: Record<HistoryWindow, WindowSpec> = {
	'15m': {spanMs: 15 * minute, bucketMs: 30_000},
	'1h': {spanMs: hour, bucketMs: minute},
	'6h': {spanMs: 6 * hour, bucketMs: 10 * minute},
	'24h': {spanMs: 24 * hour, bucketMs: 30 * minute},
	'3d': {spanMs: 72 * hour, bucketMs: 2 * hour},
	'7d': {spanMs: 168 * hour, bucketMs: 4 * hour},
};

/** The absolute index of the bucket holding an instant (bucket n starts at n × bucketMs). */
export function bucketIndex(epochMs: number, bucketMs: number): number {
	return Math.floor(epochMs / bucketMs);
}

/** The buckets a window shows at nowMs: from the first to the one still filling, inclusive. */
export function windowBuckets(spec: WindowSpec, nowMs: number): {first: number; last: number} {
	const last = bucketIndex(nowMs, spec.bucketMs);
	return {first: last - Math.round(spec.spanMs / spec.bucketMs) + 1, last};
}
