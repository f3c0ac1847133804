// covers: source/util/bounded-memo.ts
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {boundedMemo} from '../source/util/bounded-memo.js';

test('boundedMemo computes each key once, remembers undefined answers too, and stays bounded', () => {
	const calls: string[] = [];
	const lengthOrNothing = boundedMemo(key => {
		calls.push(key);
		return key === '' ? undefined : key.length;
	}, 3);

	assert.equal(lengthOrNothing('ab'), 2);
	assert.equal(lengthOrNothing('ab'), 2);
	assert.equal(lengthOrNothing(''), undefined);
	assert.equal(lengthOrNothing(''), undefined);
	assert.deepEqual(calls, ['ab', ''], 'a remembered answer, even undefined, is not computed again');

	// Full (3 keys): the next new key empties the table, so older keys are computed once more.
	lengthOrNothing('abc');
	lengthOrNothing('abcd');
	assert.equal(lengthOrNothing('ab'), 2);
	assert.deepEqual(calls, ['ab', '', 'abc', 'abcd', 'ab']);
	assert.equal(lengthOrNothing('abcd'), 4);
	assert.equal(calls.length, 5, 'the newest key survived the reset');
});
