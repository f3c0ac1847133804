// covers: source/monitor/panes/history/history-chart.ts, source/monitor/panes/history/history-rows.ts, source/monitor/panes/history/burn-words.ts, source/monitor/panes/history/sparkline.ts, source/monitor/panes/pane-list.ts, source/monitor/keys/key-bindings.ts, source/util/duration.ts
// The history pane's pure builders, table by table: the chart's scale, stacks, grouping and time
// labels; the sparklines; the burn rate in words; the pane's three layouts from a known
// HistoryView, its legend, and names that try to write to the terminal.
import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import type {AccountBurn, BurnRate, HistoryView} from '../../source/monitor/contract.js';
import {stepHistoryWindow} from '../../source/monitor/keys/key-bindings.js';
import type {Segment} from '../../source/monitor/kit/segments.js';
import {colors, otherSeriesStyle, seriesStyles} from '../../source/monitor/kit/theme.js';
import {displayWidth} from '../../source/monitor/kit/text-width.js';
import {burnWords, type BurnForm} from '../../source/monitor/panes/history/burn-words.js';
import {
	buildChart, niceCeiling, stackCells, timeLabels,
} from '../../source/monitor/panes/history/history-chart.js';
import {
	buildHistory, historyHeightFor, historyRowCount, type HistoryInput,
} from '../../source/monitor/panes/history/history-rows.js';
import {sparkChar, sparklineSegments, sparkValues} from '../../source/monitor/panes/history/sparkline.js';
import {historyRoom} from '../../source/monitor/panes/pane-list.js';
import {formatEstimate} from '../../source/util/duration.js';

const minute = 60_000;
const hour = 60 * minute;
const now = Date.parse('2026-11-20T12:00:30Z');
const text = (segments: readonly Segment[]) => segments.map(segment => segment.text).join('');
const none: BurnRate = {perHour: null, spentInMs: null, resetsInMs: null};
const burn = (rate: Partial<BurnRate>, sevenDay: Partial<BurnRate> = {}): AccountBurn => ({...none, ...rate, sevenDay: {...none, ...sevenDay}});

describe('formatEstimate: projections to the minute', () => {
	const cases: Array<[number, string]> = [
		[0, '<1m'],
		[29_999, '<1m'],
		[30_000, '1m'],
		[42 * minute, '42m'],
		[(59 * minute) + 29_000, '59m'],
		[(59 * minute) + 31_000, '1h'],
		[65 * minute, '1h05m'],
		[70 * minute, '1h10m'],
		[3 * hour, '3h'],
		[24 * hour, '1d'],
		[52 * hour, '2d4h'],
		[-5, '<1m'],
		[Number.NaN, '—'],
		[Number.POSITIVE_INFINITY, '—'],
		[1e20, '>9999d'],
	];
	for (const [ms, expected] of cases) {
		test(`${ms} ms → ${expected}`, () => {
			assert.equal(formatEstimate(ms), expected);
		});
	}
});

describe('niceCeiling: a scale top that reads as a round number', () => {
	const cases: Array<[number, number]> = [
		[0, 0], [-3, 0], [Number.NaN, 0], [1, 1], [7, 8], [100, 100], [101, 150], [260, 300], [400, 400], [401, 500], [700, 800], [999, 1000], [1000, 1000], [2060, 3000], [1_234_567, 1_500_000],
	];
	for (const [value, expected] of cases) {
		test(`${value} → ${expected}`, () => {
			assert.equal(niceCeiling(value), expected);
		});
	}
});

