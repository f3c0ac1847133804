// covers: source/history/history.ts, source/history/writer.ts, source/history/retention.ts, source/history/rows.ts, source/state/store.ts, source/state/usage-ledger.ts
// The store with a history file: what it records survives a restart (the log, events, savings),
// writes are batched, old rows are pruned in slices, a file that breaks is replaced while shunt
// runs on, and another connection reads while the store writes.
import assert from 'node:assert/strict';
import {writeFileSync} from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';
import Database from 'better-sqlite3';
import {StateStore, type StoreSettings} from '../source/state/store.js';
import type {AccountConfig} from '../source/accounts/types.js';
import type {RequestRecord} from '../source/state/records.js';
import {utcDayKey} from '../source/state/savings.js';
import {tempDir} from './helpers/temp-dir.js';
import {waitFor} from './helpers/wait.js';

const accounts: AccountConfig[] = [{name: 'home', kind: 'oauth'}, {name: 'key', kind: 'apikey'}];
const settings: StoreSettings = {strategy: 'maximus', burstRpmLimit: 10, stickyTtlMs: 600_000, expirySoonSeconds: 1800, fallbackModel: null};
const dayMs = 86_400_000;

let sequence = 0;
function record(overrides: Partial<RequestRecord> = {}): RequestRecord {
	sequence++;
	const tsMs = overrides.tsMs ?? Date.now();
	return {
		id: `r-${sequence}`, tsMs, startedMs: tsMs - 1200, account: 'home', model: 'claude-sonnet-4-6', status: 200,
		inputTokens: 100, outputTokens: 50, cacheReadTokens: 1000, cacheWriteTokens: 200, durationMs: 1200, ttftMs: 300,
		attempts: [], outcome: 'complete', stream: true, path: '/v1/messages', costUsd: 0.25, frontDoor: 'anthropic',
		...overrides,
	};
}

function files() {
	const directory = tempDir();
	return {stateFile: path.join(directory, 'state.json'), historyFile: path.join(directory, 'history.db')};
}

function open(paths: {stateFile: string; historyFile: string}, extra: Partial<ConstructorParameters<typeof StateStore>[0]> = {}) {
	return new StateStore({accounts, settings, version: 't', ...paths, ...extra});
}

test('write, close, reopen: the log shows the requests and events from before, and savings add up', () => {
	const paths = files();
	const full = record({
		account: 'home',
		requestedModel: 'claude-opus-4-8',
		cacheWrite5mTokens: 150,
		cacheWrite1hTokens: 50,
		attempts: [{account: 'key', status: 429, reason: 'quota'}],
		holds: [{afterAttempts: 1, ms: 1500, reason: 'all cooling'}],
		decision: {by: 'strategy', strategy: 'maximus', candidates: [{account: 'home', eligible: true, why: 'chosen', score: 0.5}, {account: 'key', eligible: false, why: 'cooling (quota)', score: null, untilMs: 1_800_000_000_000}]},
		sessionHash: '0123456789abcdef',
		frontDoor: 'openai',
		removedFields: ['thinking', 'output_config.effort'],
	});
	const shunts = record({account: null, status: 529, outcome: 'error', shuntReason: 'all accounts overloaded', inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0, ttftMs: null, stream: false});
	const first = open(paths);
	first.recordRequest(record());
	first.recordRequest(full);
	first.recordRequest(shunts);
	first.addEvent('cooldown', 'key cooling for 3s (quota)', 'key');
	first.addEvent('moved', 'moved: a conversation at 92 % → key', 'home');
	first.addEvent('window', 'home: 5h window at 91 %', 'home');
	const before = first.freshSnapshot();
	first.close();

	const second = open(paths);
	try {
		const after = second.freshSnapshot();
		assert.deepEqual(after.requests, before.requests, 'the ring is as it was, newest first, every field');
		assert.equal(after.requests[1]!.decision?.candidates[1]?.untilMs, 1_800_000_000_000);
		assert.deepEqual(after.events, before.events, 'every kind of event comes back');
		assert.equal(after.requests[1]!.frontDoor, 'openai');
		assert.deepEqual(after.savings, before.savings);
		assert.equal(after.savings.allTime.usd, 0.5, 'two requests an account served; shunt\'s own answer costs nothing');
		second.recordRequest(record());
		assert.equal(second.freshSnapshot().savings.today.usd, 0.75, 'and they go on from there');
	} finally {
		second.close();
	}
});

