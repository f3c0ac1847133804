// Durations as people read them, shared by the monitor, `shunt status` and the proxy's messages.

const second = 1000;

const pad2 = (value: number): string => String(value).padStart(2, '0');

// Beyond this a span is no real wait or uptime (27 years); it is printed capped, not digit by digit.
const maxDays = 9999;

/**
 * A span of time in at most two units: `45s`, `4m12s`, `2h05m`, `3d4h`.
 * Countdowns round up so "1s" shows until the deadline has really passed; elapsed times round down.
 * Never nonsense: NaN and +Infinity are `—`, anything past 9999 days `>9999d`.
 */
export function formatDuration(ms: number, rounding: 'up' | 'down' = 'down'): string {
	if (Number.isNaN(ms) || ms === Number.POSITIVE_INFINITY) {
		return '—';
	}

	if (ms > maxDays * 86_400_000) {
		return `>${maxDays}d`;
	}

	const totalSeconds = Math.max(0, rounding === 'up' ? Math.ceil(ms / second) : Math.floor(ms / second));
	if (totalSeconds < 60) {
		return `${totalSeconds}s`;
	}

	const totalMinutes = Math.floor(totalSeconds / 60);
	if (totalMinutes < 60) {
		return `${totalMinutes}m${pad2(totalSeconds % 60)}s`;
	}

	const totalHours = Math.floor(totalMinutes / 60);
	if (totalHours < 24) {
		return `${totalHours}h${pad2(totalMinutes % 60)}m`;
	}

	return `${Math.floor(totalHours / 24)}d${totalHours % 24}h`;
}

/** Time left until an epoch-ms deadline, rounded up; `null` once it has passed. */
export function formatCountdown(deadlineMs: number, nowMs: number): string | null {
	const left = deadlineMs - nowMs;
	return left > 0 ? formatDuration(left, 'up') : null;
}

/**
 * When something happens, as people read it on screen and in messages: a countdown and the
 * 24-hour clock time, `in 6m30s (21:55:45)`; `now` once it has passed.
 */
export function formatWhen(atMs: number, nowMs: number, clock: (epochMs: number) => string): string {
	const left = formatCountdown(atMs, nowMs);
	return left === null ? 'now' : `in ${left} (${clock(atMs)})`;
}

/**
 * An estimate, to the minute: `<1m`, `42m`, `1h10m`, `3h`, `2d4h`. For projections such as "spent in
 * 42m", where seconds would claim a precision the estimate does not have.
 */
export function formatEstimate(ms: number): string {
	if (Number.isNaN(ms) || ms === Number.POSITIVE_INFINITY) {
		return '—';
	}

	if (ms > maxDays * 86_400_000) {
		return `>${maxDays}d`;
	}

	const minutes = Math.round(Math.max(0, ms) / 60_000);
	if (minutes < 1) {
		return '<1m';
	}

	if (minutes < 60) {
		return `${minutes}m`;
	}

	const hours = Math.floor(minutes / 60);
	if (hours < 24) {
		return minutes % 60 === 0 ? `${hours}h` : `${hours}h${pad2(minutes % 60)}m`;
	}

	const days = Math.floor(hours / 24);
	return hours % 24 === 0 ? `${days}d` : `${days}d${hours % 24}h`;
}