describe('stackCells: each series its share of a column, bottom up', () => {
	const cases: Array<[string, number[], number, number, Array<[number, number]>]> = [
		['one series, half the scale', [200, 0], 400, 4, [[0, 2], [2, 2]]],
		['two series add up to the column\'s height exactly', [300, 100], 400, 4, [[0, 3], [3, 4]]],
		['boundaries round from the running total', [50, 50], 400, 4, [[0, 1], [1, 1]]],
		['a tiny column keeps one cell, its largest series\'', [2, 10, 3], 400, 4, [[0, 0], [0, 1], [0, 0]]],
		['an empty column has no cells', [0, 0], 400, 4, [[0, 0], [0, 0]]],
		['no scale: nothing to stack', [5], 0, 4, [[0, 0]]],
		['never taller than the chart', [500], 400, 4, [[0, 4]]],
	];
	for (const [name, parts, top, rows, expected] of cases) {
		test(name, () => {
			assert.deepEqual(stackCells(parts, top, rows).map(range => [range.from, range.to]), expected);
		});
	}
});

describe('timeLabels: now at the right end, round distances back from it', () => {
	test('1h over 60 cells: every ten minutes, centred on their instants', () => {
		const line = timeLabels(60, now - (59.5 * minute), now + (0.5 * minute), now);
		assert.equal(line, '        -50m      -40m      -30m      -20m      -10m     now');
		assert.equal(line.length, 60);
	});

	test('7d over 42 cells: every two days', () => {
		const line = timeLabels(42, now - (166 * hour), now + (2 * hour), now);
		// Each centred on its instant: two days back is 29.5 cells in.
		assert.equal(line.indexOf('-6d'), 4);
		assert.equal(line.indexOf('-4d'), 16);
		assert.equal(line.indexOf('-2d'), 28);
		assert.equal(line.indexOf('now'), 39);
	});

	test('too narrow for any distance: just now; too narrow for that: nothing', () => {
		assert.equal(timeLabels(10, now - (59.5 * minute), now + (0.5 * minute), now), '       now');
		assert.equal(timeLabels(2, now - hour, now, now), '  ');
	});
});

describe('buildChart', () => {
	const two = seriesStyles.slice(0, 2);
	test('stacks, scale and labels of known buckets, one column of three cells per bucket', () => {
		const chart = buildChart({
			values: [[100, 0], [50, 50], [0, 0], [300, 100], [0, 10]], styles: two, firstStartMs: now - (4.5 * minute), bucketMs: minute, nowMs: now, width: 30, rows: 4,
		});
		assert.equal(chart.top, 400);
		assert.equal(chart.bucketsPerColumn, 1);
		assert.equal(chart.cellsPerColumn, 3);
		assert.deepEqual(chart.lines.map(line => text(line.segments)), [
			'  400 ┤         ▓▓    ',
			'      │         ██    ',
			'  200 ┤         ██    ',
			'      │██ ██    ██ ▓▓ ',
			'    0 └───────────────',
			'                   now',
		]);
		const bars = chart.lines.slice(0, 4).flatMap(line => line.segments);
		assert.ok(bars.filter(segment => segment.text.includes('█')).every(segment => segment.color === two[0]!.color), 'the first series in its colour');
		assert.ok(bars.filter(segment => segment.text.includes('▓')).every(segment => segment.color === two[1]!.color), 'the second in its own');
	});

	test('more buckets than room: two to a column, grouped from now back, the odd oldest one left out', () => {
		// 61 buckets in 33 cells: 30 columns of two; the oldest (huge) bucket is not drawn and does not set the scale.
		const values = [[1000, 0], ...Array.from({length: 60}, (_, index) => [index % 2 === 0 ? 1 : 0, index % 2 === 0 ? 0 : 1])];
		const chart = buildChart({
			values, styles: two, firstStartMs: now - (60.5 * minute), bucketMs: minute, nowMs: now, width: 40, rows: 2,
		});
		assert.equal(chart.bucketsPerColumn, 2);
		assert.equal(chart.cellsPerColumn, 1);
		assert.equal(chart.top, 2);
		const lines = chart.lines.map(line => text(line.segments));
		assert.equal(lines[0], `    2 ┤${'▓'.repeat(30)}`);
		assert.equal(lines[1], `      │${'█'.repeat(30)}`);
		assert.equal(lines[2], `    0 └${'─'.repeat(30)}`);
		assert.ok(lines.every(line => displayWidth(line) <= 40));
	});

	test('no tokens at all: an empty plot that says so', () => {
		const chart = buildChart({
			values: [[0], [0], [0]], styles: two.slice(0, 1), firstStartMs: now - (2.5 * minute), bucketMs: minute, nowMs: now, width: 40, rows: 3,
		});
		assert.equal(chart.top, 0);
		assert.match(text(chart.lines[1]!.segments), /no tokens used in this window/);
		assert.doesNotMatch(chart.lines.map(line => text(line.segments)).join('\n'), /[█▓]/);
	});
});

