// covers: source/failover/classify-response.ts, source/failover/failure-policy.ts, source/anthropic/telemetry.ts
// The failure policy as a table: upstream status × rate-limit telemetry × account kind → verdict.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import type {AccountKind} from '../../source/accounts/types.js';
import type {RateLimitTelemetry} from '../../source/anthropic/telemetry.js';
import {classifyResponse, type ClassifyInput, type Verdict} from '../../source/failover/classify-response.js';
import {defaultFailurePolicy, type FailurePolicy} from '../../source/failover/failure-policy.js';

const nowMs = Date.UTC(2026, 6, 31, 12, 0, 0);
const nowS = nowMs / 1000;
const second = 1000;
const minute = 60 * second;
const hour = 60 * minute;

// Every duration different, so a verdict that takes the wrong one shows.
const policy: FailurePolicy = {
	windowlessCooldownMs: 3001,
	overloadedCooldownMs: 15_002,
	unauthorizedCooldownMs: (5 * minute) + 3,
	unauthorizedBeforeReauth: 3,
	forbiddenCooldownMs: (30 * minute) + 4,
	quotaRecheckMs: (15 * minute) + 5,
	quotaMarginMs: 506,
	burstMinMs: 5007,
	burstMaxMs: (2 * minute) + 8,
	defaultRetryMs: 30_009,
	modelExclusionMs: hour + 10,
	alertAfterMs: (5 * minute) + 11,
};

const telemetry = (fields: Omit<RateLimitTelemetry, 'updatedMs'> = {}): RateLimitTelemetry => ({updatedMs: nowMs, ...fields});

function classify(fields: Partial<ClassifyInput> & {status: number}): Verdict {
	return classifyResponse({retryAfterMs: undefined, telemetry: undefined, accountKind: 'oauth', model: 'claude-sonnet-4-6', nowMs, policy, ...fields});
}

// Optional fields left undefined are absent, as far as a caller is concerned.
const plain = (verdict: Verdict): unknown => JSON.parse(JSON.stringify(verdict));

const cooldown = (ms: number, reason: string, staggered = false) => ({untilMs: nowMs + ms, staggered, reason});

type Row = {name: string; input: Partial<ClassifyInput> & {status: number}; expected: Verdict};

const kinds: AccountKind[] = ['oauth', 'apikey'];

// --- statuses other than 429 ---

const statusRows: Row[] = [
	...kinds.flatMap(accountKind => [
		{
			name: `529 on ${accountKind}: overloaded, request-scoped, a short unstaggered rest`,
			input: {status: 529, accountKind},
			expected: {kind: 'failover', reason: 'overloaded', requestScoped: true, cooldown: cooldown(policy.overloadedCooldownMs, 'overloaded')},
		},
		{
			name: `529 on ${accountKind} is overload even when the telemetry says a window is spent`,
			input: {status: 529, accountKind, telemetry: telemetry({fiveHour: {status: 'rejected', reset: nowS + 3600}})},
			expected: {kind: 'failover', reason: 'overloaded', requestScoped: true, cooldown: cooldown(policy.overloadedCooldownMs, 'overloaded')},
		},
	] satisfies Row[]),
	{
		name: '401 on OAuth: refresh and retry the same account, counts towards reauth',
		input: {status: 401, accountKind: 'oauth'},
		expected: {kind: 'failover', reason: '401', refresh: true, unauthorized: true, cooldown: cooldown(policy.unauthorizedCooldownMs, '401')},
	},
	{
		name: '401 on an API key: no refresh (a key cannot be refreshed), counts towards reauth',
		input: {status: 401, accountKind: 'apikey'},
		expected: {kind: 'failover', reason: '401', unauthorized: true, cooldown: cooldown(policy.unauthorizedCooldownMs, '401')},
	},
	{
		name: '403 on OAuth: forbidden, alerted, a long rest',
		input: {status: 403, accountKind: 'oauth'},
		expected: {kind: 'failover', reason: 'forbidden', alert: 'forbidden', cooldown: cooldown(policy.forbiddenCooldownMs, 'forbidden')},
	},
	{
		name: '403 on an API key is the request\'s fault: delivered',
		input: {status: 403, accountKind: 'apikey'},
		expected: {kind: 'deliver'},
	},
	...kinds.flatMap(accountKind => [200, 201, 400, 404, 408, 413, 422, 500, 502, 503, 504].map(status => ({
		name: `${status} on ${accountKind} would fail (or succeed) the same way elsewhere: delivered`,
		input: {status, accountKind, telemetry: telemetry({fiveHour: {status: 'rejected', reset: nowS + 3600}})},
		expected: {kind: 'deliver'} as Verdict,
	}))),
];

