import assert from 'node:assert/strict';
import {test} from 'node:test';
import {attachHeadlessLog, requestLine} from '../source/headless-log.js';
import {StateStore, type StoreSettings} from '../source/state/store.js';
import type {RequestRecord} from '../source/types.js';
import {waitFor} from './helpers/wait.js';

const settings: StoreSettings = {strategy: 'maximus', burstRpmLimit: 10, stickyTtlMs: 600_000, expirySoonSeconds: 1800, fallbackModel: null};

function newStore(): StateStore {
	return new StateStore({accounts: [{name: 'alpha', kind: 'apikey'}, {name: 'beta', kind: 'apikey'}], settings, version: 't'});
}

function record(id: string, overrides: Partial<RequestRecord> = {}): RequestRecord {
	return {
		id, tsMs: Date.UTC(2026, 10, 26, 12, 0, 5), account: 'alpha', model: 'claude-sonnet-4-6', status: 200,
		inputTokens: 10, outputTokens: 5, cacheReadTokens: 0, cacheWriteTokens: 0, durationMs: 42,
		attempts: [], outcome: 'complete', stream: false, path: '/v1/messages', costUsd: 0,
		...overrides,
	};
}

test('headless log: lines are batched into one write, in order, and nothing is lost on detach', async t => {
	const store = newStore();
	t.after(() => {
		store.close();
	});
	const writes: string[] = [];
	const detach = attachHeadlessLog(store, text => writes.push(text), 50);

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
	await new Promise(resolve => setTimeout(resolve, 80));
	assert.equal(writes.length, 2, 'after detach nothing more is written');
});

test('headless log: a flood is written in slices instead of piling up', t => {
	const store = newStore();
	t.after(() => {
		store.close();
	});
	const writes: string[] = [];
	const detach = attachHeadlessLog(store, text => writes.push(text), 60_000);
	t.after(detach);
	for (let index = 0; index < 2500; index++) {
		store.recordRequest(record(String(index)));
	}

	// Two full slices went out at once, without waiting for the (here very long) interval.
	assert.deepEqual(writes.map(text => text.split('\n').length), [1000, 1000]);
	detach();
	assert.deepEqual(writes.map(text => text.split('\n').length), [1000, 1000, 500]);
});