describe('sparklines', () => {
	const levels: Array<[number, string]> = [[0, '▁'], [0.1, '▁'], [0.125, '▁'], [0.13, '▂'], [0.5, '▄'], [0.51, '▅'], [0.99, '█'], [1, '█'], [1.3, '█'], [-1, '▁'], [Number.NaN, '▁']];
	for (const [utilization, expected] of levels) {
		test(`${utilization} used → ${expected}`, () => {
			assert.equal(sparkChar(utilization), expected);
		});
	}

	const squeezed: Array<[string, Array<number | null>, number, Array<number | null>]> = [
		['room for each', [0.1, null, 0.3], 3, [0.1, null, 0.3]],
		['two to a character: the last known value of each pair', [0.1, null, 0.3, null, null, 0.6], 3, [0.1, 0.3, 0.6]],
		['grouping is even: four characters of room still take pairs', [0.1, null, 0.3, null, null, 0.6], 4, [0.1, 0.3, 0.6]],
		['nothing known in a group: unknown', [null, null, 0.2, 0.4], 2, [null, 0.4]],
		['the odd oldest value is left out', [0.9, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6], 3, [0.3, 0.6]],
		['no room', [0.5], 0, []],
	];
	for (const [name, values, width, expected] of squeezed) {
		test(name, () => {
			assert.deepEqual(sparkValues(values, width), expected);
		});
	}

	test('coloured like the gauges, unknown readings muted', () => {
		assert.deepEqual(sparklineSegments([0.1, 0.2, null, 0.9]), [
			{text: '▁▂', color: colors.good},
			{text: '·', color: colors.muted},
			{text: '█', color: colors.bad},
		]);
	});
});