for (const row of statusRows) {
	test(row.name, () => {
		assert.deepEqual(plain(classify(row.input)), row.expected);
	});
}

// --- 429 without rate-limit headers ---

test('429 without rate-limit headers is request-scoped: a moment\'s rest, named "windowless 429" for the try and the cooldown alike, on either kind', () => {
	for (const accountKind of kinds) {
		assert.deepEqual(plain(classify({status: 429, accountKind})), {
			kind: 'failover', reason: 'windowless 429', requestScoped: true, cooldown: cooldown(policy.windowlessCooldownMs, 'windowless 429'),
		}, accountKind);
	}
});

test('a windowless 429 ignores retry-after: one request\'s refusal never benches the account for long', () => {
	const verdict = classify({status: 429, retryAfterMs: 3_600_000});
	assert.deepEqual(plain(verdict), {kind: 'failover', reason: 'windowless 429', requestScoped: true, cooldown: cooldown(policy.windowlessCooldownMs, 'windowless 429')});
});

// --- 429 with a spent 5h or 7d window ---

type QuotaRow = {name: string; telemetry: RateLimitTelemetry; spentUntilMs: number; untilMs: number; alert: boolean};

const quotaRows: QuotaRow[] = [
	{
		name: 'a spent 5h window resetting soon: cooling until the reset plus the margin, no alert',
		telemetry: telemetry({fiveHour: {status: 'rejected', reset: nowS + 120}}),
		spentUntilMs: nowMs + (120 * second) + policy.quotaMarginMs,
		untilMs: nowMs + (120 * second) + policy.quotaMarginMs,
		alert: false,
	},
	{
		name: 'a spent 7d window resetting in two days: the cooldown is capped at the recheck interval, the spent time is not',
		telemetry: telemetry({sevenDay: {status: 'rejected', reset: nowS + (48 * 3600)}}),
		spentUntilMs: nowMs + (48 * hour) + policy.quotaMarginMs,
		untilMs: nowMs + policy.quotaRecheckMs,
		alert: true,
	},
	{
		name: 'both windows spent: out until the later reset',
		telemetry: telemetry({fiveHour: {status: 'rejected', reset: nowS + 600}, sevenDay: {status: 'rejected', reset: nowS + 700}}),
		spentUntilMs: nowMs + (700 * second) + policy.quotaMarginMs,
		untilMs: nowMs + (700 * second) + policy.quotaMarginMs,
		alert: true,
	},
	{
		name: 'a spent window and one whose rejection already reset: only the live one counts',
		telemetry: telemetry({fiveHour: {status: 'rejected', reset: nowS + 200}, sevenDay: {status: 'rejected', reset: nowS - 10}}),
		spentUntilMs: nowMs + (200 * second) + policy.quotaMarginMs,
		untilMs: nowMs + (200 * second) + policy.quotaMarginMs,
		alert: false,
	},
	{
		name: 'a spent window exactly as long as the alert threshold alerts',
		telemetry: telemetry({fiveHour: {status: 'rejected', reset: (nowMs + policy.alertAfterMs - policy.quotaMarginMs) / 1000}}),
		spentUntilMs: nowMs + policy.alertAfterMs,
		untilMs: nowMs + policy.alertAfterMs,
		alert: true,
	},
	{
		name: 'a spent window a millisecond shorter than the alert threshold does not',
		telemetry: telemetry({fiveHour: {status: 'rejected', reset: (nowMs + policy.alertAfterMs - policy.quotaMarginMs - 1) / 1000}}),
		spentUntilMs: nowMs + policy.alertAfterMs - 1,
		untilMs: nowMs + policy.alertAfterMs - 1,
		alert: false,
	},
	{
		name: 'a spent window resetting exactly at the recheck interval is not capped',
		telemetry: telemetry({fiveHour: {status: 'rejected', reset: (nowMs + policy.quotaRecheckMs - policy.quotaMarginMs) / 1000}}),
		spentUntilMs: nowMs + policy.quotaRecheckMs,
		untilMs: nowMs + policy.quotaRecheckMs,
		alert: true,
	},
	{
		name: 'a spent window beats a model-scoped rejection and retry-after',
		telemetry: telemetry({fiveHour: {status: 'rejected', reset: nowS + 60}, scoped: {'7d_opus': {status: 'rejected', reset: nowS + 9999}}}),
		spentUntilMs: nowMs + (60 * second) + policy.quotaMarginMs,
		untilMs: nowMs + (60 * second) + policy.quotaMarginMs,
		alert: false,
	},
];

