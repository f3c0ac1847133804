// covers: source/history/feed.ts, source/history/series.ts, source/history/windows.ts, source/history/telemetry-sampler.ts, source/state/store.ts
// The history pane's data against known rows: tokens per account per bucket, the 5h sparklines,
// burn rates; the window chosen with setHistoryWindow; new rows showing on the next refresh. And
// the telemetry sampler: a sample a minute at most per account, only when something changed.
import assert from 'node:assert/strict';
import path from 'node:path';
import {test} from 'node:test';
import {openHistoryDatabase} from '../source/history/database.js';
import {TelemetrySampler} from '../source/history/telemetry-sampler.js';
import type {TelemetrySample} from '../source/history/rows.js';
import type {HistoryView} from '../source/monitor/contract.js';
import type {RateLimitTelemetry} from '../source/anthropic/telemetry.js';
import {StateStore} from '../source/state/store.js';
import type {RequestRecord} from '../source/state/records.js';
import {tempDir} from './helpers/temp-dir.js';
import {waitFor} from './helpers/wait.js';

const minute = 60_000;
const now = Date.parse('2026-11-20T12:00:30Z');
const clock = (text: string) => Date.parse(`2026-11-20T${text}Z`);
const resetSeconds = clock('14:00:00') / 1000;

function request(account: string | null, tsMs: number): RequestRecord {
	return {
		id: `r-${tsMs}-${account}`, tsMs, startedMs: tsMs - 1000, account, model: 'claude-sonnet-4-6', status: 200,
		// 100 + 50 + 200 = 350 tokens weigh on limits; cache reads do not.
		inputTokens: 100, outputTokens: 50, cacheReadTokens: 1000, cacheWriteTokens: 200,
		durationMs: 1000, ttftMs: 200, attempts: [], outcome: 'complete', stream: true, path: '/v1/messages', costUsd: 0.1, frontDoor: 'anthropic',
	};
}

test('the chart, the sparklines and the burn rate read back known data; another window is read when chosen', async () => {
	const directory = tempDir();
	const historyFile = path.join(directory, 'history.db');
	// 5h readings for home, as the sampler would have kept them.
	const seeded = openHistoryDatabase(historyFile, {nowMs: now, version: 't'});
	const sample = seeded.db.prepare('INSERT INTO telemetry_samples (ts_ms, account, utilization_5h, reset_5h) VALUES (?, \'home\', ?, ?)');
	sample.run(clock('10:50:00'), 0.1, resetSeconds);
	sample.run(clock('11:20:00'), 0.3, resetSeconds);
	sample.run(clock('11:40:00'), 0.5, resetSeconds);
	seeded.db.close();

	const store = new StateStore({
		accounts: [{name: 'home', kind: 'oauth'}, {name: 'key', kind: 'apikey'}],
		settings: {strategy: 'maximus', burstRpmLimit: 10, stickyTtlMs: 600_000, expirySoonSeconds: 1800, fallbackModel: null},
		version: 't',
		stateFile: path.join(directory, 'state.json'),
		historyFile,
		now: () => now,
		notifyIntervalMs: 5,
		historyTimings: {refreshEveryMs: 30},
	});
	try {
		store.recordRequest(request('home', clock('10:00:00')));
		store.recordRequest(request('home', clock('11:30:10')));
		store.recordRequest(request('key', clock('11:30:50')));
		store.recordRequest(request(null, clock('11:45:00')));
		store.recordRequest(request('home', clock('12:00:00')));
		store.recordTelemetry('home', {fiveHour: {utilization: 0.55, reset: resetSeconds, status: 'allowed'}, updatedMs: now - 10_000});
		await waitFor(() => store.history!.writer.queued === 0, 'the rows to be written');
		assert.equal(store.getSnapshot().history, undefined, 'nothing is read before a window is chosen');

		store.setHistoryWindow('1h');
		const view = await waitFor(() => store.getSnapshot().history, 'the 1h view');
		assert.equal(view.window, '1h');
		assert.equal(view.bucketMs, minute);
		assert.equal(view.buckets.length, 60);
		assert.equal(view.buckets[0]!.startMs, clock('11:01:00'));
		assert.equal(view.buckets.at(-1)!.startMs, clock('12:00:00'), 'the last bucket is the one still filling');
		const busy = view.buckets.filter(bucket => Object.keys(bucket.perAccount).length > 0);
		assert.deepEqual(busy, [
			{startMs: clock('11:30:00'), perAccount: {home: 350, key: 350}},
			{startMs: clock('12:00:00'), perAccount: {home: 350}},
		], 'shunt\'s own answers and requests before the window are not in it');

		const home = view.sparklines['home']!;
		assert.equal(home.length, 60);
		assert.deepEqual(home.slice(0, 19), Array.from({length: 19}, () => 0.1), 'the reading from before the window stands until the next one');
		assert.deepEqual(home.slice(19, 39), Array.from({length: 20}, () => 0.3));
		assert.deepEqual(home.slice(39, 59), Array.from({length: 20}, () => 0.5));
		assert.equal(home[59], 0.55, 'the bucket filling now has the live telemetry');
		assert.deepEqual(view.sparklines['key'], Array.from({length: 60}, () => null), 'nothing known for the API key');

		const burn = view.burn.accounts['home']!;
		// From 0.3 (in force 30 minutes ago) to 0.55 now: 0.5 an hour; 45 % left is 54 minutes.
		assert.ok(Math.abs(burn.perHour! - 0.5) < 1e-9, String(burn.perHour));
		assert.ok(Math.abs(burn.spentInMs! - (54 * minute)) < 1, String(burn.spentInMs));
		assert.equal(burn.resetsInMs, (resetSeconds * 1000) - now);
		assert.deepEqual(burn.sevenDay, {perHour: null, spentInMs: null, resetsInMs: null});
		assert.deepEqual(view.burn.accounts['key'], {perHour: null, spentInMs: null, resetsInMs: null, sevenDay: {perHour: null, spentInMs: null, resetsInMs: null}});
		assert.ok(Math.abs(view.burn.pool.spentInMs! - (54 * minute)) < 1, 'the pool is home alone: the key has no windows');

		// A new request in the bucket still filling shows on a following refresh.
		store.recordRequest(request('key', now - 5000));
		await waitFor(() => store.getSnapshot().history?.buckets.at(-1)?.perAccount['key'] === 350, 'the new request in the last bucket');

		store.setHistoryWindow('24h');
		const day = await waitFor(() => {
			const history = store.getSnapshot().history;
			return history?.window === '24h' && history.buckets.length === 48 ? history : undefined;
		}, 'the 24h view');
		const totals = (history: HistoryView) => history.buckets.filter(bucket => Object.keys(bucket.perAccount).length > 0);
		assert.deepEqual(totals(day), [
			{startMs: clock('10:00:00'), perAccount: {home: 350}},
			{startMs: clock('11:30:00'), perAccount: {home: 350, key: 350}},
			{startMs: clock('12:00:00'), perAccount: {home: 350, key: 350}},
		]);

		store.setHistoryWindow(null);
		await waitFor(() => store.getSnapshot().history === undefined, 'no history once none is chosen');
	} finally {
		store.close();
	}
});

