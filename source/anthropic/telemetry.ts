// What Anthropic's rate-limit headers (and the usage endpoint) say about an account, and the one
// reading of it everyone uses: when a window is live, when it is spent, how much headroom an API
// key's buckets leave.

/** One unified rate-limit window (5h, 7d, or a model-scoped one such as 7d_oi). */
export type UnifiedWindow = {
	/** Fraction used; can exceed 1. */
	utilization?: number;
	/** Epoch seconds. */
	reset?: number;
	/** allowed | allowed_warning | rejected (other values are kept verbatim). */
	status?: string;
	surpassedThreshold?: number;
};

/** One bucket of the API-key family (anthropic-ratelimit-requests-*, -tokens-*, …). */
export type KeyBucket = {
	limit?: number;
	remaining?: number;
	/** Epoch milliseconds (the header carries RFC 3339). */
	resetMs?: number;
};

/** Everything the rate-limit headers of one response told us about an account. */
export type RateLimitTelemetry = {
	fiveHour?: UnifiedWindow;
	sevenDay?: UnifiedWindow;
	/** Model-scoped windows keyed by their header infix, e.g. "7d_oi", "7d_sonnet". */
	scoped?: Record<string, UnifiedWindow>;
	/** Overall unified status and reset. */
	status?: string;
	reset?: number;
	representativeClaim?: string;
	overageStatus?: string;
	overageDisabledReason?: string;
	/** API-key family. */
	requests?: KeyBucket;
	tokens?: KeyBucket;
	inputTokens?: KeyBucket;
	outputTokens?: KeyBucket;
	/** Epoch ms when these headers were read. */
	updatedMs: number;
};