for (const row of quotaRows) {
	test(`429, ${row.name}`, () => {
		for (const accountKind of kinds) {
			const verdict = classify({status: 429, accountKind, telemetry: row.telemetry, retryAfterMs: 7000});
			assert.deepEqual(plain(verdict), {
				kind: 'failover',
				reason: 'quota',
				cooldown: {untilMs: row.untilMs, staggered: true, reason: 'quota'},
				...(row.alert ? {alert: 'rate-limited'} : {}),
				spentUntilMs: row.spentUntilMs,
			}, accountKind);
		}
	});
}

test('429 with a quota verdict is never request-scoped: the account itself is out', () => {
	const verdict = classify({status: 429, telemetry: telemetry({fiveHour: {status: 'rejected', reset: nowS + 60}})});
	assert.equal(verdict.kind === 'failover' && verdict.requestScoped, undefined);
});

// --- 429 with a model-scoped rejection ---

type ScopedRow = {name: string; telemetry: RateLimitTelemetry; model?: string; expected: Verdict};

const scopedRows: ScopedRow[] = [
	...([['7d_opus', 'opus'], ['7d_sonnet', 'sonnet'], ['7d_oi', 'fable'], ['7d_fable', 'fable']] as const).map(([window, family]) => ({
		name: `a rejected ${window} window excludes the ${family} family until its reset, with no cooldown`,
		telemetry: telemetry({fiveHour: {status: 'allowed', reset: nowS + 60}, scoped: {[window]: {status: 'rejected', reset: nowS + 5000}}}),
		expected: {kind: 'failover', reason: `${window} limit`, excludeModel: {model: family, untilMs: nowMs + (5000 * second)}} as Verdict,
	})),
	{
		name: 'a rejected scoped window without a reset excludes for the policy\'s exclusion time',
		telemetry: telemetry({scoped: {'7d_opus': {status: 'rejected'}}}),
		expected: {kind: 'failover', reason: '7d_opus limit', excludeModel: {model: 'opus', untilMs: nowMs + policy.modelExclusionMs}},
	},
	{
		name: 'a rejected scoped window whose reset passed excludes for the policy\'s exclusion time',
		telemetry: telemetry({scoped: {'7d_sonnet': {status: 'rejected', reset: nowS - 1}}}),
		expected: {kind: 'failover', reason: '7d_sonnet limit', excludeModel: {model: 'sonnet', untilMs: nowMs + policy.modelExclusionMs}},
	},
	{
		name: 'an unknown scoped window excludes the requested model, lower-cased',
		telemetry: telemetry({scoped: {'7d_newfamily': {status: 'rejected', reset: nowS + 100}}}),
		model: 'Claude-NewFamily-5',
		expected: {kind: 'failover', reason: '7d_newfamily limit', excludeModel: {model: 'claude-newfamily-5', untilMs: nowMs + (100 * second)}},
	},
	{
		name: 'out of credits excludes the requested model',
		telemetry: telemetry({overageDisabledReason: 'out_of_credits'}),
		model: 'claude-opus-4-8',
		expected: {kind: 'failover', reason: 'out of credits', excludeModel: {model: 'claude-opus-4-8', untilMs: nowMs + policy.modelExclusionMs}},
	},
	{
		name: 'a scoped window that is only allowed or warning is no exclusion: a plain rate limit',
		telemetry: telemetry({scoped: {'7d_opus': {status: 'allowed_warning', reset: nowS + 100}}}),
		expected: {kind: 'failover', reason: 'rate limit', cooldown: cooldown(policy.defaultRetryMs, 'rate limit', true)},
	},
	{
		name: 'an unknown scoped window on a request without a model has nothing to exclude: a plain rate limit',
		telemetry: telemetry({scoped: {'7d_newfamily': {status: 'rejected', reset: nowS + 100}}}),
		model: '',
		expected: {kind: 'failover', reason: 'rate limit', cooldown: cooldown(policy.defaultRetryMs, 'rate limit', true)},
	},
];

