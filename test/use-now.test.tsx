/** @jsxRuntime automatic */
// covers: source/hooks/use-now.ts
import assert from 'node:assert/strict';
import {mock, test} from 'node:test';
import {Text} from 'ink';
import {render} from 'ink-testing-library';
import useNow from '../source/monitor/hooks/use-now.js';

function Clock({latest}: {readonly latest?: unknown}) {
	return <Text>{String(useNow(1000, latest))}</Text>;
}

// React runs effects and commits timer-driven updates on its scheduler (setImmediate, not faked).
async function settle(): Promise<void> {
	for (let index = 0; index < 3; index++) {
		await new Promise(resolve => {
			setImmediate(resolve);
		});
	}
}

// Fake timers and a fake Date: the ticker's decisions are checked exactly, without waiting.
test('useNow ticks once a second on its own', async t => {
	mock.timers.enable({apis: ['setInterval', 'Date'], now: 1_000_000});
	t.after(() => {
		mock.timers.reset();
	});
	const app = render(<Clock/>);
	t.after(() => {
		app.unmount();
	});
	await settle();
	assert.equal(app.lastFrame(), '1000000');
	mock.timers.tick(1000);
	await settle();
	assert.equal(app.lastFrame(), '1001000');
	mock.timers.tick(1000);
	await settle();
	assert.equal(app.lastFrame(), '1002000');
});

test('useNow skips its tick while snapshots keep the screen fresh, and resumes when they stop', async t => {
	mock.timers.enable({apis: ['setInterval', 'Date'], now: 1_000_000});
	t.after(() => {
		mock.timers.reset();
	});
	const app = render(<Clock latest={{n: 0}}/>);
	t.after(() => {
		app.unmount();
	});
	await settle();
	// A new snapshot every half second: the screen re-renders for it, so the ticker stays quiet.
	for (let index = 1; index <= 6; index++) {
		mock.timers.tick(500);

		await settle();
		app.rerender(<Clock latest={{n: index}}/>);

		await settle();
	}

	assert.equal(app.lastFrame(), '1000000', 'no frame of its own while snapshots arrive');
	// Snapshots stop (the proxy went idle): the next tick draws the clock again, and every one after.
	const last = {n: 7};
	app.rerender(<Clock latest={last}/>);
	await settle();
	mock.timers.tick(1000);
	await settle();
	assert.equal(app.lastFrame(), '1004000');
	mock.timers.tick(1000);
	await settle();
	assert.equal(app.lastFrame(), '1005000');
});