test('the sampler keeps a reading at most once a minute per account, and only when it changed', () => {
	let clockMs = now;
	const telemetry = new Map<string, RateLimitTelemetry>();
	const kept: TelemetrySample[] = [];
	const sampler = new TelemetrySampler({
		accounts: () => ['home', 'key'],
		telemetry: name => telemetry.get(name),
		now: () => clockMs,
		add: sample => kept.push(sample),
	});
	const reading = (utilization: number): RateLimitTelemetry => ({fiveHour: {utilization, reset: resetSeconds, status: 'allowed'}, sevenDay: {utilization: 0.2, reset: resetSeconds + 86_400}, updatedMs: clockMs});

	sampler.sample();
	assert.equal(kept.length, 0, 'no telemetry yet: nothing to keep');
	telemetry.set('home', reading(0.1));
	sampler.sample();
	assert.deepEqual(kept, [{tsMs: now, account: 'home', utilization5h: 0.1, reset5h: resetSeconds, status5h: 'allowed', utilization7d: 0.2, reset7d: resetSeconds + 86_400, status7d: null, keyHeadroom: null}]);
	clockMs += 30_000;
	telemetry.set('home', reading(0.2));
	sampler.sample();
	assert.equal(kept.length, 1, 'changed, but within the minute');
	clockMs += 31_000;
	sampler.sample();
	assert.equal(kept.length, 2, 'a minute on, the change is kept');
	assert.equal(kept[1]!.utilization5h, 0.2);
	assert.equal(kept[1]!.tsMs, now + 30_000, 'stamped with when the headers were read');
	clockMs += 5 * minute;
	telemetry.set('home', {...reading(0.2), updatedMs: clockMs});
	sampler.sample();
	assert.equal(kept.length, 2, 'the same reading again is not kept');
	telemetry.set('key', {requests: {limit: 100, remaining: 25, resetMs: clockMs + minute}, updatedMs: clockMs});
	sampler.sample();
	assert.equal(kept.at(-1)!.account, 'key');
	assert.equal(kept.at(-1)!.keyHeadroom, 0.25);
});
