// covers: source/routing/route.ts, source/routing/strategies.ts, source/routing/types.ts, source/routing/windows.ts, source/routing/explain.ts, source/routing/rebalance.ts
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {
	ineligibleReason, isEligible, pickAccount, soonestFreeAt,
} from '../source/routing/route.js';
import {
	nextStrategy, score, strategyDescriptions, strategyNames, type StrategyName,
} from '../source/routing/strategies.js';
import {explainDecision} from '../source/routing/explain.js';
import type {
	RouteRequest, RoutingAccount, RoutingSnapshot, StickyView,
} from '../source/routing/types.js';

const nowMs = Date.UTC(2026, 6, 31, 12, 0, 0);
const nowS = nowMs / 1000;
const minute = 60;
const hour = 60 * minute;
const day = 24 * hour;

function account(name: string, index: number, fields: Partial<RoutingAccount> = {}): RoutingAccount {
	return {
		name,
		kind: 'oauth',
		index,
		paused: false,
		authFailed: false,
		unhealthy: false,
		cooldownUntilMs: 0,
		lastCooldownEndMs: 0,
		burstCount: 0,
		excludedModels: [],
		lastUsedMs: 0,
		...fields,
	};
}

function snapshot(accounts: RoutingAccount[], fields: Partial<RoutingSnapshot> = {}): RoutingSnapshot {
	return {
		nowMs,
		accounts,
		pinned: null,
		strategy: 'maximus',
		burstRpmLimit: 0,
		expirySoonSeconds: 1800,
		...fields,
	};
}

function request(fields: Partial<RouteRequest> = {}): RouteRequest {
	return {tried: new Set(), carouselCounter: 0, ...fields};
}

/** A live sticky binding to `name`, with nothing yet known about the conversation. */
function stuck(name: string, fields: Partial<StickyView> = {}): StickyView {
	return {
		account: name, cachedTokens: 0, requests: 0, inputTokens: 0, firstMs: nowMs, lastMs: nowMs, ...fields,
	};
}

function pick(accounts: RoutingAccount[], strategy: StrategyName, fields: Partial<RouteRequest> = {}): string | undefined {
	return pickAccount(snapshot(accounts, {strategy}), request(fields))?.account;
}

// --- strategy list ---

test('every strategy is in the list once: the list and the descriptions (typed to cover every name) agree', () => {
	assert.equal(new Set(strategyNames).size, strategyNames.length, 'no strategy is listed twice');
	assert.deepEqual(Object.keys(strategyDescriptions).toSorted(), [...strategyNames].toSorted());
});

test('from any strategy, s walks the list in order through every strategy and returns to its start', () => {
	for (const [at, start] of strategyNames.entries()) {
		const visited: StrategyName[] = [start];
		let current = nextStrategy(start);
		while (current !== start) {
			assert.ok(visited.length < strategyNames.length, `the cycle from ${start} never comes back: ${visited.join(' → ')}`);
			visited.push(current);
			current = nextStrategy(current);
		}

		assert.deepEqual(visited, [...strategyNames.slice(at), ...strategyNames.slice(0, at)]);
	}
});

test('every strategy routes a request under its own name and has a one-sentence description', () => {
	for (const name of strategyNames) {
		const decision = pickAccount(snapshot([account('A', 0), account('B', 1)], {strategy: name}), request());
		assert.equal(decision?.reason, name);
		assert.match(strategyDescriptions[name], /^[A-Z].{20,}\.$/);
	}
});

// --- maximus ---

const workedA = account('A', 0, {
	util5h: 0.6, reset5h: nowS + (3 * hour), util7d: 0.3, reset7d: nowS + (4 * day),
});
const workedB = account('B', 1, {
	util5h: 0.9, reset5h: nowS + (10 * minute), util7d: 0.2, reset7d: nowS + (3 * day),
});

test('the worked example: A ≈ 0.53, B ≈ 0.89, B wins', () => {
	const snap = snapshot([workedA, workedB]);
	assert.ok(Math.abs(score(workedA, snap) - 0.53) < 0.005, `A scored ${score(workedA, snap)}`);
	assert.ok(Math.abs(score(workedB, snap) - 0.887) < 0.005, `B scored ${score(workedB, snap)}`);
	const decision = pickAccount(snap, request());
	assert.equal(decision?.account, 'B');
	assert.equal(decision?.reason, 'maximus');
	assert.equal(decision?.score, score(workedB, snap));
});

