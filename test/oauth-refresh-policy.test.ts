// covers: source/accounts/oauth/refresh-policy.ts
// The refresh rules on their own, as tables: when a login is due, how long a failed refresh
// waits, when a 401 may force a refresh (and that it never loops), which stored pair wins.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {
	adoptionSuffices, backoffAfter, dueAt, isDead, isDue, mayForceRefresh, newestPair, newSlot, type OAuthSlot, type PairCandidate, type RefreshTimings,
} from '../source/accounts/oauth/refresh-policy.js';
import type {OAuthCredential} from '../source/accounts/types.js';

const now = Date.UTC(2026, 6, 31, 12, 0, 0);
const second = 1000;
const minute = 60 * second;
const hour = 60 * minute;
const timings: RefreshTimings = {
	marginMs: 5 * minute, retryFirstMs: 30 * second, retryMaxMs: 10 * minute, minGapMs: 10 * second,
};

function credential(label: string, expiresAt: number): OAuthCredential {
	return {
		type: 'oauth', accessToken: `sk-ant-oat01-${label}`, refreshToken: `sk-ant-ort01-${label}`, expiresAt,
	};
}

function slot(fields: Partial<OAuthSlot> = {}): OAuthSlot {
	return {...newSlot('a', credential('held', now + hour), undefined), ...fields};
}

test('newSlot: an imported login keeps its source, a browser login has none to sync with', () => {
	const table: Array<[string | undefined, string | undefined]> = [
		[undefined, undefined],
		['login', undefined],
		['/home/me/.claude/.credentials.json', '/home/me/.claude/.credentials.json'],
		['keychain:Claude Code-credentials', 'keychain:Claude Code-credentials'],
	];
	for (const [source, expected] of table) {
		const fresh = newSlot('a', credential('x', now), source);
		assert.equal(fresh.source, expected, `source ${source}`);
		assert.deepEqual([fresh.failures, fresh.retryAtMs, fresh.lastRefreshMs, fresh.forcedInGap, fresh.deadRefreshToken], [0, 0, 0, false, undefined]);
	}
});

test('isDead: only while the refresh token that got invalid_grant is still the one held', () => {
	const table: Array<[string, Partial<OAuthSlot>, boolean]> = [
		['nothing failed', {}, false],
		['the held refresh token is dead', {deadRefreshToken: 'sk-ant-ort01-held'}, true],
		['a newer pair replaced the dead one', {deadRefreshToken: 'sk-ant-ort01-older'}, false],
	];
	for (const [name, fields, expected] of table) {
		assert.equal(isDead(slot(fields)), expected, name);
	}
});

test('dueAt and isDue: the margin before expiry, held off by backoff and by the gap after a refresh', () => {
	const table: Array<{name: string; fields: Partial<OAuthSlot>; at: number; due: boolean}> = [
		{
			name: 'valid for an hour', fields: {}, at: now + hour - (5 * minute), due: false,
		},
		{
			name: 'expires inside the margin', fields: {credential: credential('soon', now + (4 * minute))}, at: now - minute, due: true,
		},
		{
			name: 'expires exactly at the margin', fields: {credential: credential('edge', now + (5 * minute))}, at: now, due: true,
		},
		{
			name: 'expired', fields: {credential: credential('old', now - second)}, at: now - second - (5 * minute), due: true,
		},
		{
			name: 'expired, backing off', fields: {credential: credential('old', now - second), retryAtMs: now + (30 * second)}, at: now + (30 * second), due: false,
		},
		{
			name: 'expired, backoff over', fields: {credential: credential('old', now - second), retryAtMs: now}, at: now, due: true,
		},
		{
			name: 'refreshed a second ago, but lives shorter than the margin',
			fields: {credential: credential('short', now + (2 * minute)), lastRefreshMs: now - second},
			at: now + (9 * second),
			due: false,
		},
		{
			name: 'short-lived token, gap over',
			fields: {credential: credential('short', now + (2 * minute)), lastRefreshMs: now - (10 * second)},
			at: now,
			due: true,
		},
		{
			name: 'expired, refresh token dead', fields: {credential: credential('dead', now - second), deadRefreshToken: 'sk-ant-ort01-dead'}, at: now - second - (5 * minute), due: false,
		},
	];
	for (const {name, fields, at, due} of table) {
		assert.equal(dueAt(slot(fields), timings), at, name);
		assert.equal(isDue(slot(fields), now, timings), due, name);
	}
});

test('backoffAfter: doubling from the first delay up to the cap, at least a capped retry-after; "other" waits the longest', () => {
	const table: Array<[string, number, {kind: 'transient' | 'other'; retryAfterMs?: number}, number]> = [
		['first transient failure', 1, {kind: 'transient'}, 30 * second],
		['second', 2, {kind: 'transient'}, minute],
		['third', 3, {kind: 'transient'}, 2 * minute],
		['fifth', 5, {kind: 'transient'}, 8 * minute],
		['sixth reaches the cap', 6, {kind: 'transient'}, 10 * minute],
		['thousands in a row stay at the cap', 5000, {kind: 'transient'}, 10 * minute],
		['a retry-after longer than the backoff', 1, {kind: 'transient', retryAfterMs: 90 * second}, 90 * second],
		['a retry-after shorter than the backoff', 3, {kind: 'transient', retryAfterMs: 5 * second}, 2 * minute],
		['a retry-after of zero', 1, {kind: 'transient', retryAfterMs: 0}, 30 * second],
		['a huge retry-after is capped', 1, {kind: 'transient', retryAfterMs: 24 * hour}, 10 * minute],
		['other, first time', 1, {kind: 'other'}, 10 * minute],
		['other, with a short retry-after', 1, {kind: 'other', retryAfterMs: 5 * second}, 10 * minute],
	];
	for (const [name, failures, error, expected] of table) {
		assert.equal(backoffAfter(failures, error, timings), expected, name);
	}
});

