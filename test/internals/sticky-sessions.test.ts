// covers: source/state/sticky-sessions.ts
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {StickySessions} from '../../source/state/sticky-sessions.js';

test('a session stays on its account for the TTL, restarted by every bind, then is gone', () => {
	let now = 1000;
	const sticky = new StickySessions(100, () => now);
	sticky.bind('s', 'work');
	now += 90;
	assert.equal(sticky.account('s'), 'work');
	sticky.bind('s', 'work');
	now += 90;
	assert.equal(sticky.account('s'), 'work', 'the second bind restarted the TTL');
	now += 11;
	assert.equal(sticky.account('s'), undefined);
	assert.equal(sticky.size, 0, 'an expired entry is dropped when read');
});

test('the map holds at most 10 000 sessions: a full map drops its oldest, expired ones first', () => {
	let now = 0;
	const sticky = new StickySessions(1000, () => now);
	for (let index = 0; index < 10_000; index++) {
		sticky.bind(`s${index}`, 'a');
	}

	assert.equal(sticky.size, 10_000);
	sticky.bind('s0', 'b');
	assert.equal(sticky.size, 10_000, 'a re-bind takes no new room');
	sticky.bind('new', 'c');
	assert.equal(sticky.size, 10_000);
	assert.equal(sticky.account('s1'), undefined, 'the oldest went');
	assert.equal(sticky.account('s0'), 'b', 'the re-bound one moved to the back');
	assert.equal(sticky.account('new'), 'c');
	now = 1500;
	sticky.bind('later', 'd');
	assert.equal(sticky.size, 1, 'every expired entry at the front went with the next bind');
});