test('maximus ignores utilization whose window has already reset', () => {
	const stale = account('stale', 0, {
		util5h: 0.99, reset5h: nowS - 1, util7d: 0.99, reset7d: nowS - 10,
	});
	const busy = account('busy', 1, {util5h: 0.5, reset5h: nowS + (4 * hour)});
	assert.equal(score(stale, snapshot([stale])), 1);
	assert.equal(pick([busy, stale], 'maximus'), 'stale');
});

test('maximus scores stay in [0, 1] and never NaN', () => {
	const over = account('over', 0, {
		util5h: 1.5, reset5h: nowS + (5 * hour), util7d: 1.5, reset7d: nowS + (7 * day),
	});
	const junk = account('junk', 1, {
		util5h: Number.NaN, reset5h: nowS + hour, util7d: 0.5, reset7d: Number.NaN, lastCooldownEndMs: nowMs + 5000,
	});
	assert.equal(score(over, snapshot([over])), 0);
	const junkScore = score(junk, snapshot([junk]));
	assert.ok(Number.isFinite(junkScore) && junkScore >= 0 && junkScore <= 1, String(junkScore));
});

test('maximus ties go to the least recently used account, then the lower index', () => {
	const first = account('first', 0, {lastUsedMs: nowMs - 1000});
	const second = account('second', 1, {lastUsedMs: nowMs - 5000});
	const third = account('third', 2, {lastUsedMs: nowMs - 5000});
	assert.equal(pick([first, second, third], 'maximus'), 'second');
	// Config order is index, not array position.
	assert.equal(pick([third, first, second], 'maximus'), 'second');
	assert.equal(pick([account('x', 1), account('y', 0)], 'maximus'), 'y');
});

test('maximus ramps an account back in over five minutes after its most recent cooldown', () => {
	const at = (sinceMs: number): number => score(account('a', 0, {lastCooldownEndMs: nowMs - sinceMs}), snapshot([]));
	assert.equal(at(0), 0);
	assert.equal(at(60_000), 0.2);
	assert.equal(at(150_000), 0.5);
	assert.equal(at(300_000), 1);
	assert.equal(at(3_600_000), 1);
	assert.equal(score(account('never', 0), snapshot([])), 1);
	const recovering = account('recovering', 0, {lastCooldownEndMs: nowMs - 60_000});
	const steady = account('steady', 1, {util5h: 0.5, reset5h: nowS + (4 * hour)});
	assert.equal(pick([recovering, steady], 'maximus'), 'steady');
});

test('maximus paces subscription accounts from 70 % of the burst limit', () => {
	const at = (burstCount: number): number => score(account('a', 0, {burstCount}), snapshot([], {burstRpmLimit: 10}));
	assert.equal(at(6), 1);
	assert.equal(at(7), 1);
	assert.ok(Math.abs(at(8) - (2 / 3)) < 1e-9);
	assert.ok(Math.abs(at(9) - (1 / 3)) < 1e-9);
	assert.equal(at(10), 0);
	// Off when the limit is 0, and never for API keys.
	assert.equal(score(account('a', 0, {burstCount: 9}), snapshot([])), 1);
	assert.equal(score(account('k', 0, {kind: 'apikey', burstCount: 9}), snapshot([], {burstRpmLimit: 10})), 1);
});