for (const row of scopedRows) {
	test(`429, ${row.name}`, () => {
		const verdict = classify({status: 429, telemetry: row.telemetry, model: row.model ?? 'claude-sonnet-4-6'});
		assert.deepEqual(plain(verdict), row.expected);
	});
}

// --- 429 that is neither: bursts and API-key buckets ---

type RateRow = {name: string; retryAfterMs?: number; telemetry: RateLimitTelemetry; waitMs: number};

const bucketTelemetry = telemetry({
	requests: {limit: 50, remaining: 0, resetMs: nowMs + (40 * second)},
	tokens: {limit: 1000, remaining: 0, resetMs: nowMs + (70 * second)},
	inputTokens: {limit: 1000, remaining: 5, resetMs: nowMs + (110 * second)},
	outputTokens: {limit: 1000, remaining: 0, resetMs: nowMs - second},
});

const rateRows: RateRow[] = [
	{name: 'retry-after is honoured', retryAfterMs: 20 * second, telemetry: telemetry({fiveHour: {status: 'allowed'}}), waitMs: 20 * second},
	{name: 'a retry-after below the floor waits the floor', retryAfterMs: second, telemetry: telemetry(), waitMs: policy.burstMinMs},
	{name: 'a retry-after of zero waits the floor', retryAfterMs: 0, telemetry: telemetry(), waitMs: policy.burstMinMs},
	{name: 'a retry-after of a day waits the ceiling', retryAfterMs: 24 * hour, telemetry: telemetry(), waitMs: policy.burstMaxMs},
	{name: 'retry-after beats the bucket resets', retryAfterMs: 10 * second, telemetry: bucketTelemetry, waitMs: 10 * second},
	{name: 'without retry-after, the latest reset among spent buckets still ahead', telemetry: bucketTelemetry, waitMs: 70 * second},
	{
		name: 'a spent bucket resetting beyond the ceiling waits the ceiling',
		telemetry: telemetry({requests: {remaining: 0, resetMs: nowMs + hour}}),
		waitMs: policy.burstMaxMs,
	},
	{
		name: 'buckets with requests left, or whose reset passed, say nothing: the default wait',
		telemetry: telemetry({requests: {remaining: 3, resetMs: nowMs + (90 * second)}, tokens: {remaining: 0, resetMs: nowMs - 5}, inputTokens: {remaining: 0}}),
		waitMs: policy.defaultRetryMs,
	},
	{name: 'telemetry with nothing rejected and no retry-after: the default wait', telemetry: telemetry({fiveHour: {status: 'allowed_warning', utilization: 0.95}}), waitMs: policy.defaultRetryMs},
	{name: 'a rejected window without a reset is not a spent window', telemetry: telemetry({fiveHour: {status: 'rejected'}}), waitMs: policy.defaultRetryMs},
	{name: 'a rejected window whose reset passed is spent no longer', telemetry: telemetry({sevenDay: {status: 'rejected', reset: nowS - 1}}), waitMs: policy.defaultRetryMs},
	{name: 'a rejected window resetting this very second is spent no longer', telemetry: telemetry({fiveHour: {status: 'rejected', reset: nowS}}), waitMs: policy.defaultRetryMs},
];

for (const row of rateRows) {
	test(`429 rate limit: ${row.name}`, () => {
		for (const accountKind of kinds) {
			const verdict = classify({status: 429, accountKind, retryAfterMs: row.retryAfterMs, telemetry: row.telemetry});
			assert.deepEqual(plain(verdict), {kind: 'failover', reason: 'rate limit', cooldown: cooldown(row.waitMs, 'rate limit', true)}, accountKind);
		}
	});
}

test('the default policy\'s bounds are ordered the way the rules assume', () => {
	const p = defaultFailurePolicy;
	assert.ok(p.burstMinMs <= p.defaultRetryMs && p.defaultRetryMs <= p.burstMaxMs, 'the default wait lies within the burst bounds');
	assert.ok(p.windowlessCooldownMs < p.burstMinMs, 'a request-scoped refusal rests less than any rate limit');
	for (const [name, value] of Object.entries(p)) {
		assert.ok(Number.isSafeInteger(value) && value > 0, `${name} is a positive whole number`);
	}
});