describe('burnWords', () => {
	const cases: Array<[string, AccountBurn, number, BurnForm, boolean, string]> = [
		['spent before the reset', burn({perHour: 0.5, spentInMs: 42 * minute, resetsInMs: 70 * minute}), 0, 'long', false, 'at this pace the 5h window is spent in 42m; it resets in 1h10m'],
		['short', burn({perHour: 0.5, spentInMs: 42 * minute, resetsInMs: 70 * minute}), 0, 'short', false, 'spent in 42m · resets in 1h10m'],
		['the pool', burn({perHour: 0.5, spentInMs: 42 * minute, resetsInMs: 70 * minute}), 0, 'long', true, 'at this pace the pool\'s 5h headroom is spent in 42m; the next reset is in 1h10m'],
		['the reset comes first', burn({perHour: 0.1, spentInMs: 200 * minute, resetsInMs: 70 * minute}), 0, 'long', false, 'at this pace the 5h window is spent in 3h20m; it resets first, in 1h10m'],
		['the reset comes first, short', burn({perHour: 0.1, spentInMs: 200 * minute, resetsInMs: 70 * minute}), 0, 'short', false, 'spent in 3h20m · resets first, in 1h10m'],
		['the pool\'s next reset comes first', burn({perHour: 0.1, spentInMs: 200 * minute, resetsInMs: 70 * minute}), 0, 'long', true, 'at this pace the pool\'s 5h headroom is spent in 3h20m; the next reset is sooner, in 1h10m'],
		['spent now', burn({perHour: 0.3, spentInMs: 0, resetsInMs: 70 * minute}), 0, 'long', false, 'the 5h window is spent; it resets in 1h10m'],
		['spent now, short', burn({perHour: 0.3, spentInMs: 0, resetsInMs: 70 * minute}), 0, 'short', false, 'spent · resets in 1h10m'],
		['every account spent', burn({perHour: 0.3, spentInMs: 0, resetsInMs: 70 * minute}), 0, 'long', true, 'every 5h window is spent; the next reset is in 1h10m'],
		['nothing used', burn({perHour: 0, resetsInMs: 70 * minute}), 0, 'long', false, 'nothing used lately; it resets in 1h10m'],
		['nothing used, short', burn({perHour: 0, resetsInMs: 70 * minute}), 0, 'short', false, 'idle · resets in 1h10m'],
		['too few readings for a pace', burn({resetsInMs: 70 * minute}), 0, 'long', false, 'no pace for the 5h window yet; it resets in 1h10m'],
		['too few readings, short', burn({resetsInMs: 70 * minute}), 0, 'short', false, 'no pace yet · resets in 1h10m'],
		['too few readings for the pool', burn({resetsInMs: 70 * minute}), 0, 'long', true, 'no pace for the pool yet; the next reset is in 1h10m'],
		['nothing known at all', burn({}), 0, 'long', false, 'no pace for the 5h window yet'],
		['nothing known, short', burn({}), 0, 'short', false, 'no pace yet'],
		['the reset unknown', burn({perHour: 0.5, spentInMs: 42 * minute}), 0, 'long', false, 'at this pace the 5h window is spent in 42m'],
		['ten minutes after the reading: both countdowns went on', burn({perHour: 0.5, spentInMs: 42 * minute, resetsInMs: 70 * minute}), 10 * minute, 'long', false, 'at this pace the 5h window is spent in 32m; it resets in 1h00m'],
		['past the projected spending: under a minute, not negative', burn({perHour: 0.5, spentInMs: 5 * minute, resetsInMs: 70 * minute}), 6 * minute, 'long', false, 'at this pace the 5h window is spent in <1m; it resets in 1h04m'],
		['past the reset', burn({perHour: 0.5, spentInMs: 42 * minute, resetsInMs: 70 * minute}), 80 * minute, 'long', false, 'the 5h window has just reset'],
		['past the pool\'s next reset', burn({perHour: 0.5, spentInMs: 42 * minute, resetsInMs: 70 * minute}), 80 * minute, 'short', true, 'just reset'],
		['the 7d window in trouble too', burn({perHour: 0.1, spentInMs: 200 * minute, resetsInMs: 70 * minute}, {perHour: 0.01, spentInMs: 52 * hour, resetsInMs: 96 * hour}), 0, 'long', false, 'at this pace the 5h window is spent in 3h20m; it resets first, in 1h10m; 7d window spent in 2d4h'],
		['the 7d window in trouble, short', burn({perHour: 0, resetsInMs: 70 * minute}, {perHour: 0.01, spentInMs: 52 * hour, resetsInMs: 96 * hour}), 0, 'short', false, 'idle · resets in 1h10m · 7d spent in 2d4h'],
		['the 7d window spent', burn({perHour: 0, resetsInMs: 70 * minute}, {perHour: 0.01, spentInMs: 0, resetsInMs: 96 * hour}), 0, 'long', false, 'nothing used lately; it resets in 1h10m; 7d window spent'],
		['the 7d window lasts until its reset: not mentioned', burn({perHour: 0, resetsInMs: 70 * minute}, {perHour: 0.01, spentInMs: 120 * hour, resetsInMs: 96 * hour}), 0, 'long', false, 'nothing used lately; it resets in 1h10m'],
	];
	for (const [name, rate, elapsedMs, form, pool, expected] of cases) {
		test(name, () => {
			assert.equal(text(burnWords(rate, elapsedMs, form, pool)), expected);
		});
	}

	test('trouble is loud: yellow for an account, red for the pool, red when spent; a window that lasts is quiet', () => {
		const trouble = burn({perHour: 0.5, spentInMs: 42 * minute, resetsInMs: 70 * minute});
		assert.equal(burnWords(trouble, 0, 'long', false)[0]!.color, colors.warn);
		assert.equal(burnWords(trouble, 0, 'long', true)[0]!.color, colors.bad);
		assert.equal(burnWords(burn({spentInMs: 0, resetsInMs: minute}), 0, 'short', false)[0]!.color, colors.bad);
		assert.equal(burnWords(burn({perHour: 0.1, spentInMs: 200 * minute, resetsInMs: 70 * minute}), 0, 'long', false)[0]!.color, colors.muted);
	});
});