test('API keys are ranked on the unified windows the upstream reports for them, and on their buckets', () => {
	const bucketsOnly = account('key', 0, {kind: 'apikey', keyHeadroom: 0.25});
	const nothingKnown = account('key2', 1, {kind: 'apikey'});
	const windowed = account('key3', 2, {kind: 'apikey', util5h: 0.9, reset5h: nowS + (5 * hour)});
	const both = account('key4', 3, {
		kind: 'apikey', keyHeadroom: 0.5, util5h: 0.5, reset5h: nowS + (5 * hour),
	});
	assert.equal(score(bucketsOnly, snapshot([])), 0.25);
	assert.equal(score(nothingKnown, snapshot([])), 1);
	assert.ok(Math.abs(score(windowed, snapshot([])) - 0.1) < 1e-9, 'a key at 90 % of its 5h window scores like a subscription there');
	assert.ok(Math.abs(score(both, snapshot([])) - 0.25) < 1e-9, 'window health × bucket headroom');
	const sub = account('sub', 4, {util5h: 0.5, reset5h: nowS + (5 * hour)});
	assert.equal(pick([windowed, sub], 'maximus'), 'sub', 'the key at 90 % loses to a subscription at 50 %');
	assert.equal(pick([windowed, sub], 'cushion'), 'sub');
	assert.equal(pick([bucketsOnly, sub], 'maximus'), 'sub');
	// Reaper races the key's reported 5h reset like any other.
	const keySoon = account('key-soon', 0, {kind: 'apikey', util5h: 0.4, reset5h: nowS + (10 * minute)});
	const subLater = account('sub-later', 1, {util5h: 0.4, reset5h: nowS + (3 * hour)});
	assert.equal(pick([subLater, keySoon], 'reaper'), 'key-soon');
});

// --- reaper ---

test('reaper drains the expiring window first, earliest reset first', () => {
	const later = account('later', 0, {util5h: 0.1, reset5h: nowS + (25 * minute)});
	const sooner = account('sooner', 1, {util5h: 0.8, reset5h: nowS + (5 * minute)});
	const idle = account('idle', 2, {util5h: 0.05, reset5h: nowS + (4 * hour)});
	assert.equal(pick([idle, later, sooner], 'reaper'), 'sooner');
	assert.equal(pick([idle, later], 'reaper'), 'later');
});

test('reaper uses the binding window: the fuller of 5h and 7d', () => {
	// weekly is bound by its 7d window, which resets in 20 min: expiring.
	const weekly = account('weekly', 0, {
		util5h: 0.1, reset5h: nowS + (4 * hour), util7d: 0.7, reset7d: nowS + (20 * minute),
	});
	// hourly is bound by its 5h window (util ties go to 5h), resetting in 2 h: not expiring.
	const hourly = account('hourly', 1, {
		util5h: 0.3, reset5h: nowS + (2 * hour), util7d: 0.3, reset7d: nowS + (10 * minute),
	});
	assert.equal(pick([hourly, weekly], 'reaper'), 'weekly');
});

test('reaper: known resets before unknown, then earlier reset, then lower utilization, then index', () => {
	const fresh = account('fresh', 0);
	const known = account('known', 1, {util5h: 0.6, reset5h: nowS + (3 * hour)});
	assert.equal(pick([fresh, known], 'reaper'), 'known');
	const early = account('early', 2, {util5h: 0.6, reset5h: nowS + (2 * hour)});
	assert.equal(pick([fresh, known, early], 'reaper'), 'early');
	const lighter = account('lighter', 3, {util5h: 0.2, reset5h: nowS + (2 * hour)});
	assert.equal(pick([early, lighter], 'reaper'), 'lighter');
	// Identical figures: lower index, even when it was used more recently.
	const twinA = account('twinA', 4, {util5h: 0.2, reset5h: nowS + hour, lastUsedMs: nowMs});
	const twinB = account('twinB', 5, {util5h: 0.2, reset5h: nowS + hour, lastUsedMs: 0});
	assert.equal(pick([twinB, twinA], 'reaper'), 'twinA');
	// A past reset counts as unknown.
	const expired = account('expired', 0, {util5h: 0.9, reset5h: nowS - 5});
	assert.equal(pick([expired, known], 'reaper'), 'known');
});

// --- cushion ---

test('cushion picks the lowest peak utilization, then the lowest other window', () => {
	const a = account('a', 0, {
		util5h: 0.5, reset5h: nowS + hour, util7d: 0.2, reset7d: nowS + day,
	});
	const b = account('b', 1, {
		util5h: 0.3, reset5h: nowS + hour, util7d: 0.35, reset7d: nowS + day,
	});
	const c = account('c', 2, {
		util5h: 0.4, reset5h: nowS + hour, util7d: 0.1, reset7d: nowS + day,
	});
	assert.equal(pick([a, b, c], 'cushion'), 'b');
	const d = account('d', 3, {
		util5h: 0.4, reset5h: nowS + hour, util7d: 0.3, reset7d: nowS + day,
	});
	assert.equal(pick([a, c, d], 'cushion'), 'c');
});

