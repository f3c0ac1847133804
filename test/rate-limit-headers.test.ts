// covers: source/anthropic/rate-limit-headers.ts
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {
	maxScopedWindows,
	parseRateLimitHeaders,
	parseRetryAfterMs,
} from '../source/anthropic/rate-limit-headers.js';
import {maxHorizonMs} from '../source/util/time-horizon.js';

const nowMs = Date.UTC(2026, 6, 31, 15, 0, 0);

/** Turns a "name: value" block as captured off the wire into a Node-style header object. */
function headerBlock(text: string): Record<string, string> {
	const headers: Record<string, string> = {};
	for (const line of text.trim().split('\n')) {
		const colon = line.indexOf(':');
		headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
	}

	return headers;
}

// The real exhausted-5h 429 (protocol.md §4.2), verbatim.
const captured429 = headerBlock(`
anthropic-ratelimit-unified-5h-reset: 1785518400
anthropic-ratelimit-unified-5h-status: rejected
anthropic-ratelimit-unified-5h-surpassed-threshold: 1.0
anthropic-ratelimit-unified-5h-utilization: 1.01
anthropic-ratelimit-unified-7d-reset: 1786006800
anthropic-ratelimit-unified-7d-status: allowed
anthropic-ratelimit-unified-7d-utilization: 0.69
anthropic-ratelimit-unified-fallback-percentage: 0.5
anthropic-ratelimit-unified-overage-disabled-reason: org_level_disabled
anthropic-ratelimit-unified-overage-status: rejected
anthropic-ratelimit-unified-representative-claim: five_hour
anthropic-ratelimit-unified-reset: 1785518400
anthropic-ratelimit-unified-status: rejected
retry-after: 7835
x-robots-tag: none
x-should-retry: true
`);

test('the captured exhausted-5h 429 parses completely', () => {
	const telemetry = parseRateLimitHeaders(captured429, nowMs);
	assert.deepEqual(telemetry, {
		updatedMs: nowMs,
		fiveHour: {reset: 1785518400, status: 'rejected', surpassedThreshold: 1, utilization: 1.01},
		sevenDay: {reset: 1786006800, status: 'allowed', utilization: 0.69},
		overageDisabledReason: 'org_level_disabled',
		overageStatus: 'rejected',
		representativeClaim: 'five_hour',
		reset: 1785518400,
		status: 'rejected',
	});
	assert.equal(parseRetryAfterMs(captured429['retry-after'], nowMs), 7_835_000);
});

test('a healthy 200 set parses, and the overage headers do not become a window', () => {
	const telemetry = parseRateLimitHeaders({
		'anthropic-ratelimit-unified-status': 'allowed',
		'anthropic-ratelimit-unified-5h-status': 'allowed',
		'anthropic-ratelimit-unified-5h-utilization': '0.13',
		'anthropic-ratelimit-unified-5h-reset': '1785530000',
		'anthropic-ratelimit-unified-7d-status': 'allowed_warning',
		'anthropic-ratelimit-unified-7d-utilization': '0.10',
		'anthropic-ratelimit-unified-7d-reset': '1786000000',
		'anthropic-ratelimit-unified-7d-surpassed-threshold': '0.75',
		'anthropic-ratelimit-unified-representative-claim': 'five_hour',
		'anthropic-ratelimit-unified-reset': '1785530000',
		'anthropic-ratelimit-unified-fallback-percentage': '0.5',
		'anthropic-ratelimit-unified-overage-status': 'rejected',
		'anthropic-ratelimit-unified-overage-reset': '1786000000',
		'anthropic-ratelimit-unified-overage-utilization': '0.2',
		'anthropic-ratelimit-unified-overage-disabled-reason': 'org_level_disabled',
		'content-type': 'application/json',
	}, nowMs);
	assert.ok(telemetry);
	assert.deepEqual(telemetry.fiveHour, {status: 'allowed', utilization: 0.13, reset: 1785530000});
	assert.deepEqual(telemetry.sevenDay, {status: 'allowed_warning', utilization: 0.1, reset: 1786000000, surpassedThreshold: 0.75});
	assert.equal(telemetry.status, 'allowed');
	assert.equal(telemetry.scoped, undefined);
	assert.equal(telemetry.requests, undefined);
});

test('model-scoped windows land in scoped under their infix', () => {
	const telemetry = parseRateLimitHeaders({
		'anthropic-ratelimit-unified-5h-status': 'allowed',
		'anthropic-ratelimit-unified-7d_oi-status': 'rejected',
		'anthropic-ratelimit-unified-7d_oi-reset': '1786006800',
		'anthropic-ratelimit-unified-7d_sonnet-utilization': '0.42',
		'anthropic-ratelimit-unified-representative-claim': 'seven_day_opus',
	}, nowMs);
	assert.ok(telemetry);
	assert.deepEqual(telemetry.scoped, {
		'7d_oi': {status: 'rejected', reset: 1786006800},
		'7d_sonnet': {utilization: 0.42},
	});
	assert.equal(telemetry.representativeClaim, 'seven_day_opus');
});