test('mayForceRefresh: not while backing off; inside the gap after a refresh one forced refresh, then no more', () => {
	const table: Array<{name: string; fields: Partial<OAuthSlot>; allowed: boolean; forcedInGap: boolean}> = [
		{
			name: 'never refreshed', fields: {}, allowed: true, forcedInGap: false,
		},
		{
			name: 'long after a refresh, a stale flag is reset', fields: {lastRefreshMs: now - minute, forcedInGap: true}, allowed: true, forcedInGap: false,
		},
		{
			name: 'just outside the gap', fields: {lastRefreshMs: now - (10 * second)}, allowed: true, forcedInGap: false,
		},
		{
			name: 'inside the gap, the first time', fields: {lastRefreshMs: now - (10 * second) + 1}, allowed: true, forcedInGap: true,
		},
		{
			name: 'inside the gap, already used', fields: {lastRefreshMs: now - second, forcedInGap: true}, allowed: false, forcedInGap: true,
		},
		{
			name: 'backing off', fields: {retryAtMs: now + 1}, allowed: false, forcedInGap: false,
		},
		{
			name: 'backing off keeps a used flag', fields: {retryAtMs: now + second, lastRefreshMs: now - second, forcedInGap: true}, allowed: false, forcedInGap: true,
		},
		{
			name: 'backoff ends now', fields: {retryAtMs: now}, allowed: true, forcedInGap: false,
		},
	];
	for (const {name, fields, allowed, forcedInGap} of table) {
		assert.deepEqual(mayForceRefresh(slot(fields), now, timings.minGapMs), {allowed, forcedInGap}, name);
	}
});

test('mayForceRefresh never allows a loop: a refused token is refreshed, refused again inside the gap once more, then not until the gap has passed', () => {
	// The provider's bookkeeping: every allowed forced refresh succeeds and upstream refuses the new token at once.
	const state = slot({lastRefreshMs: now - minute});
	const decisions: boolean[] = [];
	for (let step = 0; step < 5; step++) {
		const at = now + (step * second);
		const {allowed, forcedInGap} = mayForceRefresh(state, at, timings.minGapMs);
		state.forcedInGap = forcedInGap;
		decisions.push(allowed);
		if (allowed) {
			state.lastRefreshMs = at;
		}
	}

	assert.deepEqual(decisions, [true, true, false, false, false]);
	// Once the gap has passed, a refused token is refreshed again.
	assert.deepEqual(mayForceRefresh(state, state.lastRefreshMs + timings.minGapMs, timings.minGapMs), {allowed: true, forcedInGap: false});
});

test('adoptionSuffices: a pair that outlives the margin, or after a 401 any different token', () => {
	const before = credential('before', now - second);
	const table: Array<[string, OAuthCredential, boolean, boolean]> = [
		['valid well past the margin', credential('later', now + hour), false, true],
		['valid well past the margin, forced', credential('later', now + hour), true, true],
		['expires inside the margin', credential('soon', now + minute), false, false],
		['expires exactly at the margin', credential('edge', now + (5 * minute)), false, false],
		['expires inside the margin, forced: a different token is worth a try', credential('soon', now + minute), true, true],
		['expires inside the margin, forced, but the same token', {...credential('soon', now + minute), accessToken: before.accessToken}, true, false],
	];
	for (const [name, adopted, force, expected] of table) {
		assert.equal(adoptionSuffices(before, adopted, now, timings.marginMs, force), expected, name);
	}
});

test('newestPair: only a pair newer than ours, never the dead one nor our own token back; the newest wins', () => {
	const held = slot({deadRefreshToken: 'sk-ant-ort01-dead'});
	const pair = (label: string, expiresAt: number) => {
		const {accessToken, refreshToken} = credential(label, expiresAt);
		return {accessToken, refreshToken, expiresAt};
	};

	const newer: PairCandidate = {pair: pair('newer', now + (2 * hour)), source: 'login'};
	const newest: PairCandidate = {pair: pair('newest', now + (3 * hour)), source: '/claude/.credentials.json'};
	const table: Array<[string, PairCandidate[], PairCandidate | undefined]> = [
		['nothing stored', [], undefined],
		['an older pair', [{pair: pair('older', now + minute)}], undefined],
		['our own pair', [{pair: pair('held', now + hour)}], undefined],
		['the same expiry', [{pair: pair('other', now + hour)}], undefined],
		['newer, but the dead refresh token', [{pair: pair('dead', now + (2 * hour))}], undefined],
		['newer, but our access token', [{pair: {...pair('x', now + (2 * hour)), accessToken: held.credential.accessToken}}], undefined],
		['one newer', [newer], newer],
		['the newest of several, in any order', [newer, {pair: pair('older', now)}, newest], newest],
		['the newest of several, reversed', [newest, newer], newest],
	];
	for (const [name, candidates, expected] of table) {
		assert.equal(newestPair(held, candidates), expected, name);
	}
});