test('cushion ties go to the least recently used account, then the lower index', () => {
	const a = account('a', 0, {util5h: 0.2, reset5h: nowS + hour, lastUsedMs: nowMs - 10});
	const b = account('b', 1, {util5h: 0.2, reset5h: nowS + hour, lastUsedMs: nowMs - 20});
	const c = account('c', 2, {util5h: 0.2, reset5h: nowS + hour, lastUsedMs: nowMs - 20});
	assert.equal(pick([a, b, c], 'cushion'), 'b');
	assert.equal(pick([c, a], 'cushion'), 'c');
});

test('cushion treats an API key as used by one minus its headroom', () => {
	const key = account('key', 0, {kind: 'apikey', keyHeadroom: 0.4});
	const sub = account('sub', 1, {util5h: 0.5, reset5h: nowS + hour});
	assert.equal(pick([key, sub], 'cushion'), 'sub');
});

// --- carousel ---

test('carousel rotates over the eligible accounts in config order', () => {
	const accounts = [account('c', 2), account('a', 0), account('b', 1)];
	const picks = [0, 1, 2, 3, 4].map(counter => pick(accounts, 'carousel', {carouselCounter: counter}));
	assert.deepEqual(picks, ['a', 'b', 'c', 'a', 'b']);
	// An excluded account shrinks the rotation.
	const cooling = [account('a', 0), account('b', 1, {cooldownUntilMs: nowMs + 1000}), account('c', 2)];
	assert.deepEqual([0, 1, 2].map(counter => pick(cooling, 'carousel', {carouselCounter: counter})), ['a', 'c', 'a']);
	assert.equal(pickAccount(snapshot(accounts, {strategy: 'carousel'}), request())?.reason, 'carousel');
});

// --- eligibility ---

test('every ineligibility reason is reported', () => {
	const snap = snapshot([], {burstRpmLimit: 10});
	const cases: Array<[RoutingAccount, string, Partial<RouteRequest>?]> = [
		[account('t', 0), 'tried', {tried: new Set(['t'])}],
		[account('p', 0, {paused: true}), 'paused'],
		[account('r', 0, {authFailed: true}), 'reauth'],
		[account('c', 0, {cooldownUntilMs: nowMs + 1}), 'cooling'],
		[account('e5', 0, {status5h: 'rejected', reset5h: nowS + 60}), 'exhausted'],
		[account('e7', 0, {status7d: 'rejected', reset7d: nowS + day}), 'exhausted'],
		[account('u', 0, {unhealthy: true}), 'unhealthy'],
		[account('m', 0, {excludedModels: ['fable']}), 'model-excluded', {model: 'claude-FABLE-5'}],
		[account('b', 0, {burstCount: 10}), 'burst'],
		[account('k', 0, {kind: 'apikey', keyBlockedUntilMs: nowMs + 30_000}), 'key-limit'],
	];
	for (const [candidate, reason, fields] of cases) {
		assert.equal(ineligibleReason(candidate, snap, request(fields)), reason, candidate.name);
		assert.equal(isEligible(candidate, snap, request(fields)), false, candidate.name);
	}
});

test('accounts recover once the reason lapses', () => {
	const snap = snapshot([], {burstRpmLimit: 10});
	const recovered = [
		account('cooled', 0, {cooldownUntilMs: nowMs}),
		account('rejected-past', 0, {
			status5h: 'rejected', reset5h: nowS - 1, status7d: 'rejected', reset7d: nowS,
		}),
		account('rejected-no-reset', 0, {status5h: 'rejected'}),
		// Only "rejected" is a verdict; the reference's literal "exhausted" is not a real status.
		account('warning', 0, {
			status5h: 'allowed_warning', reset5h: nowS + 60, status7d: 'exhausted', reset7d: nowS + 60,
		}),
		account('other-model', 0, {excludedModels: ['fable']}),
		account('under-burst', 0, {burstCount: 9}),
		account('key-refilled', 0, {kind: 'apikey', keyBlockedUntilMs: nowMs}),
	];
	for (const candidate of recovered) {
		const fields = candidate.name === 'other-model' ? {model: 'claude-opus-4-8'} : {};
		assert.equal(ineligibleReason(candidate, snap, request(fields)), undefined, candidate.name);
	}
});

