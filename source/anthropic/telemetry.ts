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

/** A window whose reset is still ahead: what it says still holds. */
export function windowLive(window: UnifiedWindow | undefined, nowSeconds: number): window is UnifiedWindow & {reset: number} {
	return window?.reset !== undefined && window.reset > nowSeconds;
}

/**
 * THE rule for "this window is spent": Anthropic marks it rejected, and the verdict lapses once
 * its reset passes. A utilization past 1 alone is not spent (overage can carry an account on).
 */
export function statusSpent(status: string | undefined, reset: number | undefined, nowSeconds: number): boolean {
	return status === 'rejected' && reset !== undefined && reset > nowSeconds;
}

export function windowSpent(window: UnifiedWindow | undefined, nowSeconds: number): boolean {
	return statusSpent(window?.status, window?.reset, nowSeconds);
}

/** The latest reset among the spent windows (epoch ms): the account is out until then. Undefined when none is spent. */
export function spentUntilMs(windows: ReadonlyArray<UnifiedWindow | undefined>, nowMs: number): number | undefined {
	let latest: number | undefined;
	for (const window of windows) {
		if (windowSpent(window, nowMs / 1000)) {
			latest = Math.max(latest ?? 0, window!.reset! * 1000);
		}
	}

	return latest;
}

/** Fraction of a window used, as far as it still counts: a window whose reset has passed has rolled over. */
export function windowUtilization(window: UnifiedWindow | undefined, nowSeconds: number): number | null {
	if (window?.utilization === undefined) {
		return null;
	}

	if (window.reset !== undefined && window.reset <= nowSeconds) {
		return 0;
	}

	return window.utilization;
}

/** The API-key family's live buckets, tightest first. */
function liveBuckets(telemetry: RateLimitTelemetry, nowMs: number): KeyBucket[] {
	return [telemetry.requests, telemetry.tokens, telemetry.inputTokens, telemetry.outputTokens]
		.filter((bucket): bucket is KeyBucket => bucket !== undefined && (bucket.resetMs === undefined || bucket.resetMs > nowMs));
}

/**
 * API-key family headroom: the tightest remaining/limit among live buckets (undefined when the
 * headers never said), and until when no request can pass (a drained request bucket).
 */
export function keyHeadroom(telemetry: RateLimitTelemetry, nowMs: number): {headroom: number | undefined; blockedUntilMs: number | undefined} {
	let headroom: number | undefined;
	for (const bucket of liveBuckets(telemetry, nowMs)) {
		if (bucket.limit && bucket.remaining !== undefined) {
			const fraction = Math.max(0, Math.min(1, bucket.remaining / bucket.limit));
			headroom = headroom === undefined ? fraction : Math.min(headroom, fraction);
		}
	}

	const {requests} = telemetry;
	const blockedUntilMs = requests?.remaining === 0 && requests.resetMs !== undefined && requests.resetMs > nowMs ? requests.resetMs : undefined;
	return {headroom, blockedUntilMs};
}

/** When every drained bucket refills (epoch ms), for a 429 that gave no retry-after; undefined when none is drained. */
export function drainedBucketsRefillMs(telemetry: RateLimitTelemetry, nowMs: number): number | undefined {
	const resets = liveBuckets(telemetry, nowMs).filter(bucket => bucket.remaining === 0 && bucket.resetMs !== undefined).map(bucket => bucket.resetMs!);
	return resets.length > 0 ? Math.max(...resets) : undefined;
}