/** Known data: home busy every seventh minute, work alongside, a removed account, home's 5h rising to full. */
function knownView(fields: Partial<HistoryView> = {}): HistoryView {
	return {
		window: '1h',
		bucketMs: minute,
		computedMs: now,
		buckets: Array.from({length: 60}, (_, index): HistoryView['buckets'][number] => ({
			startMs: now - (30 * 1000) - ((59 - index) * minute),
			perAccount: index % 7 === 0 ? {home: 1000 + (index * 10), work: 400, gone: 100} : {},
		})),
		sparklines: {home: Array.from({length: 60}, (_, index) => index / 59), work: Array.from({length: 60}, () => null)},
		burn: {
			accounts: {home: burn({perHour: 0.5, spentInMs: 54 * minute, resetsInMs: 70 * minute}), work: burn({})},
			pool: burn({perHour: 0.5, spentInMs: 54 * minute, resetsInMs: 70 * minute}),
		},
		...fields,
	};
}

const input = (fields: Partial<HistoryInput> = {}): HistoryInput => ({
	view: knownView(), accounts: ['home', 'work'], nowMs: now, width: 120, ...fields,
});
// Control characters, DEL, C1 and the bidi overrides: anything a terminal would act on.

const unsafe = /[\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;

describe('buildHistory', () => {
	test('the chart over one row per account, "others" and the pool; every row its symbol, tokens, sparkline, use now and burn', () => {
		const model = buildHistory(input(), 14);
		assert.equal(model.layout, 'chart');
		assert.equal(model.lines.length, 13, 'the pane\'s height less the title');
		const lines = model.lines.map(line => text(line.segments));
		// 14 lines: the title, 7 rows of bars, the axis, the time labels, 4 rows.
		assert.match(lines[0]!, /^ {3}3k ┤/, 'the busiest minute (2.06k) sets a 3k scale');
		assert.match(lines[7]!, /^ {4}0 └─{60}$/, 'one cell per minute');
		assert.match(lines[8]!, /-50m .* -10m +now$/);
		assert.match(lines[9]!, /^█ home {4}11\.5k {2}▁▁▁▁▂▂▂▃▃▃▃▄▄▄▄▅▅▅▆▆▆▆▇▇▇▇████ 100% {2}at this pace the 5h window is spent in 54m; it resets in 1h10m$/);
		assert.match(lines[10]!, /^▓ work {5}3\.6k {2}·{30} {4}– {2}no pace for the 5h window yet$/);
		assert.match(lines[11]!, /^: others {4}900 {2}accounts no longer configured$/);
		assert.match(lines[12]!, /^ {2}pool {6}16k {2}at this pace the pool's 5h headroom is spent in 54m; the next reset is in 1h10m$/);
		assert.equal(text(model.hint), '1h · tokens a bar of 1m  [ ] 15m 1h 6h 24h 3d 7d');
		assert.ok(lines.every(line => displayWidth(line) <= 120), lines.join('\n'));
	});

	test('the legend: each account\'s symbol and colour in the chart and on its row, so it reads without colour too', () => {
		const model = buildHistory(input(), 14);
		const bars = model.lines.slice(0, 7).flatMap(line => line.segments);
		const styles = [seriesStyles[0]!, seriesStyles[1]!, otherSeriesStyle];
		for (const [index, style] of styles.entries()) {
			const row = model.lines[9 + index]!.segments[0]!;
			assert.deepEqual([row.text, row.color], [style.symbol, style.color], `row ${index} starts with its series' mark`);
			assert.ok(bars.some(segment => segment.text.includes(style.symbol) && segment.color === style.color), `the chart draws ${style.symbol}`);
		}

		assert.equal(new Set(styles.map(style => style.symbol)).size, styles.length, 'no two series share a symbol');
		// Stacking order: home at the bottom, then work, then others, in every busy column.
		const column = model.lines.slice(0, 7).map(line => [...text(line.segments)][7 + 56]).toReversed().join('').trim();
		assert.match(column, /^█+▓+:?$/, `the newest busy minute, bottom up: ${column}`);
	});

	test('less room: the rows without the chart, short wording; less still: one line with the pool\'s burn', () => {
		const sparklines = buildHistory(input({width: 80}), 9);
		assert.equal(sparklines.layout, 'sparklines');
		const lines = sparklines.lines.map(line => text(line.segments));
		assert.equal(lines.length, 4);
		assert.doesNotMatch(lines.join('\n'), /└/);
		assert.match(lines[0]!, /^█ home +11\.5k {2}[▁-█]{20} 100% {2}spent in 54m · resets in 1h10m$/);
		assert.match(lines[3]!, /pool +16k +spent in 54m · resets in 1h10m$/);
		assert.match(text(sparklines.hint), /^1h · 5h window used over it {2}\[ \] 15m 1h 6h 24h 3d 7d$/);
		assert.ok(lines.every(line => displayWidth(line) <= 80));

		const line = buildHistory(input({width: 80}), 3);
		assert.equal(line.layout, 'line');
		assert.deepEqual(line.lines, []);
		assert.equal(text(line.hint), 'pool: spent in 54m · resets in 1h10m · h hides');
		const alone = buildHistory(input({width: 80, accounts: ['home']}), 1);
		assert.equal(text(alone.hint), 'home: spent in 54m · resets in 1h10m · h hides', 'one account: its own burn, no pool');
	});

	test('the title\'s hint gives way before it would not fit', () => {
		assert.equal(text(buildHistory(input({width: 60}), 14).hint), '1h · tokens a bar of 2m', 'at 60 columns a bar is two minutes');
		assert.equal(text(buildHistory(input({width: 30}), 14).hint), '1h');
		for (const width of [40, 50, 60, 80, 100]) {
			const model = buildHistory(input({width}), 14);
			assert.ok(displayWidth(text(model.hint)) <= width - 15, `${width}: ${text(model.hint)}`);
			assert.ok(model.lines.every(entry => displayWidth(text(entry.segments)) <= width || entry.key.startsWith('row:')), `${width}: only rows may be cut by the screen`);
		}
	});

	test('the heights each layout needs, the tallest that fits', () => {
		assert.equal(historyRowCount(input()), 4);
		const cases: Array<[number, number]> = [[20, 15], [15, 15], [11, 11], [10, 10], [9, 5], [5, 5], [4, 1], [1, 1], [0, 0]];
		for (const [room, height] of cases) {
			assert.equal(historyHeightFor(input(), room), height, `room ${room}`);
		}

		assert.equal(historyRowCount(input({accounts: ['home']})), 2, 'one account and the removed one; no pool line');
	});

	test('nothing recorded: the chart says so, the rows say nothing is known', () => {
		const empty = knownView({
			buckets: knownView().buckets.map(bucket => ({...bucket, perAccount: {}})),
			sparklines: {home: Array.from({length: 60}, () => null), work: Array.from({length: 60}, () => null)},
			burn: {accounts: {home: burn({}), work: burn({})}, pool: burn({})},
		});
		const lines = buildHistory(input({view: empty}), 11).lines.map(line => text(line.segments));
		assert.match(lines.join('\n'), /no tokens used in this window/);
		assert.match(lines.find(line => line.includes('home'))!, /^█ home {6}0 {2}·+ +– {2}no pace for the 5h window yet$/);
		assert.match(lines.at(-1)!, /pool +0 +no pace for the pool yet$/);
		assert.equal(lines.length, 10);
	});

	test('a view with no buckets or missing series does not break it', () => {
		const bare = knownView({buckets: [], sparklines: {}, burn: {accounts: {}, pool: burn({})}});
		for (const height of [1, 4, 9]) {
			const model = buildHistory(input({view: bare}), height);
			assert.ok(model.lines.length <= height - 1);
		}
	});

	test('hostile account names are drawn harmless, measured as drawn, and cut to their column', () => {
		const names = ['\u001B]52;c;aGk=\u0007evil\u001B[2J', '\u202Eright-to-left', '名前がとても長いアカウント名前です'];
		const view = knownView({
			buckets: knownView().buckets.map((bucket, index) => ({...bucket, perAccount: index % 3 === 0 ? {[names[0]!]: 500, [names[1]!]: 300, [names[2]!]: 200} : {}})),
			sparklines: {[names[0]!]: Array.from({length: 60}, () => 0.4)},
			burn: {accounts: {[names[0]!]: burn({perHour: 0.5, spentInMs: 54 * minute, resetsInMs: 70 * minute})}, pool: burn({})},
		});
		for (const [width, height] of [[120, 15], [80, 5], [80, 1]] as const) {
			const model = buildHistory({
				view, accounts: names, nowMs: now, width,
			}, height);
			const everything = [model.hint, ...model.lines.map(line => line.segments)];
			for (const segments of everything) {
				for (const segment of segments) {
					assert.doesNotMatch(segment.text, unsafe, `${width}x${height}: ${JSON.stringify(segment.text)}`);
				}

				assert.ok(displayWidth(text(segments)) <= width, `${width}x${height}: ${text(segments)}`);
			}

			if (model.layout !== 'line') {
				const rows = model.lines.filter(line => line.key.startsWith('row:')).map(line => text(line.segments));
				assert.match(rows[0]!, /^█ evil {2}/);
				assert.match(rows[1]!, /^▓ right-to-left {2}/);
				assert.match(rows[2]!, /^▒ 名前がとても長…/, 'a wide name is cut to its 16 cells');
				const sparkStart = (row: string) => displayWidth(row.slice(0, 2 + row.slice(2).search(/[▁-█·]/)));
				assert.equal(new Set(rows.slice(0, 3).map(row => sparkStart(row))).size, 1, `the columns after the names line up:\n${rows.join('\n')}`);
			}
		}
	});

	test('the burn rate counts down from when the view was read', () => {
		const later = buildHistory(input({nowMs: now + (10 * minute)}), 14);
		assert.match(text(later.lines[9]!.segments), /spent in 44m; it resets in 1h00m$/);
	});
});

describe('the history pane\'s room and its keys', () => {
	const rooms: Array<[number, number, number]> = [[26, 35, 14], [9, 19, 3], [16, 25, 8], [4, 10, 0], [5, 5, 0]];
	for (const [log, body, room] of rooms) {
		test(`a log of ${log} in ${body} lines spares ${room}`, () => {
			assert.equal(historyRoom(log, body), room);
		});
	}

	const steps: Array<[Parameters<typeof stepHistoryWindow>[0], number, string]> = [['1h', 1, '6h'], ['3d', 1, '7d'], ['7d', 1, '15m'], ['1h', -1, '15m'], ['15m', -1, '7d']];
	for (const [from, step, to] of steps) {
		test(`${step > 0 ? ']' : '['} from ${from} → ${to}`, () => {
			assert.equal(stepHistoryWindow(from, step), to);
		});
	}
});