test('the burst limit applies to subscription accounts only', () => {
	const snap = snapshot([], {burstRpmLimit: 5});
	assert.equal(isEligible(account('key', 0, {kind: 'apikey', burstCount: 50}), snap, request()), true);
	assert.equal(isEligible(account('sub', 0, {burstCount: 5}), snap, request()), false);
	assert.equal(isEligible(account('sub', 0, {burstCount: 50}), snapshot([]), request()), true);
});

test('no eligible account gives undefined', () => {
	assert.equal(pickAccount(snapshot([]), request()), undefined);
	assert.equal(pickAccount(snapshot([account('a', 0, {paused: true}), account('b', 1, {unhealthy: true})]), request()), undefined);
});

// --- pin and sticky ---

test('a pinned account ignores exhaustion, health, burst and model exclusions', () => {
	const pinned = account('pinned', 1, {
		status5h: 'rejected', reset5h: nowS + hour, unhealthy: true, burstCount: 99, excludedModels: ['opus'],
	});
	const other = account('other', 0);
	const decision = pickAccount(snapshot([other, pinned], {pinned: 'pinned', burstRpmLimit: 10}), request({model: 'claude-opus-4-8'}));
	assert.deepEqual(decision, {account: 'pinned', reason: 'pinned'});
});

test('a cooling, tried, paused, reauth or unknown pin falls through to normal routing', () => {
	const other = account('other', 0);
	const blocked: Array<[Partial<RoutingAccount>, Partial<RouteRequest>]> = [
		[{cooldownUntilMs: nowMs + 60_000}, {}],
		[{}, {tried: new Set(['pinned'])}],
		[{paused: true}, {}],
		[{authFailed: true}, {}],
	];
	for (const [fields, requestFields] of blocked) {
		const pinned = account('pinned', 1, fields);
		const decision = pickAccount(snapshot([other, pinned], {pinned: 'pinned'}), request(requestFields));
		assert.deepEqual(decision, {account: 'other', reason: 'maximus', score: 1}, JSON.stringify(fields));
	}

	assert.equal(pickAccount(snapshot([other], {pinned: 'gone'}), request())?.account, 'other');
});

test('the sticky account is honoured only while eligible', () => {
	const sticky = account('sticky', 0, {util5h: 0.8, reset5h: nowS + (4 * hour)});
	const better = account('better', 1);
	assert.deepEqual(pickAccount(snapshot([sticky, better]), request({sticky: stuck('sticky')})), {account: 'sticky', reason: 'sticky'});
	for (const fields of [{status5h: 'rejected'}, {cooldownUntilMs: nowMs + 1}, {unhealthy: true}, {burstCount: 3}] as Array<Partial<RoutingAccount>>) {
		const blocked = {...sticky, ...fields};
		const decision = pickAccount(snapshot([blocked, better], {burstRpmLimit: 3}), request({sticky: stuck('sticky')}));
		assert.equal(decision?.account, 'better', JSON.stringify(fields));
	}

	assert.equal(pickAccount(snapshot([sticky, better]), request({sticky: stuck('sticky'), tried: new Set(['sticky'])}))?.account, 'better');
	assert.equal(pickAccount(snapshot([sticky, better]), request({sticky: stuck('missing')}))?.account, 'better');
});

test('the pin wins over the sticky account', () => {
	const decision = pickAccount(snapshot([account('a', 0), account('b', 1)], {pinned: 'b'}), request({sticky: stuck('a')}));
	assert.equal(decision?.account, 'b');
});

// --- holding ---

test('soonestFreeAt: the earliest moment an account that can come back will take the request', () => {
	const accounts = [
		account('later', 0, {cooldownUntilMs: nowMs + 90_000}),
		account('paused', 1, {paused: true, cooldownUntilMs: nowMs + 1000}),
		account('reauth', 2, {authFailed: true, cooldownUntilMs: nowMs + 2000}),
		account('past', 3, {cooldownUntilMs: nowMs - 1000, unhealthy: true}),
		account('soon', 4, {cooldownUntilMs: nowMs + 30_000}),
	];
	assert.deepEqual(soonestFreeAt(snapshot(accounts), 'claude-sonnet-4-6'), {
		atMs: nowMs + 30_000, account: 'soon', kind: 'rate', cause: 'cooling',
	});
	assert.equal(soonestFreeAt(snapshot(accounts.slice(1, 4)), 'claude-sonnet-4-6'), undefined);
	assert.equal(soonestFreeAt(snapshot([]), undefined), undefined);
});