test('header names are matched case-insensitively and array values use the first', () => {
	const telemetry = parseRateLimitHeaders({
		'Anthropic-RateLimit-Unified-5h-Utilization': ['0.5', '0.9'],
	}, nowMs);
	assert.equal(telemetry?.fiveHour?.utilization, 0.5);
});

test('the API-key family parses with RFC 3339 resets in epoch ms', () => {
	const telemetry = parseRateLimitHeaders({
		'anthropic-ratelimit-requests-limit': '4000',
		'anthropic-ratelimit-requests-remaining': '3999',
		'anthropic-ratelimit-requests-reset': '2026-08-01T12:00:01Z',
		'anthropic-ratelimit-tokens-limit': '2400000',
		'anthropic-ratelimit-tokens-remaining': '2398000',
		'anthropic-ratelimit-tokens-reset': '2026-08-01T12:00:00.500+02:00',
		'anthropic-ratelimit-input-tokens-limit': '2000000',
		'anthropic-ratelimit-input-tokens-remaining': '1998000',
		'anthropic-ratelimit-input-tokens-reset': '2026-08-01T12:00:01Z',
		'anthropic-ratelimit-output-tokens-limit': '400000',
		'anthropic-ratelimit-output-tokens-remaining': '0',
		'anthropic-ratelimit-output-tokens-reset': '2026-08-01T12:00:07Z',
		'request-id': 'req_1',
	}, nowMs);
	assert.ok(telemetry);
	assert.deepEqual(telemetry.requests, {limit: 4000, remaining: 3999, resetMs: Date.UTC(2026, 7, 1, 12, 0, 1)});
	assert.deepEqual(telemetry.tokens, {limit: 2_400_000, remaining: 2_398_000, resetMs: Date.UTC(2026, 7, 1, 10, 0, 0, 500)});
	assert.deepEqual(telemetry.inputTokens, {limit: 2_000_000, remaining: 1_998_000, resetMs: Date.UTC(2026, 7, 1, 12, 0, 1)});
	assert.deepEqual(telemetry.outputTokens, {limit: 400_000, remaining: 0, resetMs: Date.UTC(2026, 7, 1, 12, 0, 7)});
	assert.equal(telemetry.fiveHour, undefined);
});

test('an ISO unified reset is converted to epoch seconds', () => {
	const telemetry = parseRateLimitHeaders({
		'anthropic-ratelimit-unified-5h-reset': '2026-07-31T17:20:00.288792+00:00',
		'anthropic-ratelimit-unified-reset': '2026-07-31T17:20:00Z',
	}, nowMs);
	const expected = Date.UTC(2026, 6, 31, 17, 20, 0) / 1000;
	assert.equal(telemetry?.fiveHour?.reset, expected);
	assert.equal(telemetry?.reset, expected);
});

test('a reset given in milliseconds or without a zone is still read right', () => {
	const telemetry = parseRateLimitHeaders({
		'anthropic-ratelimit-unified-7d-reset': '1786006800000',
		'anthropic-ratelimit-requests-reset': '2026-08-01T12:00:01',
	}, nowMs);
	assert.equal(telemetry?.sevenDay?.reset, 1786006800);
	// No offset: read as UTC, not the host's zone.
	assert.equal(telemetry?.requests?.resetMs, Date.UTC(2026, 7, 1, 12, 0, 1));
});

test('garbage values are dropped, never stored as NaN', () => {
	const telemetry = parseRateLimitHeaders({
		'anthropic-ratelimit-unified-5h-utilization': 'abc',
		'anthropic-ratelimit-unified-5h-reset': 'soon',
		'anthropic-ratelimit-unified-7d-utilization': '',
		'anthropic-ratelimit-unified-7d-reset': '0x10',
		'anthropic-ratelimit-unified-7d_oi-utilization': '-0.5',
		'anthropic-ratelimit-unified-reset': 'Infinity',
		'anthropic-ratelimit-unified-status': '   ',
		'anthropic-ratelimit-requests-limit': 'lots',
		'anthropic-ratelimit-requests-reset': 'tomorrow 5',
		'anthropic-ratelimit-tokens-remaining': 'NaN',
	}, nowMs);
	// Rate-limit headers were present, so there is a telemetry record, but nothing in it.
	assert.deepEqual(telemetry, {updatedMs: nowMs});
	assert.doesNotMatch(JSON.stringify(telemetry), /null/);
});

test('a response with no rate-limit header yields undefined', () => {
	assert.equal(parseRateLimitHeaders({'content-type': 'application/json', 'retry-after': '5'}, nowMs), undefined);
	assert.equal(parseRateLimitHeaders({}, nowMs), undefined);
});

