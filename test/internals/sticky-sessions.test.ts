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

test('sessions bound again and again behind one that is not: the order holds and the queue stays in proportion', () => {
	let now = 0;
	const sticky = new StickySessions(1_000_000, () => now);
	sticky.bind('quiet', 'a');
	for (let index = 0; index < 30_000; index++) {
		now++;
		sticky.bind(`busy${index % 3}`, 'b');
		assert.ok(sticky.queued <= (2 * sticky.size) + 1025, `${sticky.queued} queued for ${sticky.size} sessions`);
	}

	for (let index = 0; sticky.size < 10_000; index++) {
		sticky.bind(`filler${index}`, 'c');
	}

	sticky.bind('one more', 'd');
	assert.equal(sticky.account('quiet'), undefined, 'the session bound longest ago went first');
	for (const busy of ['busy0', 'busy1', 'busy2']) {
		assert.equal(sticky.account(busy), 'b', `${busy} was bound since, so it stayed`);
	}

	sticky.bind('and another', 'd');
	assert.equal(sticky.account('busy0'), undefined, 'then the busy one bound longest ago (before every filler)');
	assert.equal(sticky.account('busy1'), 'b');
	assert.equal(sticky.account('filler0'), 'c');
});

test('a map that keeps turning over holds a queue in proportion to it', () => {
	let now = 0;
	const sticky = new StickySessions(1_000_000, () => now);
	for (let index = 0; index < 50_000; index++) {
		now++;
		sticky.bind(`s${index}`, 'a');
		assert.ok(sticky.queued <= (2 * sticky.size) + 1025, `${sticky.queued} queued for ${sticky.size} sessions`);
	}

	assert.equal(sticky.size, 10_000);
	assert.equal(sticky.account('s39999'), undefined);
	assert.equal(sticky.account('s40000'), 'a', 'the newest 10 000 stayed');
});