test('soonestFreeAt: a spent window counts until its reset, even past a shorter cooldown; model exclusions and burst limits count too', () => {
	const spent = account('spent', 0, {
		cooldownUntilMs: nowMs + 60_000, status5h: 'rejected', reset5h: nowS + (2 * hour), util5h: 1.01,
	});
	const excluded = account('no-opus', 1, {cooldownUntilMs: nowMs + 10_000, excludedModels: ['opus']});
	const busy = account('busy', 2, {burstCount: 10});
	const key = account('key', 3, {kind: 'apikey', keyBlockedUntilMs: nowMs + 20_000});
	assert.deepEqual(soonestFreeAt(snapshot([spent]), undefined), {
		atMs: (nowS + (2 * hour)) * 1000, account: 'spent', kind: 'quota', cause: 'spent',
	});
	assert.equal(soonestFreeAt(snapshot([excluded]), 'claude-opus-4-8'), undefined);
	assert.deepEqual(soonestFreeAt(snapshot([excluded]), 'claude-sonnet-4-6'), {
		atMs: nowMs + 10_000, account: 'no-opus', kind: 'rate', cause: 'cooling',
	});
	assert.deepEqual(soonestFreeAt(snapshot([busy], {burstRpmLimit: 10}), undefined), {
		atMs: nowMs + 5000, account: 'busy', kind: 'rate', cause: 'burst',
	});
	assert.deepEqual(soonestFreeAt(snapshot([key]), undefined), {
		atMs: nowMs + 20_000, account: 'key', kind: 'rate', cause: 'key-limit',
	});
});

test('soonestFreeAt: says what each account waits out, and a held request may skip auth waits', () => {
	const overloaded = account('overloaded', 0, {cooldownUntilMs: nowMs + 15_000, cooldownReason: 'overloaded'});
	const refused = account('refused', 1, {cooldownUntilMs: nowMs + 5000, cooldownReason: '401'});
	const spent = account('spent', 2, {cooldownUntilMs: nowMs + 60_000, cooldownReason: 'quota'});
	assert.deepEqual(soonestFreeAt(snapshot([overloaded, refused, spent]), undefined), {
		atMs: nowMs + 5000, account: 'refused', kind: 'auth', cause: 'cooling',
	});
	assert.deepEqual(soonestFreeAt(snapshot([overloaded, refused, spent]), undefined, kind => kind !== 'auth'), {
		atMs: nowMs + 15_000, account: 'overloaded', kind: 'overloaded', cause: 'cooling',
	});
	assert.deepEqual(soonestFreeAt(snapshot([spent]), undefined), {
		atMs: nowMs + 60_000, account: 'spent', kind: 'quota', cause: 'cooling',
	});
	assert.equal(soonestFreeAt(snapshot([refused]), undefined, kind => kind !== 'auth'), undefined);
});

// --- model-scoped windows ---

const weeklyOpus = (fields: {util?: number; status?: string; reset?: number}) => [{
	name: '7d_opus', family: 'opus' as const, lengthSeconds: 7 * day, reset: nowS + (3 * day), ...fields,
}];

test('a spent weekly Opus window keeps Opus requests away from that account, and only them', () => {
	const spentOpus = account('max', 0, {util5h: 0.1, reset5h: nowS + hour, scoped: weeklyOpus({util: 1, status: 'rejected'})});
	const other = account('pro', 1, {util5h: 0.6, reset5h: nowS + (4 * hour)});
	const opus = {model: 'claude-opus-4-8'};
	const sonnet = {model: 'claude-sonnet-4-6'};
	assert.equal(ineligibleReason(spentOpus, snapshot([spentOpus, other]), request(opus)), 'model-window');
	assert.equal(ineligibleReason(spentOpus, snapshot([spentOpus, other]), request(sonnet)), undefined);
	for (const strategy of strategyNames) {
		assert.equal(pick([spentOpus, other], strategy, opus), 'pro', `${strategy}: Opus goes elsewhere`);
	}

	assert.equal(pick([spentOpus, other], 'maximus', sonnet), 'max', 'Sonnet still uses the emptier account');
	// Alone, the account is out for Opus until the window resets, and a held Opus request waits for it.
	const alone = snapshot([spentOpus]);
	assert.equal(pickAccount(alone, request(opus)), undefined);
	assert.deepEqual(soonestFreeAt(alone, opus.model), {
		atMs: (nowS + (3 * day)) * 1000, kind: 'quota', cause: 'spent', account: 'max',
	});
	assert.equal(soonestFreeAt(alone, sonnet.model), undefined, 'nothing blocks Sonnet');
	const explained = explainDecision(alone, request(opus), undefined, false);
	assert.deepEqual(explained.candidates[0], {
		account: 'max', eligible: false, why: 'weekly opus window spent', score: null, untilMs: (nowS + (3 * day)) * 1000,
	});
});