test('state.json\'s savings are imported once into a new history, so all time is not lost', () => {
	const paths = files();
	const today = utcDayKey(Date.now());
	const totals = (usd: number) => ({inputTokens: 10, outputTokens: 5, cacheReadTokens: 0, cacheWriteTokens: 0, usd});
	writeFileSync(paths.stateFile, JSON.stringify({
		format: 1, accounts: {}, telemetry: {}, window: {}, pinnedAccount: null, lastUsedAccount: null,
		savingsDaily: {[today]: totals(2)}, savingsAllTime: {inputTokens: 100, outputTokens: 50, cacheReadTokens: 0, cacheWriteTokens: 0, usd: 12},
	}), {mode: 0o600});
	const first = open(paths);
	assert.equal(first.freshSnapshot().savings.allTime.usd, 12);
	assert.equal(first.freshSnapshot().savings.today.usd, 2);
	first.recordRequest(record({costUsd: 1}));
	first.close();

	const db = new Database(paths.historyFile, {readonly: true});
	assert.deepEqual(db.prepare('SELECT day, requests, cost_usd AS usd FROM daily_totals ORDER BY day').all(), [{day: today, requests: 1, usd: 3}, {day: 'imported', requests: 0, usd: 10}]);
	db.close();

	// state.json still holds savings (it is still written): a second start must not import them again.
	const second = open(paths);
	try {
		assert.equal(second.freshSnapshot().savings.allTime.usd, 13);
		assert.equal(second.freshSnapshot().savings.today.usd, 3);
	} finally {
		second.close();
	}
});

test('writes are batched: 3 000 requests over 30 turns of the event loop take about one transaction per 500, and all land', async () => {
	const paths = files();
	const store = open(paths);
	try {
		for (let turn = 0; turn < 30; turn++) {
			for (let index = 0; index < 100; index++) {
				store.recordRequest(record());
			}

			if (turn === 0) {
				assert.equal(store.history!.writer.transactions, 0, 'nothing is written on the request path');
			}

			// eslint-disable-next-line no-await-in-loop
			await new Promise(resolve => setImmediate(resolve));
		}

		await waitFor(() => store.history!.writer.queued === 0, 'the queue to drain');
		const {transactions} = store.history!.writer;
		assert.ok(transactions >= 5 && transactions <= 7, `${transactions} transactions for 3000 requests`);
		const db = new Database(paths.historyFile, {readonly: true});
		assert.equal(db.prepare('SELECT count(*) FROM requests').pluck().get(), 3000);
		db.close();
	} finally {
		store.close();
	}
});

test('a few requests wait for the timer (~250 ms) and go in one transaction; close() flushes what is left', async () => {
	const paths = files();
	const store = open(paths);
	for (let index = 0; index < 10; index++) {
		store.recordRequest(record());
	}

	await waitFor(() => store.history!.writer.transactions > 0, 'the timer\'s flush', 2000);
	assert.equal(store.history!.writer.transactions, 1);
	store.recordRequest(record({id: 'last-one'}));
	store.close();
	const db = new Database(paths.historyFile, {readonly: true});
	assert.equal(db.prepare('SELECT count(*) FROM requests').pluck().get(), 11);
	assert.equal(db.prepare('SELECT id FROM requests ORDER BY seq DESC LIMIT 1').pluck().get(), 'last-one', 'flushed on close');
	db.close();
});

test('retention: rows older than historyRetentionDays go in small slices; newer rows and all-time savings stay', async () => {
	const paths = files();
	const now = Date.now();
	const first = open(paths);
	first.recordRequest(record({tsMs: now - 1000}));
	first.close();
	// Old rows, as an earlier run would have left them.
	const db = new Database(paths.historyFile);
	const insert = db.prepare(`INSERT INTO requests (id, started_ms, ts_ms, account, model, path, stream, status, outcome, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cost_usd, duration_ms, attempts)
		VALUES (?, ?, ?, 'home', 'claude-sonnet-4-6', '/v1/messages', 0, 200, 'complete', 1, 1, 0, 0, 0.01, 5, '[]')`);
	db.transaction(() => {
		for (let index = 0; index < 1200; index++) {
			const tsMs = now - (40 * dayMs) - index;
			insert.run(`old-${index}`, tsMs - 5, tsMs);
		}

		db.prepare('INSERT INTO events (ts_ms, kind, message) VALUES (?, \'info\', \'old\')').run(now - (40 * dayMs));
		db.prepare('INSERT INTO telemetry_samples (ts_ms, account, utilization_5h) VALUES (?, \'home\', 0.5)').run(now - (40 * dayMs));
		db.prepare('INSERT INTO daily_totals VALUES (?, 1200, 1200, 1200, 0, 0, 12)').run(utcDayKey(now - (40 * dayMs)));
	})();
	db.close();

	const store = open(paths, {historyRetentionDays: 30});
	try {
		const allTimeBefore = store.freshSnapshot().savings.allTime.usd;
		const removed = await store.history!.prune();
		assert.equal(removed, 1202);
		const check = new Database(paths.historyFile, {readonly: true});
		assert.equal(check.prepare('SELECT count(*) FROM requests').pluck().get(), 1, 'the recent request stays');
		assert.equal(check.prepare('SELECT count(*) FROM events WHERE message = \'old\'').pluck().get(), 0);
		assert.equal(check.prepare('SELECT count(*) FROM telemetry_samples').pluck().get(), 0);
		assert.equal(check.prepare('SELECT count(*) FROM daily_totals').pluck().get(), 2, 'daily totals are kept');
		check.close();
		assert.ok(store.history!.pruneSlices >= 3, `${store.history!.pruneSlices} slices of at most 500 rows a table`);
		assert.ok(Math.abs(allTimeBefore - 12.25) < 1e-9);
	} finally {
		store.close();
	}

	const again = open(paths, {historyRetentionDays: 30});
	try {
		assert.ok(Math.abs(again.freshSnapshot().savings.allTime.usd - 12.25) < 1e-9, 'all time survives pruning');
	} finally {
		again.close();
	}
});

