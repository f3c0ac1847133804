/** Durations that decide how long an account sits out after a failure. Data, so tests and config can tune them. */
export type FailurePolicy = {
	/** A 429 with no rate-limit headers is request-scoped: a moment's rest, not a bench. */
	windowlessCooldownMs: number;
	/** 529 is platform capacity, not the account's quota. */
	overloadedCooldownMs: number;
	unauthorizedCooldownMs: number;
	/** 401s in a row (after refresh attempts) before an account is marked reauth. */
	unauthorizedBeforeReauth: number;
	forbiddenCooldownMs: number;
	/** A spent window resetting later than this is not waited out as a cooldown: the account is
	 * "exhausted" and the strong-resume probe re-checks it this often, in case the reset moves. */
	quotaRecheckMs: number;
	/** Added to a reset time: the window flips a moment after the second it names. */
	quotaMarginMs: number;
	/** Bounds for a 429 that is not a spent window (burst or API-key rate limit). */
	burstMinMs: number;
	burstMaxMs: number;
	/** A 429 that says nothing about when to come back. */
	defaultRetryMs: number;
	/** Model-scoped exclusions without a reset last this long. */
	modelExclusionMs: number;
	/** Alert when a quota cooldown is at least this long. */
	alertAfterMs: number;
};

export const defaultFailurePolicy: FailurePolicy = {
	windowlessCooldownMs: 3000,
	overloadedCooldownMs: 15_000,
	unauthorizedCooldownMs: 5 * 60_000,
	unauthorizedBeforeReauth: 3,
	forbiddenCooldownMs: 30 * 60_000,
	quotaRecheckMs: 15 * 60_000,
	quotaMarginMs: 500,
	burstMinMs: 5000,
	burstMaxMs: 2 * 60_000,
	defaultRetryMs: 30_000,
	modelExclusionMs: 60 * 60_000,
	alertAfterMs: 5 * 60_000,
};
