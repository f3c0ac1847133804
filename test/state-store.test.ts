// covers: source/state/store.ts, source/state/stagger.ts, source/state/savings.ts
import process from 'node:process';
import assert from 'node:assert/strict';
import {
	chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync,
} from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';
import {StateStore, type StoreSettings} from '../source/state/store.js';
import {StateFileError} from '../source/state/persisted-state.js';
import {staggerDeadline} from '../source/state/stagger.js';
import {maxHorizonMs} from '../source/util/time-horizon.js';
import type {AccountConfig} from '../source/accounts/types.js';
import type {RequestRecord} from '../source/state/records.js';
import {tempDir} from './helpers/temp-dir.js';
import {waitFor} from './helpers/wait.js';

const accounts: AccountConfig[] = [
	{name: 'home', kind: 'oauth'},
	{name: 'work', kind: 'oauth'},
	{name: 'key', kind: 'apikey'},
];
const settings: StoreSettings = {
	strategy: 'maximus', burstRpmLimit: 10, stickyTtlMs: 600_000, expirySoonSeconds: 1800, fallbackModel: null,
};

function record(overrides: Partial<RequestRecord> = {}): RequestRecord {
	return {
		id: 'r', tsMs: Date.now(), account: 'home', model: 'claude-sonnet-4-6', status: 200,
		inputTokens: 100, outputTokens: 50, cacheReadTokens: 0, cacheWriteTokens: 0, durationMs: 12, startedMs: Date.now() - 12, ttftMs: null,
		attempts: [], outcome: 'complete', stream: false, path: '/v1/messages', frontDoor: 'anthropic', costUsd: 0.5,
		...overrides,
	};
}

test('state survives a restart: cooldowns, telemetry, pin, savings (sticky sessions do not)', () => {
	const file = path.join(tempDir(), 'state.json');
	const until = Date.now() + 3_600_000;
	const first = new StateStore({
		accounts, settings, version: 't', stateFile: file,
	});
	first.setCooldown('home', until, {reason: 'quota'});
	first.recordTelemetry('work', {fiveHour: {utilization: 1.01, reset: Math.floor(until / 1000), status: 'rejected'}, updatedMs: Date.now()});
	first.pin('key');
	first.setSticky('h:session', 'work');
	first.recordRequest(record());
	first.setPaused('key', true);
	first.close();

	assert.equal(statSync(file).mode & 0o777, 0o600);
	const second = new StateStore({
		accounts, settings, version: 't', stateFile: file,
	});
	try {
		const snapshot = second.freshSnapshot();
		assert.equal(snapshot.pinnedAccount, 'key');
		assert.equal(second.cooldownUntil('home'), until);
		assert.equal(snapshot.accounts[0]!.state, 'exhausted', 'a quota cooldown reads as exhausted, with one countdown');
		assert.equal(snapshot.accounts[1]!.state, 'exhausted');
		assert.equal(snapshot.accounts[1]!.utilization5h, 1.01);
		assert.equal(snapshot.accounts[2]!.state, 'paused');
		assert.equal(second.stickyAccount('h:session'), undefined, 'stickiness is ephemeral, as in the reference');
		assert.equal(snapshot.savings.allTime.usd, 0.5);
		assert.equal(snapshot.savings.today.inputTokens, 100);
		// The request ring is ephemeral, as in the reference.
		assert.equal(snapshot.requests.length, 0);
	} finally {
		second.close();
	}
});

