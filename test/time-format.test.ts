// covers: source/util/clock-time.ts, source/util/duration.ts
// Formatting a time never throws and never prints nonsense, whatever number it is handed.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {clockTime} from '../source/util/clock-time.js';
import {formatCountdown, formatDuration} from '../source/util/duration.js';

const absurd = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e20, -1e20, 8.64e15 + 1, Number.MAX_VALUE];

test('clockTime of an absurd instant is a placeholder, not "Invalid Date" or a throw', () => {
	for (const value of absurd) {
		assert.equal(clockTime(value), '--:--:--', `clockTime(${value})`);
	}

	assert.match(clockTime(Date.now()), /^\d{2}:\d{2}:\d{2}$/);
	const noon = new Date(2026, 6, 31, 12, 34, 56).getTime();
	assert.equal(clockTime(noon), '12:34:56');
});

test('formatDuration of a non-finite span is a dash; an absurdly long one is capped', () => {
	assert.equal(formatDuration(Number.NaN), '—');
	assert.equal(formatDuration(Number.POSITIVE_INFINITY, 'up'), '—');
	assert.equal(formatDuration(Number.NEGATIVE_INFINITY), '0s', 'negative spans are 0s, as before');
	assert.equal(formatDuration(1e20, 'up'), '>9999d');
	assert.equal(formatDuration(Number.MAX_VALUE), '>9999d');
	assert.equal(formatDuration(150 * 86_400_000), '150d0h', 'a long uptime still prints');
	assert.equal(formatDuration(45_000), '45s', 'sane values unchanged');
});

test('formatCountdown never throws or prints nonsense for absurd deadlines', () => {
	const now = Date.now();
	assert.equal(formatCountdown(Number.NaN, now), null);
	assert.equal(formatCountdown(Number.POSITIVE_INFINITY, now), '—');
	assert.equal(formatCountdown(1e20, now), '>9999d');
	assert.equal(formatCountdown(now + 90_000, now), '1m30s');
	assert.equal(formatCountdown(now - 1, now), null);
});