test('retry-after accepts seconds, fractions and HTTP-dates', () => {
	assert.equal(parseRetryAfterMs('0', nowMs), 0);
	assert.equal(parseRetryAfterMs(' 30 ', nowMs), 30_000);
	assert.equal(parseRetryAfterMs('1.5', nowMs), 1500);
	assert.equal(parseRetryAfterMs(new Date(nowMs + 90_000).toUTCString(), nowMs), 90_000);
	// An HTTP-date in the past means "now".
	assert.equal(parseRetryAfterMs('Thu, 01 Jan 2026 00:00:00 GMT', nowMs), 0);
	assert.equal(parseRetryAfterMs('Friday, 31-Jul-26 15:00:10 GMT', nowMs), 10_000);
	assert.equal(parseRetryAfterMs('Fri Jul 31 15:00:20 2026', nowMs), 20_000);
});

test('retry-after garbage is undefined', () => {
	for (const value of [undefined, '', '  ', '-5', 'soon', 'abc 5', '5s', 'NaN', 'Infinity', '0x10']) {
		assert.equal(parseRetryAfterMs(value, nowMs), undefined, `value ${String(value)}`);
	}
});

test('rate-limit names are matched without regard to case; other headers and unused rate-limit fields are told apart', () => {
	const mixedCase = parseRateLimitHeaders({
		'Anthropic-RateLimit-Requests-Remaining': '7',
		'ANTHROPIC-RATELIMIT-UNIFIED-5H-UTILIZATION': '0.25',
		'Content-Type': 'application/json',
	}, nowMs);
	assert.equal(mixedCase?.requests?.remaining, 7);
	assert.equal(mixedCase?.fiveHour?.utilization, 0.25);

	assert.equal(parseRateLimitHeaders({'content-type': 'application/json', 'x-ratelimit-remaining': '3'}, nowMs), undefined, 'no rate-limit header at all');
	// A rate-limit header we do not read still says the response carried telemetry.
	assert.deepEqual(parseRateLimitHeaders({'anthropic-ratelimit-unified-fallback-percentage': '0.5'}, nowMs), {updatedMs: nowMs});
});

test('resets beyond the time horizon are dropped like garbage, so they never reach the store', () => {
	const horizonSeconds = maxHorizonMs / 1000;
	const nowSeconds = nowMs / 1000;
	const telemetry = parseRateLimitHeaders({
		'anthropic-ratelimit-unified-5h-reset': '99999999999999999999',
		'anthropic-ratelimit-unified-7d-reset': String(nowSeconds + horizonSeconds + 60),
		'anthropic-ratelimit-unified-7d_oi-reset': '1',
		'anthropic-ratelimit-unified-reset': '+275760-09-13T00:00:00Z',
		'anthropic-ratelimit-requests-reset': '9999-12-31T23:59:59Z',
		'anthropic-ratelimit-tokens-reset': '1970-01-01T00:00:00Z',
		'anthropic-ratelimit-unified-5h-utilization': '1e300',
		'anthropic-ratelimit-unified-7d-utilization': '100.5',
		'anthropic-ratelimit-unified-7d-surpassed-threshold': '1e20',
		'anthropic-ratelimit-requests-limit': '1e300',
		'anthropic-ratelimit-requests-remaining': '1000000000001',
	}, nowMs);
	assert.deepEqual(telemetry, {updatedMs: nowMs});

	const edge = parseRateLimitHeaders({
		'anthropic-ratelimit-unified-7d-reset': String(nowSeconds + horizonSeconds),
		'anthropic-ratelimit-unified-7d-utilization': '1.01',
		'anthropic-ratelimit-requests-limit': '1000000000000',
		'anthropic-ratelimit-requests-reset': new Date(nowMs - 60_000).toISOString(),
	}, nowMs);
	assert.deepEqual(edge?.sevenDay, {reset: nowSeconds + horizonSeconds, utilization: 1.01}, 'the horizon itself and 101% are fine');
	assert.deepEqual(edge?.requests, {limit: 1e12, resetMs: nowMs - 60_000}, 'a reset a minute ago is fine');
});

test('retry-after is clamped to the time horizon, never infinite or absurd', () => {
	assert.equal(parseRetryAfterMs('99999999999999999999', nowMs), maxHorizonMs);
	assert.equal(parseRetryAfterMs('1e300', nowMs), maxHorizonMs);
	assert.equal(parseRetryAfterMs('Fri, 31 Dec 9999 23:59:59 GMT', nowMs), maxHorizonMs);
	assert.equal(parseRetryAfterMs('3600', nowMs), 3_600_000, 'sane values are untouched');
});

test('a response naming dozens of made-up scoped windows keeps at most eight', () => {
	const headers: Record<string, string> = {};
	for (let index = 0; index < 50; index++) {
		headers[`anthropic-ratelimit-unified-7d_x${index}-utilization`] = '0.5';
		headers[`anthropic-ratelimit-unified-7d_x${index}-status`] = 'allowed';
	}

	const telemetry = parseRateLimitHeaders(headers, Date.now());
	assert.equal(Object.keys(telemetry?.scoped ?? {}).length, maxScopedWindows);
	assert.equal(maxScopedWindows, 8);
});
