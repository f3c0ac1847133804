// covers: source/state/record-json.ts, source/runtime/threads/remote-store.ts
// Snapshots cross to the monitor's thread and to attached monitors with each record's JSON made
// once: what arrives must be the snapshot that left, and a record seen in the last snapshot is not
// read again.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {StateStore, type StoreSettings} from '../source/state/store.js';
import type {AccountConfig} from '../source/accounts/types.js';
import type {RequestRecord} from '../source/state/records.js';
import {
	packSnapshot, recordJson, snapshotJson, unpackSnapshot,
} from '../source/state/record-json.js';
import {remoteStore} from '../source/runtime/threads/remote-store.js';

const accounts: AccountConfig[] = [{name: 'home', kind: 'oauth'}, {name: 'key', kind: 'apikey'}];
const settings: StoreSettings = {
	strategy: 'maximus', burstRpmLimit: 10, stickyTtlMs: 600_000, expirySoonSeconds: 1800, fallbackModel: null,
};

let sequence = 0;
function record(overrides: Partial<RequestRecord> = {}): RequestRecord {
	sequence++;
	const tsMs = Date.now();
	return {
		id: `r-${sequence}`, tsMs, startedMs: tsMs - 1200, account: 'home', model: 'claude-sonnet-4-6', status: 200,
		inputTokens: 100, outputTokens: 50, cacheReadTokens: 1000, cacheWriteTokens: 200, durationMs: 1200, ttftMs: 300,
		attempts: [{account: 'key', status: 429, reason: 'quota'}], outcome: 'complete', stream: true, path: '/v1/messages', costUsd: 0.25, frontDoor: 'anthropic',
		decision: {
			by: 'strategy', strategy: 'maximus', candidates: [{
				account: 'home', eligible: true, why: 'chosen', score: 0.5,
			}, {
				account: 'key', eligible: false, why: 'cooling (quota)', score: null, untilMs: 1_800_000_000_000,
			}],
		},
		...overrides,
	};
}

function storeWith(records: number) {
	const store = new StateStore({accounts, settings, version: 't'});
	for (let index = 0; index < records; index++) {
		// A client's model text with a control character: the ledger cleans it before anyone reads it.
		store.recordRequest(record({model: index === 0 ? 'claude\u001B[2J-sonnet' : 'claude-opus-4-8'}));
	}

	store.addEvent('info', 'hello');
	return store;
}

/** What JSON keeps of a value (undefined members go), the one fidelity every path has. */
const viaJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

test('a snapshot as JSON is the whole snapshot, records included, cleaned as the ledger left them', () => {
	const snapshot = storeWith(3).freshSnapshot();
	const parsed = JSON.parse(snapshotJson(snapshot)) as {requests: RequestRecord[]};
	assert.deepEqual(parsed, viaJson(snapshot));
	assert.equal(parsed.requests.length, 3);
	assert.ok(parsed.requests.every(entry => !entry.model.includes('\u001B')));
	assert.equal(recordJson(snapshot.requests[0]!), JSON.stringify(snapshot.requests[0]));
});

test('packed for another thread and unpacked there, a snapshot arrives as it left', () => {
	const snapshot = storeWith(5).freshSnapshot();
	// The copy a MessagePort makes.
	const arrived = structuredClone(packSnapshot(snapshot));
	const {snapshot: unpacked} = unpackSnapshot(arrived, new Map());
	assert.deepEqual(viaJson(unpacked), viaJson(snapshot));
});

test('the screen parses only records it has not seen: the rest are the very objects of the last snapshot', () => {
	const store = storeWith(2);
	const first = unpackSnapshot(structuredClone(packSnapshot(store.freshSnapshot())), new Map());
	store.recordRequest(record({id: 'newest'}));
	const second = unpackSnapshot(structuredClone(packSnapshot(store.freshSnapshot())), first.known);
	const byId = (snapshot: typeof first.snapshot, id: string) => snapshot.requests.find(entry => entry.id === id);
	const kept = first.snapshot.requests[0]!;
	assert.equal(byId(second.snapshot, kept.id), kept, 'an unchanged record is reused, not parsed again');
	assert.equal(byId(second.snapshot, 'newest')?.id, 'newest');
	assert.equal(second.snapshot.requests.length, 3);
	// Only the records of the latest snapshot are remembered.
	assert.equal(second.known.size, 3);
});

test('the remote store shows each snapshot the worker sends, unpacked', () => {
	const store = storeWith(1);
	const remote = remoteStore(packSnapshot(store.freshSnapshot()), () => undefined);
	let notified = 0;
	remote.subscribe(() => {
		notified++;
	});
	store.recordRequest(record({id: 'later', model: 'claude-haiku-4-5'}));
	const sent = store.freshSnapshot();
	remote.update(structuredClone(packSnapshot(sent)));
	assert.equal(notified, 1);
	assert.ok(remote.getSnapshot().requests.some(entry => entry.id === 'later'));
	assert.deepEqual(viaJson(remote.getSnapshot()), viaJson(sent));
});
