// covers: source/history/writer.ts
// The writer on its own, with a sink that can be made to fail: a bounded queue while writes fail,
// one line when they start failing and one for what was dropped, retries with a pause, and a
// backlog written in slices.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {HistoryWriter, type HistoryBatch} from '../source/history/writer.js';
import type {RequestRecord} from '../source/state/records.js';
import {waitFor} from './helpers/wait.js';

const record = (id: number) => ({id: String(id)}) as unknown as RequestRecord;

test('while writes fail the queue is bounded; one problem line when they start, one for what was dropped once they work again', async () => {
	let failing = true;
	const written: string[] = [];
	const problems: string[] = [];
	const writer = new HistoryWriter({
		write(batch: HistoryBatch) {
			if (failing) {
				throw new Error('SQLITE_FULL: database or disk is full');
			}

			written.push(...batch.requests.map(request => request.id));
		},
		problem: message => problems.push(message),
		flushEveryMs: 5,
		maxQueued: 100,
		retryMs: 10,
		maxRetryMs: 20,
	});
	try {
		for (let index = 0; index < 150; index++) {
			writer.addRequest(record(index));
		}

		assert.equal(writer.queued, 100, 'no more than maxQueued wait in memory');
		assert.equal(writer.dropped, 50);
		await waitFor(() => problems.length > 0, 'the first failure reported');
		assert.deepEqual(problems, ['history: could not write (SQLITE_FULL: database or disk is full); keeping up to 100 records in memory and retrying']);
		// Retries go on without a line each.
		const failedSoFar = writer.transactions;
		await new Promise(resolve => setTimeout(resolve, 60));
		assert.equal(problems.length, 1);
		assert.equal(writer.transactions, failedSoFar);

		failing = false;
		await waitFor(() => writer.queued === 0, 'the queue written once writes work');
		assert.deepEqual(written, Array.from({length: 100}, (_, index) => String(index)), 'what waited is written, in order');
		assert.deepEqual(problems.slice(1), ['history: 50 records could not be saved while writes failed and were dropped']);
	} finally {
		writer.close();
	}
});

test('a backlog is written in slices of maxBatch, and flushSync writes everything on shutdown', () => {
	const sizes: number[] = [];
	const writer = new HistoryWriter({write: batch => sizes.push(batch.requests.length + batch.events.length), problem: () => undefined, maxBatch: 300});
	for (let index = 0; index < 1000; index++) {
		writer.addRequest(record(index));
	}

	writer.addEvent({tsMs: 1, kind: 'info', message: 'x'});
	writer.flushSync();
	assert.deepEqual(sizes, [300, 300, 300, 101]);
	assert.equal(writer.transactions, 4);
	writer.close();
	writer.addRequest(record(1));
	assert.equal(writer.queued, 0, 'nothing is taken after close');
});
