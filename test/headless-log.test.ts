// covers: source/runtime/headless-log.ts
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {attachHeadlessLog, eventLine, requestLine} from '../source/runtime/headless-log.js';
import {StateStore, type StoreSettings} from '../source/state/store.js';
import type {RequestRecord} from '../source/state/records.js';
import {waitFor} from './helpers/wait.js';

const settings: StoreSettings = {
	strategy: 'maximus', burstRpmLimit: 10, stickyTtlMs: 600_000, expirySoonSeconds: 1800, fallbackModel: null,
};

function newStore(): StateStore {
	return new StateStore({accounts: [{name: 'alpha', kind: 'apikey'}, {name: 'beta', kind: 'apikey'}], settings, version: 't'});
}

function record(id: string, overrides: Partial<RequestRecord> = {}): RequestRecord {
	return {
		id, tsMs: Date.UTC(2026, 10, 26, 12, 0, 5), account: 'alpha', model: 'claude-sonnet-4-6', status: 200,
		inputTokens: 10, outputTokens: 5, cacheReadTokens: 0, cacheWriteTokens: 0, durationMs: 42, startedMs: Date.UTC(2026, 10, 26, 12, 0, 5) - 42, ttftMs: null,
		attempts: [], outcome: 'complete', stream: false, path: '/v1/messages', frontDoor: 'anthropic', costUsd: 0,
		...overrides,
	};
}

test('headless log: lines are batched into one write, in order, and nothing is lost on detach', async t => {
	const store = newStore();
	t.after(() => {
		store.close();
	});
	const writes: string[] = [];
	const detach = attachHeadlessLog(store, text => {
		writes.push(text);
	}, 50);

	store.recordRequest(record('1'));
	store.recordRequest(record('2', {account: 'beta', status: 529, outcome: 'error'}));
	store.addEvent('cooldown', 'alpha cooling 30s');
	assert.equal(writes.length, 0, 'nothing is written per request');

	await waitFor(() => writes.length > 0 || undefined, 'the batch to be written');
	assert.equal(writes.length, 1, 'three lines, one write');
	const lines = writes[0]!.split('\n');
	assert.equal(lines.length, 3);
	assert.equal(lines[0], requestLine(record('1')));
	assert.match(lines[1]!, /beta\s+sonnet-4-6\s+529 .*error/);
	assert.match(lines[2]!, /\[cooldown\] alpha cooling 30s/);

	// A line still waiting for its batch is written when the log is detached (shutdown).
	store.recordRequest(record('3'));
	detach();
	assert.equal(writes.length, 2);
	assert.equal(writes[1], requestLine(record('3')));

	store.recordRequest(record('4'));
	await new Promise(resolve => {
		setTimeout(resolve, 80);
	});
	assert.equal(writes.length, 2, 'after detach nothing more is written');
});

test('headless log: a flood is written in slices instead of piling up', t => {
	const store = newStore();
	t.after(() => {
		store.close();
	});
	const writes: string[] = [];
	const detach = attachHeadlessLog(store, text => {
		writes.push(text);
	}, 60_000);
	t.after(detach);
	for (let index = 0; index < 2500; index++) {
		store.recordRequest(record(String(index)));
	}

	// Two full slices went out at once, without waiting for the (here very long) interval.
	assert.deepEqual(writes.map(text => text.split('\n').length), [1000, 1000]);
	detach();
	assert.deepEqual(writes.map(text => text.split('\n').length), [1000, 1000, 500]);
});

// ESC, BEL and the other C0 controls, DEL, C1, bidi overrides and isolates.

const dangerous = /[\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;
const osc52 = '\u001B]52;c;Y3VybCBldmls\u0007';
const clearScreen = '\u001B[2J\u001B[H';

test('the store keeps what it records free of escapes: model, path, failover reasons, event messages', t => {
	const store = newStore();
	t.after(() => {
		store.close();
	});
	const emitted: RequestRecord[] = [];
	store.on('request', (request: RequestRecord) => {
		emitted.push(request);
	});
	store.recordRequest(record('1', {
		model: `claude-${osc52}sonnet-4-6`,
		path: `/v1/messages?x=${clearScreen}y`,
		attempts: [{account: 'beta', status: 0, reason: 'connect\u009B2J ECONNREFUSED\u202E'}],
	}));
	const event = store.addEvent('info', `no account can serve ${osc52}evil${clearScreen}FAKE line\r\nsecond`);

	const [recorded] = store.getSnapshot().requests;
	assert.equal(recorded?.model, 'claude-sonnet-4-6');
	assert.equal(recorded?.path, '/v1/messages?x=y');
	assert.equal(recorded?.attempts[0]?.reason, 'connect ECONNREFUSED');
	assert.equal(emitted[0], recorded, 'listeners get the cleaned record');
	assert.equal(event.message, 'no account can serve evilFAKE line  second');
	assert.equal(store.getSnapshot().events[0]?.message, event.message);
});

test('headless log lines never carry escapes, even for a record that bypassed the store', () => {
	const line = requestLine(record('1', {
		account: `alpha${clearScreen}`,
		model: '',
		path: `/v1/models${osc52}\u009D0;t\u0007`,
		attempts: [{account: 'beta\u0007', status: 529, reason: 'overloaded'}],
	}));
	assert.doesNotMatch(line, dangerous);
	assert.match(line, /^\d\d:\d\d:\d\d {2}alpha {2}\/v1\/models {2}200 /);
	const event = eventLine({tsMs: Date.now(), kind: 'auth', message: `home: refresh failed${clearScreen}\n12:00:00  [auth] FAKE`});
	assert.doesNotMatch(event, dangerous);
	assert.match(event, /\[auth\] home: refresh failed 12:00:00 {2}\[auth\] FAKE$/);
});

test('a request through the OpenAI front door is marked oa: as in the monitor; one through /v1/messages is not', () => {
	assert.match(requestLine(record('1', {frontDoor: 'openai', path: '/v1/chat/completions'})), /^\d\d:\d\d:\d\d {2}alpha {2}oa:sonnet-4-6 {2}200 /);
	assert.match(requestLine(record('2')), /^\d\d:\d\d:\d\d {2}alpha {2}sonnet-4-6 {2}200 /);
});