test('a nearly used weekly Opus window lowers the account for Opus before it is spent', () => {
	const hot = account('max', 0, {
		util5h: 0.1, reset5h: nowS + hour, util7d: 0.2, reset7d: nowS + (5 * day), scoped: weeklyOpus({util: 0.95, status: 'allowed_warning', reset: nowS + (5 * day)}),
	});
	const cool = account('pro', 1, {
		util5h: 0.4, reset5h: nowS + (4 * hour), util7d: 0.4, reset7d: nowS + (5 * day),
	});
	assert.ok(score(hot, snapshot([]), 'claude-opus-4-8') < score(cool, snapshot([]), 'claude-opus-4-8'));
	assert.ok(score(hot, snapshot([]), 'claude-sonnet-4-6') > score(cool, snapshot([]), 'claude-sonnet-4-6'), 'the Opus window does not count for Sonnet');
	for (const strategy of ['maximus', 'cushion', 'reaper'] as const) {
		assert.equal(pick([hot, cool], strategy, {model: 'claude-opus-4-8'}), 'pro', strategy);
	}

	assert.equal(pick([hot, cool], 'maximus', {model: 'claude-sonnet-4-6'}), 'max');
	assert.equal(pick([hot, cool], 'cushion', {model: 'claude-sonnet-4-6'}), 'max');
});

// --- parallel work ---

test('a fan-out of parallel new conversations spreads over accounts that are about as good', () => {
	const accounts = ['a', 'b', 'c', 'd'].map((name, index) => account(name, index, {util5h: 0.2 + (index * 0.02), reset5h: nowS + (3 * hour), lastUsedMs: 0}));
	const counts = new Map<string, number>();
	for (let index = 0; index < 8; index++) {
		const chosen = pickAccount(snapshot(accounts), request({model: 'claude-sonnet-4-6'}))!.account;
		counts.set(chosen, (counts.get(chosen) ?? 0) + 1);
		const picked = accounts.find(candidate => candidate.name === chosen)!;
		picked.inFlight = (picked.inFlight ?? 0) + 1;
	}

	assert.deepEqual([...counts.values()].toSorted((a, b) => a - b), [2, 2, 2, 2], `eight parallel requests, two per account: ${JSON.stringify([...counts])}`);
	// A much healthier account still takes more of the work than the rest.
	const fresh = [account('empty', 0, {util5h: 0, reset5h: nowS + (3 * hour)}), account('busy', 1, {util5h: 0.7, reset5h: nowS + (4 * hour)})];
	const onEmpty = [];
	for (let index = 0; index < 12; index++) {
		const chosen = pickAccount(snapshot(fresh), request())!.account;
		onEmpty.push(chosen);
		const picked = fresh.find(candidate => candidate.name === chosen)!;
		picked.inFlight = (picked.inFlight ?? 0) + 1;
	}

	assert.ok(onEmpty.filter(name => name === 'empty').length >= 8, onEmpty.join(' '));
	assert.ok(onEmpty.includes('busy'), 'but not all of it');
});

// --- sticky sessions that move ---

const busySession = (name: string) => stuck(name, {
	cachedTokens: 40_000, requests: 10, inputTokens: 450_000, firstMs: nowMs - (10 * 60_000), lastMs: nowMs,
});