test('sticky sessions are never written to state.json, and binding one schedules no write', async () => {
	const directory = tempDir();
	const file = path.join(directory, 'state.json');
	const persistDelayMs = 10;
	const store = new StateStore({
		accounts, settings, version: 't', stateFile: file, persistDelayMs,
	});
	try {
		for (let index = 0; index < 10_000; index++) {
			store.setSticky(`h:session-${index}`, index % 2 === 0 ? 'home' : 'work');
		}

		assert.equal(store.stickyAccount('h:session-9999'), 'work', 'the bindings are there, in memory');
		// Nothing to wait on: the point is that no write happens. Twenty write-behind delays is
		// ample for a scheduled one to have landed.
		await new Promise(resolve => {
			setTimeout(resolve, persistDelayMs * 20);
		});
		assert.equal(existsSync(file), false, 'binding sessions did not schedule a write');
		store.flushSync();
		const saved = readFileSync(file, 'utf8');
		assert.doesNotMatch(saved, /sticky|session-/);
		assert.ok(saved.length < 2000, `state.json stays small (${saved.length} bytes)`);
	} finally {
		store.close();
	}
});

test('cooldowns and model exclusions are bounded by the time horizon; non-finite deadlines are ignored', () => {
	const store = new StateStore({accounts, settings, version: 't'});
	try {
		const now = Date.now();
		const sane = now + 3_600_000;
		assert.equal(store.setCooldown('home', sane, {reason: 'quota'}), sane, 'a sane deadline is kept exactly');
		const far = store.setCooldown('work', 1e20, {reason: 'quota', staggered: true});
		assert.ok(far > now && far <= Date.now() + maxHorizonMs, `clamped to the horizon: ${far}`);
		assert.equal(store.setCooldown('key', Number.NaN, {reason: 'quota'}), 0, 'NaN is ignored');
		assert.equal(store.setCooldown('key', Number.POSITIVE_INFINITY, {reason: 'quota'}), 0, 'Infinity is ignored');
		assert.equal(store.freshSnapshot().accounts[2]!.state, 'available');
		store.excludeModel('home', 'claude-opus-4-8', 1e20);
		store.excludeModel('home', 'claude-opus-4-7', Number.NaN);
		assert.deepEqual(store.routingSnapshot().accounts[0]!.excludedModels, ['claude-opus-4-8']);
	} finally {
		store.close();
	}
});

test('persistence is write-behind: many changes coalesce into few atomic writes', async () => {
	const directory = tempDir();
	const file = path.join(directory, 'state.json');
	const store = new StateStore({
		accounts, settings, version: 't', stateFile: file, persistDelayMs: 30,
	});
	try {
		for (let index = 0; index < 500; index++) {
			store.recordRequest(record({id: String(index)}));
		}

		assert.equal(existsSync(file), false, 'nothing is written on the request path');
		await waitFor(() => existsSync(file), 'state.json to be written');
		const saved = JSON.parse(readFileSync(file, 'utf8')) as {savingsAllTime: {inputTokens: number}};
		assert.equal(saved.savingsAllTime.inputTokens, 50_000);
		assert.deepEqual(readdirSync(directory).filter(name => name.includes('.tmp-')), [], 'no temp files left behind');
	} finally {
		store.close();
	}
});

test('a corrupt state file is moved aside with a warning and shunt starts fresh', () => {
	const directory = tempDir();
	const file = path.join(directory, 'state.json');
	writeFileSync(file, '{"format": 1, "accounts": {broken');
	const store = new StateStore({
		accounts, settings, version: 't', stateFile: file,
	});
	try {
		assert.match(store.loadWarning ?? '', /corrupt/);
		const aside = readdirSync(directory).filter(name => name.startsWith('state.json.corrupt-'));
		assert.equal(aside.length, 1);
		assert.equal(readFileSync(path.join(directory, aside[0]!), 'utf8'), '{"format": 1, "accounts": {broken', 'the corrupt content is kept');
		assert.equal(store.freshSnapshot().accounts[0]!.state, 'available');
	} finally {
		store.close();
	}
});

test('an unreadable state file is an error naming the file', {skip: process.getuid?.() === 0 ? 'root reads any file; covered by the directory case' : false}, () => {
	const file = path.join(tempDir(), 'state.json');
	writeFileSync(file, '{}');
	chmodSync(file, 0o000);
	assert.throws(() => new StateStore({
		accounts, settings, version: 't', stateFile: file,
	}), (error: Error) => error instanceof StateFileError && error.message.includes(file));
});

