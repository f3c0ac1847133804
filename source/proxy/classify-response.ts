import type {AccountKind} from '../accounts/types.js';
import type {RateLimitTelemetry} from '../anthropic/telemetry.js';
import {parseRetryAfterMs} from '../anthropic/rate-limit-headers.js';
import type {FailurePolicy} from './failure-policy.js';

export type Cooldown = {untilMs: number; staggered: boolean; reason: string};

/** What to do with an upstream answer: hand it to the client, or try another account. */
export type Verdict =
	| {kind: 'deliver'}
	| {
		kind: 'failover';
		/** Shown in the request's attempts. */
		reason: string;
		cooldown?: Cooldown;
		/** Terminal alert kind, when the user should hear about it. */
		alert?: 'rate-limited' | 'forbidden';
		excludeModel?: {model: string; untilMs: number};
		/** 401 on an OAuth account: refresh once and retry the same account. */
		refresh?: boolean;
		/** Counts towards reauth. */
		unauthorized?: boolean;
		/** The account's quota is spent until this instant (epoch ms), whatever the cooldown. */
		spentUntilMs?: number;
		/**
		 * The refusal concerns this request, not the account's quota (a 429 without rate-limit
		 * headers, a 529): one pass over the accounts, then the client gets the upstream's answer.
		 */
		requestScoped?: boolean;
	};

export type ClassifyInput = {
	status: number;
	headers: Record<string, string | string[] | undefined>;
	telemetry: RateLimitTelemetry | undefined;
	accountKind: AccountKind;
	model: string | undefined;
	nowMs: number;
	policy: FailurePolicy;
};

function header(headers: ClassifyInput['headers'], name: string): string | undefined {
	const value = headers[name];
	return Array.isArray(value) ? value[0] : value;
}

// Model-scoped windows and the model family each one limits.
const scopedWindowFamilies: Record<string, string> = {'7d_opus': 'opus', '7d_sonnet': 'sonnet', '7d_oi': 'fable', '7d_fable': 'fable'};

export function classifyResponse(input: ClassifyInput): Verdict {
	const {status, accountKind, policy, nowMs} = input;
	if (status === 429) {
		return classify429(input);
	}

	if (status === 529) {
		return {kind: 'failover', reason: 'overloaded', requestScoped: true, cooldown: {untilMs: nowMs + policy.overloadedCooldownMs, staggered: false, reason: 'overloaded'}};
	}

	if (status === 401) {
		return accountKind === 'oauth'
			? {kind: 'failover', reason: '401', refresh: true, unauthorized: true, cooldown: {untilMs: nowMs + policy.unauthorizedCooldownMs, staggered: false, reason: '401'}}
			: {kind: 'failover', reason: '401', unauthorized: true, cooldown: {untilMs: nowMs + policy.unauthorizedCooldownMs, staggered: false, reason: '401'}};
	}

	if (status === 403 && accountKind === 'oauth') {
		return {kind: 'failover', reason: 'forbidden', alert: 'forbidden', cooldown: {untilMs: nowMs + policy.forbiddenCooldownMs, staggered: false, reason: 'forbidden'}};
	}

	// Anything else (400, 404, 413, 500, …) would fail the same way on another account.
	return {kind: 'deliver'};
}

function classify429(input: ClassifyInput): Verdict {
	const {telemetry, headers, policy, nowMs, model} = input;
	const nowSeconds = nowMs / 1000;
	const retryAfterMs = parseRetryAfterMs(header(headers, 'retry-after'), nowMs);

	// No rate-limit header at all: a request-scoped refusal. Retry elsewhere, do not bench.
	if (!telemetry) {
		return {kind: 'failover', reason: 'windowless 429', requestScoped: true, cooldown: {untilMs: nowMs + policy.windowlessCooldownMs, staggered: false, reason: 'busy'}};
	}

	// A spent 5h or 7d window: the account is out until the latest rejected window resets.
	const rejectedResets = [telemetry.fiveHour, telemetry.sevenDay]
		.filter(window => window?.status === 'rejected' && window.reset !== undefined && window.reset > nowSeconds)
		.map(window => window!.reset! * 1000);
	if (rejectedResets.length > 0) {
		const spentUntilMs = Math.max(...rejectedResets) + policy.quotaMarginMs;
		const untilMs = Math.min(spentUntilMs, nowMs + policy.quotaRecheckMs);
		return {
			kind: 'failover',
			reason: 'quota',
			cooldown: {untilMs, staggered: true, reason: 'quota'},
			alert: spentUntilMs - nowMs >= policy.alertAfterMs ? 'rate-limited' : undefined,
			spentUntilMs,
		};
	}

	// A model-scoped refusal: the account still serves other models.
	const scoped = Object.entries(telemetry.scoped ?? {}).find(([, window]) => window.status === 'rejected');
	if (scoped || telemetry.overageDisabledReason === 'out_of_credits') {
		const family = scoped ? scopedWindowFamilies[scoped[0]] : undefined;
		const resetMs = scoped?.[1].reset ? scoped[1].reset * 1000 : undefined;
		const untilMs = resetMs && resetMs > nowMs ? resetMs : nowMs + policy.modelExclusionMs;
		const excluded = (family ?? model ?? '').toLowerCase();
		if (excluded) {
			return {kind: 'failover', reason: scoped ? `${scoped[0]} limit` : 'out of credits', excludeModel: {model: excluded, untilMs}};
		}
	}

	// A rate limit that is not a spent window (burst, or an API key's per-minute buckets): honour
	// retry-after or the bucket resets, within sane bounds.
	let waitMs = retryAfterMs;
	if (waitMs === undefined) {
		const bucketResets = [telemetry.requests, telemetry.tokens, telemetry.inputTokens, telemetry.outputTokens]
			.filter(bucket => bucket?.remaining === 0 && bucket.resetMs !== undefined && bucket.resetMs > nowMs)
			.map(bucket => bucket!.resetMs! - nowMs);
		waitMs = bucketResets.length > 0 ? Math.max(...bucketResets) : policy.defaultRetryMs;
	}

	const bounded = Math.min(policy.burstMaxMs, Math.max(policy.burstMinMs, waitMs));
	return {kind: 'failover', reason: 'rate limit', cooldown: {untilMs: nowMs + bounded, staggered: true, reason: 'rate limit'}};
}