test('a conversation stays on its account until that account runs hot and another is clearly better', () => {
	const hot = account('work', 0, {util5h: 0.92, reset5h: nowS + (3 * hour)});
	const idle = account('team', 1, {util5h: 0.18, reset5h: nowS + (4 * hour)});
	const moved = pickAccount(snapshot([hot, idle]), request({sticky: busySession('work')}));
	assert.deepEqual(moved, {
		account: 'team', reason: 'maximus', score: moved?.score, moved: {
			from: 'work', window: '5h', utilization: 0.92, cacheWriteTokens: 40_000,
		},
	});
	// Not hot yet: it stays, whatever the other account looks like.
	const warm = {...hot, util5h: 0.8};
	assert.deepEqual(pickAccount(snapshot([warm, idle]), request({sticky: busySession('work')})), {account: 'work', reason: 'sticky'});
	// Hot, but the window resets in ten minutes: riding it out costs nothing.
	const resetting = {...hot, reset5h: nowS + (10 * minute)};
	assert.equal(pickAccount(snapshot([resetting, idle]), request({sticky: busySession('work')}))?.reason, 'sticky');
	// Hot, but nothing is clearly better (the other is at 70 %).
	const alsoBusy = {...idle, util5h: 0.7};
	assert.equal(pickAccount(snapshot([hot, alsoBusy]), request({sticky: busySession('work')}))?.reason, 'sticky');
});

test('a session winding down stays: one cache rebuild would cost more than it is expected to send', () => {
	const hot = account('work', 0, {util5h: 0.95, reset5h: nowS + (20 * minute)});
	const idle = account('team', 1, {util5h: 0.1, reset5h: nowS + (4 * hour)});
	// Three requests in the last hour, 40k cached: about one more before the reset, well under 4 × 46k.
	const slow = stuck('work', {
		cachedTokens: 40_000, requests: 3, inputTokens: 120_000, firstMs: nowMs - (hour * 1000), lastMs: nowMs,
	});
	assert.equal(pickAccount(snapshot([hot, idle]), request({sticky: slow}))?.reason, 'sticky');
	assert.equal(pickAccount(snapshot([hot, idle]), request({sticky: busySession('work')}))?.account, 'team', 'a busy one moves');
});

test('a spent model-scoped window moves an Opus conversation, not a Sonnet one', () => {
	const opusHot = account('max', 0, {util5h: 0.2, reset5h: nowS + (3 * hour), scoped: weeklyOpus({util: 0.97, status: 'allowed_warning'})});
	const other = account('pro', 1, {util5h: 0.3, reset5h: nowS + (3 * hour)});
	const opus = pickAccount(snapshot([opusHot, other]), request({model: 'claude-opus-4-8', sticky: busySession('max')}));
	assert.deepEqual(opus?.moved, {
		from: 'max', window: '7d_opus', utilization: 0.97, cacheWriteTokens: 40_000,
	});
	assert.equal(pickAccount(snapshot([opusHot, other]), request({model: 'claude-sonnet-4-6', sticky: busySession('max')}))?.reason, 'sticky');
});

test('a request limited to some account kinds never goes to another kind, pinned or sticky, and says why', () => {
	const sub = account('sub', 0, {kind: 'oauth', util5h: 0, reset5h: nowS + hour});
	const key = account('key', 1, {kind: 'apikey', keyHeadroom: 0.2});
	const apiKeysOnly = new Set(['apikey'] as const);
	const pinned = snapshot([sub, key], {pinned: 'sub'});
	assert.equal(pickAccount(pinned, request({allowKinds: apiKeysOnly}))?.account, 'key', 'the pin yields to the rule');
	assert.equal(pickAccount(pinned, request())?.account, 'sub', 'without the limit the pin holds');
	assert.equal(pickAccount(snapshot([sub, key]), request({allowKinds: apiKeysOnly, sticky: stuck('sub')}))?.account, 'key');
	assert.equal(ineligibleReason(sub, pinned, request({allowKinds: apiKeysOnly})), 'kind');
	assert.equal(ineligibleReason(key, pinned, request({allowKinds: apiKeysOnly})), undefined);
	assert.equal(pickAccount(snapshot([sub]), request({allowKinds: apiKeysOnly})), undefined);
	assert.equal(isEligible(sub, snapshot([sub]), request({allowKinds: new Set(['oauth', 'apikey'] as const)})), true);
});