test('a state path that cannot be read (a directory) is an error naming it, and nothing is moved', () => {
	const file = path.join(tempDir(), 'state.json');
	mkdirSync(file);
	assert.throws(() => new StateStore({
		accounts, settings, version: 't', stateFile: file,
	}), (error: Error) => error instanceof StateFileError && error.message.includes(file));
	assert.ok(statSync(file).isDirectory());
});

test('subscribers are notified in batches, not once per change, with a stable snapshot in between', async () => {
	const store = new StateStore({
		accounts, settings, version: 't', notifyIntervalMs: 40,
	});
	try {
		let notified = 0;
		store.subscribe(() => {
			notified++;
		});
		const before = store.getSnapshot();
		assert.equal(store.getSnapshot(), before, 'same object until the store announces a change');
		for (let index = 0; index < 1000; index++) {
			store.recordRequest(record({id: String(index)}));
		}

		await waitFor(() => notified > 0, 'a notification');
		assert.equal(notified, 1);
		const after = store.getSnapshot();
		assert.notEqual(after, before);
		assert.equal(after.requests.length, 200, 'the ring keeps the newest 200');
		assert.equal(after.requests[0]!.id, '999', 'newest first');
	} finally {
		store.close();
	}
});

test('staggered cooldowns keep deadlines at least 5 s apart and never shorten a running one', () => {
	let now = 1_000_000;
	const store = new StateStore({
		accounts, settings, version: 't', now: () => now,
	});
	try {
		const first = store.setCooldown('home', now + 60_000, {reason: 'quota', staggered: true});
		const second = store.setCooldown('work', now + 60_100, {reason: 'quota', staggered: true});
		const third = store.setCooldown('key', now + 59_000, {reason: 'quota', staggered: true});
		const deadlines = [first, second, third].toSorted((a, b) => a - b);
		assert.ok(deadlines[1]! - deadlines[0]! >= 5000, `${deadlines.join(', ')}`);
		assert.ok(deadlines[2]! - deadlines[1]! >= 5000, `${deadlines.join(', ')}`);
		assert.equal(store.setCooldown('home', now + 1000, {reason: 'overloaded'}), first, 'a shorter cooldown does not shorten');
		now += 10_000_000;
		assert.equal(store.freshSnapshot().accounts[0]!.state, 'available');
	} finally {
		store.close();
	}
});

test('staggerDeadline pushes past every collision', () => {
	assert.equal(staggerDeadline(100_000, [], 0), 100_000);
	assert.equal(staggerDeadline(100_000, [98_000], 0), 103_000);
	assert.equal(staggerDeadline(100_000, [98_000, 103_500], 0), 108_500);
	assert.equal(staggerDeadline(100_000, [99_000], 200_000), 100_000, 'expired deadlines do not count');
});

test('a cooldown ending is announced as a recovery event', async () => {
	const store = new StateStore({
		accounts, settings, version: 't', notifyIntervalMs: 10,
	});
	try {
		const ended: string[] = [];
		store.on('cooldown-ended', name => {
			ended.push(name);
		});
		store.setCooldown('work', Date.now() + 30, {reason: 'overloaded'});
		await waitFor(() => ended.length > 0, 'the cooldown to end');
		assert.deepEqual(ended, ['work']);
		const {events} = store.freshSnapshot();
		assert.equal(events[0]!.kind, 'recovered');
		assert.equal(store.routingSnapshot().accounts[1]!.lastCooldownEndMs > 0, true);
		assert.equal(store.freshSnapshot().accounts[1]!.cooldownUntilMs, 0);
	} finally {
		store.close();
	}
});

