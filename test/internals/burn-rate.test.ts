// covers: source/history/burn-rate.ts
// The burn rate, table by table: the pace over the recent past, when the window is spent at that
// pace, when it resets, and the pool's combined figures.
import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {
	burnRate, poolBurn, type Burn, type UtilizationPoint,
} from '../../source/history/burn-rate.js';

const minute = 60_000;
const hour = 60 * minute;
const now = Date.parse('2026-11-20T12:00:00Z');
const reset = now + (70 * minute);
const lookback = 30 * minute;

const at = (minutesAgo: number, utilization: number, resetMs: number | null = reset): UtilizationPoint => ({tsMs: now - (minutesAgo * minute), utilization, resetMs});

describe('burnRate', () => {
	const cases: Array<[string, UtilizationPoint[], Partial<Burn>]> = [
		['no readings: nothing known', [], {
			perHour: null, spentInMs: null, resetsInMs: null, utilization: null,
		}],
		['20 % in the last 30 minutes from 40 %: 40 %/h, the rest (40 %) spent in 1 h; resets in 70 min',
			[at(45, 0.35), at(30, 0.4), at(15, 0.5), at(0, 0.6)],
			{
				perHour: 0.4, spentInMs: hour, resetsInMs: 70 * minute, utilization: 0.6,
			}],
		['a reading stands until the next: 0.4 from 50 minutes ago was in force 30 minutes ago',
			[at(50, 0.4), at(10, 0.55)],
			{perHour: 0.3, spentInMs: 1.5 * hour, utilization: 0.55}],
		['unchanged for an hour: a pace of 0, never spent at it', [at(60, 0.3)], {perHour: 0, spentInMs: null, resetsInMs: 70 * minute}],
		['only a minute of readings: too short to call a pace', [at(1, 0.2), at(0, 0.21)], {perHour: null, spentInMs: null, utilization: 0.21}],
		['readings only since 10 minutes ago: the pace over those 10 minutes', [at(10, 0.1), at(0, 0.2)], {perHour: 0.6}],
		['a spent window (100 %): spent now', [at(20, 0.9), at(0, 1)], {spentInMs: 0, perHour: 0.3}],
		['past 100 % (overage): still spent now', [at(10, 1.1)], {spentInMs: 0}],
		['the window reset 10 minutes ago (new reset): only the new window counts',
			[at(40, 0.9, now - (10 * minute)), at(5, 0.05, now + (5 * hour) - (10 * minute)), at(0, 0.1, now + (5 * hour) - (10 * minute))],
			{perHour: 0.6, utilization: 0.1, resetsInMs: (5 * hour) - (10 * minute)}],
		['a fall in utilization starts a new window even where the reset is unknown',
			[at(40, 0.8, null), at(20, 0.02, null), at(0, 0.12, null)],
			{perHour: 0.3, resetsInMs: null}],
		['the latest reading\'s reset has passed: that window is over, nothing known of the next',
			[at(30, 0.5, now - minute)],
			{
				perHour: null, spentInMs: null, resetsInMs: null, utilization: 0,
			}],
		['readings after now are not yet', [at(10, 0.2), {tsMs: now + minute, utilization: 0.9, resetMs: reset}], {utilization: 0.2}],
		['a reset reported a little differently is the same window', [at(30, 0.2, reset - 60_000), at(0, 0.3, reset)], {perHour: 0.2, spentInMs: 3.5 * hour}],
	];
	for (const [name, points, expected] of cases) {
		test(name, () => {
			const burn = burnRate(points, now, lookback);
			for (const [key, value] of Object.entries(expected)) {
				const actual = burn[key as keyof Burn];
				if (typeof value === 'number' && typeof actual === 'number') {
					assert.ok(Math.abs(actual - value) < 1e-6, `${key}: ${actual} ≠ ${value}`);
				} else {
					assert.equal(actual, value, key);
				}
			}
		});
	}
});

describe('poolBurn', () => {
	const burn = (fields: Partial<Burn>): Burn => ({
		perHour: null, spentInMs: null, resetsInMs: null, utilization: null, ...fields,
	});
	const cases: Array<[string, Burn[], ReturnType<typeof poolBurn>]> = [
		['no accounts known: nothing', [burn({})], {perHour: null, spentInMs: null, resetsInMs: null}],
		['two accounts at 20 %/h each, 80 % headroom together: 2 h; the soonest reset',
			[burn({utilization: 0.6, perHour: 0.2, resetsInMs: 3 * hour}), burn({utilization: 0.6, perHour: 0.2, resetsInMs: hour})],
			{perHour: 0.4, spentInMs: 2 * hour, resetsInMs: hour}],
		['an idle account adds headroom, not pace', [burn({utilization: 0.5, perHour: 0.5}), burn({utilization: 0, perHour: 0})], {perHour: 0.5, spentInMs: 3 * hour, resetsInMs: null}],
		['every account spent: the pool is spent now', [burn({utilization: 1, perHour: 0}), burn({utilization: 1.2, perHour: null, resetsInMs: minute})], {perHour: 0, spentInMs: 0, resetsInMs: minute}],
		['headroom but no pace known yet', [burn({utilization: 0.3})], {perHour: null, spentInMs: null, resetsInMs: null}],
	];
	for (const [name, burns, expected] of cases) {
		test(name, () => {
			const pool = poolBurn(burns);
			assert.deepEqual(Object.keys(pool).toSorted(), ['perHour', 'resetsInMs', 'spentInMs']);
			for (const key of ['perHour', 'spentInMs', 'resetsInMs'] as const) {
				const actual = pool[key];
				const value = expected[key];
				if (typeof value === 'number' && typeof actual === 'number') {
					assert.ok(Math.abs(actual - value) < 1e-6, `${key}: ${actual} ≠ ${value}`);
				} else {
					assert.equal(actual, value, key);
				}
			}
		});
	}
});
