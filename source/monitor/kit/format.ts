// Number, time and name formatting for the monitor. Pure functions so tests can pin the exact text.
import {clockTime} from '../../util/clock-time.js';
import {formatDuration, formatWhen as formatWhenWith} from '../../util/duration.js';

const second = 1000;
const minute = 60 * second;

// Durations are shared with the CLI and the proxy's own messages, so they live in util/.
export {formatCountdown, formatDuration} from '../../util/duration.js';

/** `in 6m30s (21:55:45)`: a countdown and the 24-hour clock, the one way the screen says when. */
export const formatWhen = (atMs: number, nowMs: number): string => formatWhenWith(atMs, nowMs, clockTime);

/** How long one request took: `850ms`, `1.2s`, `2m05s`. */
export function formatRequestDuration(ms: number): string {
	if (ms < second) {
		return `${Math.max(0, Math.round(ms))}ms`;
	}

	if (ms < minute) {
		return `${(ms / second).toFixed(1)}s`;
	}

	return formatDuration(ms);
}

const scaled = (value: number, units: ReadonlyArray<[number, string]>, prefix = ''): string | undefined => {
	// Walk from the largest unit down; bump to the next unit when rounding would print "1000k".
	for (const [index, [size, suffix]] of units.entries()) {
		if (value < size) {
			continue;
		}

		const shown = value / size;
		const text = shown < 100 ? shown.toFixed(1).replace(/\.0$/, '') : String(Math.round(shown));
		if (Number(text) >= 1000 && index > 0) {
			const [biggerSize, biggerSuffix] = units[index - 1]!;
			return `${prefix}${(value / biggerSize).toFixed(1).replace(/\.0$/, '')}${biggerSuffix}`;
		}

		return `${prefix}${text}${suffix}`;
	}

	return undefined;
};

const tokenUnits: ReadonlyArray<[number, string]> = [[1e9, 'B'], [1e6, 'M'], [1e3, 'k']];

/** Token counts: `950`, `12.3k`, `4.5M`. */
export function formatTokens(count: number): string {
	const value = Math.max(0, Math.round(count));
	return scaled(value, tokenUnits) ?? String(value);
}

/** Dollars: `$0.00`, `<$0.01`, `$12.34`, `$1.2k`, `$3.4M`. */
export function formatUsd(usd: number): string {
	if (!Number.isFinite(usd) || usd <= 0) {
		return '$0.00';
	}

	if (usd < 0.01) {
		return '<$0.01';
	}

	// Round first so 999.996 prints as "$1k", not "$1000.00".
	const cents = Math.round(usd * 100) / 100;
	if (cents < 1000) {
		return `$${cents.toFixed(2)}`;
	}

	return scaled(cents, [[1e6, 'M'], [1e3, 'k']], '$')!;
}

/** Wall-clock time of day, local: `14:03:59` (one formatter for the whole app, safe for any number). */
export const formatClock = clockTime;

/** A utilization fraction as a whole percentage (it can pass 100). */
export function formatPercent(fraction: number): string {
	return `${Math.round(fraction * 100)}%`;
}

export {shortModel} from '../../anthropic/models.js';

/** Burst limit as the header shows it: requests per minute, or off. */
export function formatBurst(limit: number): string {
	return limit > 0 ? `${limit}/min` : 'off';
}
