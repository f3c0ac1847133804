import type {AccountKind} from '../accounts/types.js';
import {drainedBucketsRefillMs, spentUntilMs, type RateLimitTelemetry} from '../anthropic/telemetry.js';
import {scopedWindowFamilies} from '../anthropic/models.js';
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
	/** The response's retry-after, already parsed and bounded. */
	retryAfterMs: number | undefined;
	telemetry: RateLimitTelemetry | undefined;
	accountKind: AccountKind;
	model: string | undefined;
	nowMs: number;
	policy: FailurePolicy;
};


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
	const {telemetry, policy, nowMs, model} = input;

	// No rate-limit header at all: a request-scoped refusal. Retry elsewhere, do not bench.
	if (!telemetry) {
		return {kind: 'failover', reason: 'windowless 429', requestScoped: true, cooldown: {untilMs: nowMs + policy.windowlessCooldownMs, staggered: false, reason: 'windowless 429'}};
	}

	// A spent 5h or 7d window: the account is out until the latest rejected window resets.
	const spent = spentUntilMs([telemetry.fiveHour, telemetry.sevenDay], nowMs);
	if (spent !== undefined) {
		const spentUntil = spent + policy.quotaMarginMs;
		const untilMs = Math.min(spentUntil, nowMs + policy.quotaRecheckMs);
		return {
			kind: 'failover',
			reason: 'quota',
			cooldown: {untilMs, staggered: true, reason: 'quota'},
			alert: spentUntil - nowMs >= policy.alertAfterMs ? 'rate-limited' : undefined,
			spentUntilMs: spentUntil,
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
	let waitMs = input.retryAfterMs;
	if (waitMs === undefined) {
		const refill = drainedBucketsRefillMs(telemetry, nowMs);
		waitMs = refill === undefined ? policy.defaultRetryMs : refill - nowMs;
	}

	const bounded = Math.min(policy.burstMaxMs, Math.max(policy.burstMinMs, waitMs));
	return {kind: 'failover', reason: 'rate limit', cooldown: {untilMs: nowMs + bounded, staggered: true, reason: 'rate limit'}};
}
