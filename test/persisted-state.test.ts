// covers: source/state/persisted-state.ts, source/state/validate-state.ts, source/state/store.ts
// state.json is input like any other: a hand-edited or damaged file must never crash start-up or
// poison counters. Bad entries are dropped one by one, with one warning that names the file.
import assert from 'node:assert/strict';
import {readdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';
import {StateStore, type StoreSettings} from '../source/state/store.js';
import type {AccountConfig} from '../source/accounts/types.js';
import type {RequestRecord} from '../source/state/records.js';
import {tempDir} from './helpers/temp-dir.js';

const accounts: AccountConfig[] = [
	{name: 'home', kind: 'oauth'},
	{name: 'work', kind: 'oauth'},
	{name: 'key', kind: 'apikey'},
];
const settings: StoreSettings = {strategy: 'maximus', burstRpmLimit: 10, stickyTtlMs: 600_000, expirySoonSeconds: 1800, fallbackModel: null};

function record(overrides: Partial<RequestRecord> = {}): RequestRecord {
	return {
		id: 'r', tsMs: Date.now(), account: 'home', model: 'claude-sonnet-4-6', status: 200,
		inputTokens: 100, outputTokens: 50, cacheReadTokens: 0, cacheWriteTokens: 0, durationMs: 12, startedMs: Date.now() - 12, ttftMs: null,
		attempts: [], outcome: 'complete', stream: false, path: '/v1/messages', frontDoor: 'anthropic', costUsd: 0.000138,
		...overrides,
	};
}

/** Writes raw JSON text (so values JSON.stringify cannot produce, like 1e400, can be planted). */
function stateFileWith(text: string): {file: string; directory: string} {
	const directory = tempDir();
	const file = path.join(directory, 'state.json');
	writeFileSync(file, text);
	return {file, directory};
}

function open(file: string): StateStore {
	return new StateStore({accounts, settings, version: 't', stateFile: file});
}

const goodAccount = {cooldownUntilMs: 0, lastCooldownEndMs: 0, paused: false, authFailed: false, unhealthy: false, excludedModels: []};

test('a sticky entry that is null (the issue\'s shape) does not crash start-up; sticky maps are ignored', () => {
	const {file} = stateFileWith('{"format":1,"sticky":{"k":null,"h:s":{"account":"home","expiresMs":99999999999999}}}');
	const store = open(file);
	try {
		assert.equal(store.stickyAccount('k'), undefined);
		assert.equal(store.stickyAccount('h:s'), undefined, 'stickiness is ephemeral now: an old file\'s map is ignored');
		assert.equal(store.freshSnapshot().accounts[0]!.state, 'available');
	} finally {
		store.close();
	}

	assert.doesNotMatch(readFileSync(file, 'utf8'), /sticky/, 'the rewritten file no longer carries sticky sessions');
});

test('counters stored as strings are dropped, and savings stay numbers after new traffic', () => {
	const day = new Date().toISOString().slice(0, 10);
	const {file} = stateFileWith(JSON.stringify({
		format: 1,
		accounts: {home: goodAccount},
		savingsAllTime: {inputTokens: '12', outputTokens: 7, cacheReadTokens: 'x', cacheWriteTokens: 0, usd: 'lots'},
		savingsDaily: {[day]: {inputTokens: 3, outputTokens: '4', cacheReadTokens: 0, cacheWriteTokens: 0, usd: 'lots'}},
		window: {home: {startMs: Date.now(), tokens: '500'}, work: {startMs: Date.now(), tokens: 40}},
	}));
	const store = open(file);
	try {
		assert.ok(store.loadWarning?.includes(file), `warning names the file: ${store.loadWarning}`);
		assert.match(store.loadWarning!, /savingsAllTime\.usd/);
		assert.match(store.loadWarning!, /window\.home/);
		store.recordRequest(record());
		const {savings, accounts: views} = store.freshSnapshot();
		assert.equal(typeof savings.allTime.usd, 'number');
		assert.equal(savings.allTime.usd, 0.000138, 'not "lots0.000138"');
		assert.equal(savings.allTime.outputTokens, 57, 'the good counter survived');
		assert.equal(savings.allTime.inputTokens, 100);
		assert.equal(typeof savings.today.usd, 'number');
		assert.equal(savings.today.inputTokens, 103, 'the good daily counter survived');
		assert.equal(views[0]!.windowTokens, 150, 'the bad window was dropped and started over');
		assert.equal(views[1]!.windowTokens, 40, 'the good window survived');
	} finally {
		store.close();
	}

	const saved = JSON.parse(readFileSync(file, 'utf8')) as {savingsAllTime: Record<string, unknown>};
	for (const value of Object.values(saved.savingsAllTime)) {
		assert.equal(typeof value, 'number');
	}
});

test('NaN-ish values, nulls and wrong types in accounts are dropped entry by entry; good entries survive', () => {
	const until = Date.now() + 600_000;
	const {file} = stateFileWith(`{
		"format": 1,
		"accounts": {
			"home": {"cooldownUntilMs": ${until}, "cooldownReason": "quota", "lastCooldownEndMs": 0, "paused": false, "authFailed": false, "unhealthy": false,
				"excludedModels": [null, {"model": 5, "untilMs": ${until}}, {"model": "claude-opus-4-8", "untilMs": "soon"}, {"model": "claude-opus-4-7", "untilMs": ${until}}]},
			"work": {"cooldownUntilMs": "NaN", "lastCooldownEndMs": 1e400, "paused": "yes", "authFailed": null, "unhealthy": 1, "excludedModels": {}},
			"key": null
		},
		"pinnedAccount": 7,
		"lastUsedAccount": ["home"]
	}`);
	const store = open(file);
	try {
		const warning = store.loadWarning ?? '';
		assert.ok(warning.includes(file), warning);
		for (const dropped of ['accounts.home.excludedModels[0]', 'accounts.home.excludedModels[1]', 'accounts.home.excludedModels[2]', 'accounts.work.cooldownUntilMs', 'accounts.work.paused', 'accounts.key', 'pinnedAccount']) {
			assert.ok(warning.includes(dropped), `warning mentions ${dropped}: ${warning}`);
		}

		assert.equal(store.cooldownUntil('home'), until, 'the good cooldown survived');
		assert.deepEqual(store.routingSnapshot().accounts[0]!.excludedModels, ['claude-opus-4-7']);
		const views = store.freshSnapshot().accounts;
		assert.equal(views[0]!.state, 'exhausted', 'a quota cooldown reads as exhausted');
		assert.equal(views[1]!.state, 'available', '"yes" is not paused, 1 is not unhealthy');
		assert.equal(store.cooldownUntil('work'), 0);
		assert.equal(store.pinnedAccount, null);
	} finally {
		store.close();
	}
});

test('arrays where objects belong and broken telemetry are dropped without crashing', () => {
	const nowSeconds = Math.floor(Date.now() / 1000);
	const {file} = stateFileWith(JSON.stringify({
		format: 1,
		accounts: [],
		telemetry: {
			home: [],
			work: {updatedMs: Date.now(), fiveHour: {utilization: 0.4, reset: nowSeconds + 3600, status: 'allowed'}, sevenDay: [1, 2], requests: {limit: 'many', remaining: 3}, scoped: {'7d_oi': {utilization: 'x', status: 'rejected'}}},
			key: {updatedMs: 'yesterday', requests: {limit: 10, remaining: 3}},
		},
		window: [],
		savingsDaily: {'2026-01-01': [], 'not-a-day': {inputTokens: 1, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, usd: 0}},
		savingsAllTime: [],
	}));
	const store = open(file);
	try {
		const warning = store.loadWarning ?? '';
		assert.ok(warning.includes(file), warning);
		for (const dropped of ['accounts', 'telemetry.home', 'telemetry.work.sevenDay', 'telemetry.work.requests.limit', 'telemetry.work.scoped.7d_oi.utilization', 'telemetry.key', 'window', 'savingsDaily.2026-01-01', 'savingsAllTime']) {
			assert.ok(warning.includes(dropped), `warning mentions ${dropped}: ${warning}`);
		}

		assert.deepEqual(store.telemetry('work')?.fiveHour, {utilization: 0.4, reset: nowSeconds + 3600, status: 'allowed'});
		assert.equal(store.telemetry('work')?.sevenDay, undefined);
		assert.deepEqual(store.telemetry('work')?.requests, {remaining: 3});
		assert.deepEqual(store.telemetry('work')?.scoped, {'7d_oi': {status: 'rejected'}});
		assert.equal(store.telemetry('home'), undefined);
		assert.equal(store.telemetry('key'), undefined);
		assert.equal(store.freshSnapshot().savings.allTime.usd, 0);
	} finally {
		store.close();
	}
});

test('a clean file loads without a warning; a file that is not ours at all is still moved aside', () => {
	const {file, directory} = stateFileWith(JSON.stringify({format: 1, accounts: {home: goodAccount}, telemetry: {}, window: {}, pinnedAccount: 'home', lastUsedAccount: null, savingsDaily: {}, savingsAllTime: {inputTokens: 1, outputTokens: 1, cacheReadTokens: 0, cacheWriteTokens: 0, usd: 0.5}}));
	const store = open(file);
	try {
		assert.equal(store.loadWarning, undefined);
		assert.equal(store.pinnedAccount, 'home');
		assert.equal(store.freshSnapshot().savings.allTime.usd, 0.5);
	} finally {
		store.close();
	}

	writeFileSync(file, '[1, 2, 3]');
	const second = open(file);
	try {
		assert.match(second.loadWarning ?? '', /corrupt/);
		assert.equal(readdirSync(directory).filter(name => name.startsWith('state.json.corrupt-')).length, 1);
	} finally {
		second.close();
	}
});

test('hostile keys are not echoed into the warning verbatim', () => {
	const {file} = stateFileWith(JSON.stringify({format: 1, telemetry: {[`evil\u001B[2J${'x'.repeat(500)}`]: 5}}));
	const store = open(file);
	try {
		const warning = store.loadWarning ?? '';
		assert.ok(warning.includes(file), warning);
		assert.doesNotMatch(warning, /\u001B/);
		assert.ok(warning.length < 1000, `warning is bounded (${warning.length} chars)`);
	} finally {
		store.close();
	}
});

test('the cache hit rate counts cache reads over all prompt tokens in the 5h window, survives a restart, and a broken pair is dropped', () => {
	const {file} = stateFileWith('{"format":1}');
	const first = open(file);
	const homeView = (store: StateStore) => store.freshSnapshot().accounts.find(account => account.name === 'home')!;
	assert.equal(homeView(first).cacheHitRate, null, 'no prompt yet');
	// 100 + 900 read + 0 written, then 100 + 0 + 900 written: 900 of 2000 prompt tokens came from the cache.
	first.recordRequest(record({inputTokens: 100, cacheReadTokens: 900}));
	first.recordRequest(record({inputTokens: 100, cacheWriteTokens: 900}));
	assert.equal(homeView(first).cacheHitRate, 0.45);
	assert.equal(first.freshSnapshot().accounts.find(account => account.name === 'work')!.cacheHitRate, null);
	first.close();

	const second = open(file);
	assert.equal(homeView(second).cacheHitRate, 0.45);
	second.close();

	// More read than was ever sent cannot be; a file saying so loses the pair, not the window.
	const {file: broken} = stateFileWith(JSON.stringify({format: 1, window: {home: {startMs: Date.now() - 1000, tokens: 50, cacheReadTokens: 10, promptTokens: 5}}}));
	const third = open(broken);
	assert.equal(homeView(third).cacheHitRate, null);
	assert.equal(homeView(third).windowTokens, 50);
	third.close();
});
