// How far from now a time that came from outside (a reset header, a retry-after, state.json) may
// lie. A 7-day window resets at most about 7 days ahead, so 31 days is generous; anything beyond
// is broken or hostile, never a real deadline, and letting it in means dates that cannot be
// formatted and cooldowns that outlive every restart.

const dayMs = 86_400_000;

export const maxHorizonMs = 31 * dayMs;

/** How far in the past a reported time may lie (clock skew, a reset that just passed, …). */
export const maxPastMs = maxHorizonMs;

/** A reported epoch-ms instant that is a real number within [now - maxPastMs, now + maxHorizonMs]. */
export function withinHorizon(epochMs: number, nowMs: number): boolean {
	return Number.isFinite(epochMs) && epochMs >= nowMs - maxPastMs && epochMs <= nowMs + maxHorizonMs;
}

/**
 * A deadline we were asked to keep, brought within reach: at most now + maxHorizonMs. Non-finite
 * input (NaN, ±Infinity) is undefined: the caller ignores it.
 */
export function clampDeadline(epochMs: number, nowMs: number): number | undefined {
	return Number.isFinite(epochMs) ? Math.min(epochMs, nowMs + maxHorizonMs) : undefined;
}

/** A wait in milliseconds within [0, maxHorizonMs]; non-finite input is undefined. */
export function clampWaitMs(ms: number): number | undefined {
	return Number.isFinite(ms) ? Math.min(Math.max(ms, 0), maxHorizonMs) : undefined;
}

/**
 * A stored instant (a cooldown deadline, when a window started) that is safe to restore: a finite,
 * non-negative epoch-ms value no later than now + maxHorizonMs. The past is fine (old cooldowns
 * simply end); the far future is not.
 */
export function storableInstant(value: unknown, nowMs: number): value is number {
	return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= nowMs + maxHorizonMs;
}
