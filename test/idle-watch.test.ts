// covers: source/util/idle-watch.ts
// One timer for many idle timeouts: silence is reported, movement and our own pauses are not.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {IdleWatch} from '../source/util/idle-watch.js';
import {waitFor} from './helpers/wait.js';

test('a silent stream is reported once; a moving, paused or stopped one is not', async () => {
	const watch = new IdleWatch(100);
	const idle: string[] = [];
	const started = Date.now();
	watch.watch(() => {
		idle.push('silent');
	});
	const moving = watch.watch(() => {
		idle.push('moving');
	});
	watch.watch(() => {
		idle.push('paused');
	}, () => true);
	const stopped = watch.watch(() => {
		idle.push('stopped');
	});
	stopped.stop();
	const keepMoving = setInterval(() => {
		moving.touch();
	}, 20);
	try {
		await waitFor(() => idle.includes('silent'), 'the silent stream to be reported', 2000);
		assert.ok(Date.now() - started >= 100, 'not before its timeout');
		await waitFor(() => Date.now() - started > 400, 'a few more sweeps');
	} finally {
		clearInterval(keepMoving);
	}

	assert.deepEqual(idle, ['silent'], 'reported once, and nothing else');
	await waitFor(() => idle.includes('moving'), 'the stream that stopped moving', 2000);
});
