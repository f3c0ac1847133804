// Number, time and name formatting for the monitor. Pure functions so tests can pin the exact text.
import {clockTime} from '../../util/clock-time.js';
import {formatDuration, formatWhen as formatWhenWith} from '../../util/duration.js';

const second = 1000;
const minute = 60 * second;

// Durations are shared with the CLI and the proxy's own messages, so they live in util/.
export {formatCountdown, formatDuration, formatEstimate} from '../../util/duration.js';

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

// Token and dollar amounts are also written by the proxy's own event lines.
export {formatTokens, formatUsd} from '../../util/amounts.js';

/** Wall-clock time of day, local: `14:03:59` (one formatter for the whole app, safe for any number). */

/** A utilization fraction as a whole percentage (it can pass 100). */
export function formatPercent(fraction: number): string {
	return `${Math.round(fraction * 100)}%`;
}

export {shortModel} from '../../anthropic/models.js';

/** Burst limit as the header shows it: requests per minute, or off. */
export function formatBurst(limit: number): string {
	return limit > 0 ? `${limit}/min` : 'off';
}

export {clockTime as formatClock} from '../../util/clock-time.js';
