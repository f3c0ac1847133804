// covers: source/state/stamp-window.ts
// The burst window's stamps: counted, dropped, inserted and taken back as a plain sorted list
// would be, however many pass through it.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {StampWindow} from '../../source/state/stamp-window.js';

test('a window over many minutes keeps exactly the stamps of the last minute, oldest first', () => {
	const window = new StampWindow();
	const kept: number[] = [];
	// Five minutes at 250 stamps a second: far past the point where expired stamps are cut off.
	for (let nowMs = 0; nowMs < 300_000; nowMs += 4) {
		window.push(nowMs);
		kept.push(nowMs);
		window.dropUpTo(nowMs - 60_000);
		while (kept.length > 0 && kept[0]! <= nowMs - 60_000) {
			kept.shift();
		}

		if (nowMs % 10_000 === 0) {
			assert.equal(window.size, kept.length, `size at ${nowMs}`);
			assert.equal(window.oldest(), kept[0], `oldest at ${nowMs}`);
		}
	}

	assert.equal(window.size, 15_000);
	window.dropUpTo(Number.MAX_SAFE_INTEGER);
	assert.equal(window.size, 0);
	assert.equal(window.oldest(), undefined);
});

test('a stamp from elsewhere goes in its place; one taken back goes, an unknown or dropped one is refused', () => {
	const window = new StampWindow();
	for (const stamp of [10, 20, 30, 40]) {
		window.push(stamp);
	}

	window.insert(25);
	window.insert(5);
	window.dropUpTo(10);
	assert.equal(window.size, 4, '5 and 10 dropped');
	assert.equal(window.oldest(), 20);
	assert.equal(window.remove(25), true);
	assert.equal(window.remove(25), false, 'only once');
	assert.equal(window.remove(10), false, 'a dropped stamp is not kept');
	assert.equal(window.remove(99), false);
	assert.equal(window.size, 3);
	window.dropUpTo(30);
	assert.equal(window.oldest(), 40);
	// An insert older than everything kept still lands before it, not among the dropped ones.
	window.insert(35);
	assert.equal(window.oldest(), 35);
});