test('actions validate account names and apply to the next routing snapshot', () => {
	const store = new StateStore({accounts, settings, version: 't'});
	try {
		assert.throws(() => {
			store.pin('nobody');
		}, /unknown account/);
		store.pin('work');
		store.setStrategy('carousel');
		store.setBurstRpmLimit(0);
		const routing = store.routingSnapshot();
		assert.equal(routing.pinned, 'work');
		assert.equal(routing.strategy, 'carousel');
		assert.equal(routing.burstRpmLimit, 0);
		store.setStrategy(null);
		store.setBurstRpmLimit(null);
		assert.equal(store.routingSnapshot().strategy, 'maximus');
		assert.equal(store.routingSnapshot().burstRpmLimit, 10);
	} finally {
		store.close();
	}
});

test('savings: today, the last 7 UTC days, all time', () => {
	const day = 86_400_000;
	const now = Date.UTC(2026, 10, 26, 12);
	const store = new StateStore({
		accounts, settings, version: 't', now: () => now,
	});
	try {
		store.recordRequest(record({tsMs: now, costUsd: 1}));
		store.recordRequest(record({tsMs: now - (3 * day), costUsd: 2}));
		store.recordRequest(record({tsMs: now - (9 * day), costUsd: 4}));
		const {savings} = store.freshSnapshot();
		assert.equal(savings.today.usd, 1);
		assert.equal(savings.week.usd, 3);
		assert.equal(savings.allTime.usd, 7);
	} finally {
		store.close();
	}
});

test('a window crossing 90 % is logged once per period, scoped windows by name; merged scoped windows keep each other', () => {
	let now = Date.UTC(2026, 11, 1, 12, 0, 0);
	const store = new StateStore({
		accounts, settings, version: 't', now: () => now,
	});
	const reset = Math.floor(now / 1000) + 7200;
	const windowEvents = () => store.freshSnapshot().events.filter(event => event.kind === 'window').map(event => event.message);
	store.recordTelemetry('home', {fiveHour: {utilization: 0.85, reset}, updatedMs: now});
	assert.deepEqual(windowEvents(), []);
	store.recordTelemetry('home', {fiveHour: {utilization: 0.91, reset}, updatedMs: now});
	assert.equal(windowEvents().length, 1);
	assert.match(windowEvents()[0]!, /^home: 5h window at 91 %, resets in 2h00m \(\d\d:\d\d:\d\d\)$/);
	store.recordTelemetry('home', {fiveHour: {utilization: 0.97, reset}, updatedMs: now});
	assert.equal(windowEvents().length, 1, 'staying above the mark says nothing more');
	// The next period starts low and crosses again.
	now += 7200 * 1000;
	store.recordTelemetry('home', {fiveHour: {utilization: 0.1, reset: reset + 18_000}, updatedMs: now});
	store.recordTelemetry('home', {fiveHour: {utilization: 0.9, reset: reset + 18_000}, updatedMs: now});
	assert.equal(windowEvents().length, 2);
	// A model-scoped window is named as one; a later response reporting only the Sonnet window keeps the Opus one.
	store.recordTelemetry('work', {scoped: {'7d_opus': {utilization: 0.93, reset: reset + 86_400}}, updatedMs: now});
	assert.match(windowEvents()[0]!, /^work: weekly opus window at 93 %/);
	store.recordTelemetry('work', {scoped: {'7d_sonnet': {utilization: 0.2, reset: reset + 86_400}}, updatedMs: now});
	assert.deepEqual(Object.keys(store.telemetry('work')?.scoped ?? {}).toSorted(), ['7d_opus', '7d_sonnet']);
	assert.equal(store.telemetry('work')?.scoped?.['7d_opus']?.utilization, 0.93);
	// A window the upstream reports spent (its 429 raises its own alert) is not said twice.
	const before = windowEvents().length;
	store.recordTelemetry('work', {fiveHour: {utilization: 1, reset: reset + 18_000, status: 'rejected'}, updatedMs: now});
	assert.equal(windowEvents().length, before);
	store.close();
});