test('a corrupt history.db is moved aside with a warning in the log; the store records into a new one', () => {
	const paths = files();
	writeFileSync(paths.historyFile, Buffer.alloc(8192, 0x41));
	const store = open(paths);
	try {
		const [warning] = store.freshSnapshot().events;
		assert.match(warning!.message, /^warning: history file .*history\.db was corrupt \(file is not a database\); moved it to .*history\.db\.corrupt-\S+ and started a new history$/);
		store.recordRequest(record({id: 'after-corruption'}));
	} finally {
		store.close();
	}

	const db = new Database(paths.historyFile, {readonly: true});
	assert.equal(db.prepare('SELECT id FROM requests').pluck().get(), 'after-corruption');
	db.close();
});

test('a write that fails (the file locked by another program) becomes one event; the rows wait and land once it is free', async () => {
	const paths = files();
	const store = open(paths, {historyTimings: {flushEveryMs: 10}});
	const locker = new Database(paths.historyFile);
	try {
		locker.exec('BEGIN EXCLUSIVE');
		for (let index = 0; index < 5; index++) {
			store.recordRequest(record());
		}

		const problem = await waitFor(() => store.freshSnapshot().events.find(event => event.message.startsWith('history: could not write')), 'the write failure event', 5000);
		assert.match(problem.message, /database is locked/);
		store.recordRequest(record());
		locker.exec('COMMIT');
		await waitFor(() => store.history!.writer.queued === 0, 'the retry to write the queue', 10_000);
		const failures = store.freshSnapshot().events.filter(event => event.message.startsWith('history: could not write'));
		assert.equal(failures.length, 1, 'one event, not one per retry');
		assert.equal(locker.prepare('SELECT count(*) FROM requests').pluck().get(), 6);
	} finally {
		locker.close();
		store.close();
	}
});

test('another connection reads consistent totals while the store writes batch after batch', async () => {
	const paths = files();
	const store = open(paths);
	const reader = new Database(paths.historyFile, {readonly: true});
	try {
		const count = reader.prepare('SELECT count(*) AS n, total(input_tokens) AS input FROM requests');
		let last = 0;
		let reads = 0;
		for (let round = 0; round < 20; round++) {
			for (let index = 0; index < 300; index++) {
				store.recordRequest(record());
			}

			// The store's writes land on the next turns of the event loop, between these reads.
			// eslint-disable-next-line no-await-in-loop
			await new Promise(resolve => setImmediate(resolve));
			const {n, input} = count.get() as {n: number; input: number};
			reads++;
			assert.ok(n >= last, 'never goes back');
			assert.equal(input, n * 100, 'a read sees whole transactions, never half of one');
			last = n;
		}

		await waitFor(() => store.history!.writer.queued === 0, 'the last batches');
		assert.equal((count.get() as {n: number}).n, 6000);
		assert.ok(reads === 20 && last > 0, 'reads went on during the writes');
	} finally {
		reader.close();
		store.close();
	}
});

test('without a history file the store keeps no history: nothing read, nothing written, no history in the snapshot', () => {
	const store = new StateStore({accounts, settings, version: 't'});
	try {
		assert.equal(store.history, undefined);
		store.setHistoryWindow('1h');
		store.recordRequest(record());
		assert.equal(store.freshSnapshot().history, undefined);
		assert.throws(() => store.setHistoryWindow('2h' as never), /unknown history window "2h"/);
	} finally {
		store.close();
	}
});
