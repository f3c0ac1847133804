// covers: source/ui/format.ts, source/ui/cycles.ts, source/ui/strategies.ts, source/ui/key-bindings.ts, source/ui/layout.ts, source/ui/log-items.ts, source/ui/segments.ts, source/ui/table-layout.ts, source/ui/text-width.ts, source/components/help-overlay.tsx
// The monitor's pure helpers: formats, display width, column layout, cycles and the log timeline.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {modelOverrideChoices} from '../source/anthropic/models.js';
import {helpLines} from '../source/monitor/panes/help/help-overlay.js';
import {nextStrategy as nextRoutingStrategy, strategyDescriptions, strategyNames} from '../source/routing/strategies.js';
import {
	burstCycle, effortCycle, modelCycle, nextInCycle,
} from '../source/monitor/keys/cycles.js';
import {keyBindings} from '../source/monitor/keys/key-bindings.js';
import {
	formatClock, formatCountdown, formatDuration, formatPercent, formatRequestDuration, formatTokens, formatUsd, shortModel,
} from '../source/monitor/kit/format.js';
import {densityFor, paneHeights} from '../source/monitor/layout.js';
import {screenPanes} from '../source/monitor/panes/pane-list.js';
import {mergeLog} from '../source/monitor/panes/log/log-items.js';
import {truncateSegments} from '../source/monitor/kit/segments.js';
import {nextStrategy, strategies} from '../source/monitor/kit/strategies.js';
import {layoutColumns, rowLine, type Column} from '../source/monitor/kit/table-layout.js';
import {displayWidth, truncateToWidth} from '../source/monitor/kit/text-width.js';
import {makeEvent, makeRequest} from './helpers/fake-store.js';

test('durations use at most two units', () => {
	assert.equal(formatDuration(0), '0s');
	assert.equal(formatDuration(45_000), '45s');
	assert.equal(formatDuration(252_000), '4m12s');
	assert.equal(formatDuration(245_000), '4m05s');
	assert.equal(formatDuration(((2 * 60) + 5) * 60_000), '2h05m');
	assert.equal(formatDuration(((3 * 24) + 4) * 3_600_000), '3d4h');
	assert.equal(formatDuration(1999, 'down'), '1s');
	assert.equal(formatDuration(1001, 'up'), '2s');
});

test('countdowns round up and vanish once the deadline passed', () => {
	assert.equal(formatCountdown(10_500, 10_000), '1s');
	assert.equal(formatCountdown(10_000, 10_000), null);
	assert.equal(formatCountdown(252_000, 0), '4m12s');
});

test('request durations', () => {
	assert.equal(formatRequestDuration(850), '850ms');
	assert.equal(formatRequestDuration(1234), '1.2s');
	assert.equal(formatRequestDuration(61_000), '1m01s');
});

test('token counts', () => {
	assert.equal(formatTokens(950), '950');
	assert.equal(formatTokens(12_345), '12.3k');
	assert.equal(formatTokens(12_000), '12k');
	assert.equal(formatTokens(123_456), '123k');
	assert.equal(formatTokens(999_999), '1M');
	assert.equal(formatTokens(4_500_000), '4.5M');
	assert.equal(formatTokens(2_100_000_000), '2.1B');
});

test('dollars', () => {
	assert.equal(formatUsd(0), '$0.00');
	assert.equal(formatUsd(0.004), '<$0.01');
	assert.equal(formatUsd(12.344), '$12.34');
	assert.equal(formatUsd(999.996), '$1k');
	assert.equal(formatUsd(1234.5), '$1.2k');
	assert.equal(formatUsd(3_400_000), '$3.4M');
});

test('clock, percent and model names', () => {
	const date = new Date(2026, 0, 2, 3, 4, 5);
	assert.equal(formatClock(date.getTime()), '03:04:05');
	assert.equal(formatPercent(0.426), '43%');
	assert.equal(formatPercent(1.04), '104%');
	assert.equal(shortModel('claude-haiku-4-5-20251001'), 'haiku-4-5');
	assert.equal(shortModel('claude-sonnet-4-6'), 'sonnet-4-6');
	assert.equal(shortModel('gpt-thing'), 'gpt-thing');
});

test('display width counts terminal columns, not UTF-16 units', () => {
	assert.equal(displayWidth('home'), 4);
	assert.equal(displayWidth('日本語'), 6);
	assert.equal(displayWidth('e\u0301'), 1);
	assert.equal(displayWidth('👍🏽'), 2);
	assert.equal(displayWidth('\u001B[31mred\u001B[39m'), 3);
	assert.equal(displayWidth('↻ ✓ ✗ ‖ █░ → …'), 14);
	// Widths are remembered between frames; a remembered answer is the same answer, and the
	// memory stays bounded however many different texts pass through.
	for (let round = 0; round < 2; round++) {
		assert.equal(displayWidth('日本語'), 6);
		assert.equal(displayWidth('👍🏽'), 2);
	}

	for (let index = 0; index < 10_000; index++) {
		assert.equal(displayWidth(`█${index}日`), 3 + String(index).length);
	}

	assert.equal(displayWidth('日本語'), 6);
});

test('truncation never splits a wide character or overshoots', () => {
	assert.equal(truncateToWidth('abcdef', 4), 'abc…');
	assert.equal(truncateToWidth('abc', 4), 'abc');
	assert.equal(truncateToWidth('日本語テキスト', 6), '日本…');
	assert.ok(displayWidth(truncateToWidth('日本語テキスト', 5)) <= 5);
	const cut = truncateSegments([{text: 'pinned ', color: 'yellow'}, {text: 'active'}], 9);
	assert.equal(cut.map(segment => segment.text).join(''), 'pinned a…');
	assert.equal(cut[0]!.color, 'yellow');
});

test('columns: natural widths, shrink the widest, give slack to the growing column, drop by priority', () => {
	const columns: Column[] = [
		{key: 'time', header: 'time', width: 8},
		{key: 'name', header: 'name', minWidth: 4},
		{
			key: 'n', header: 'n', align: 'right', dropPriority: 1,
		},
		{
			key: 'rest', header: 'rest', grow: true, minWidth: 0,
		},
	];
	const rows = [{key: 'a', cells: {name: 'a-rather-long-name', n: '12345'}}];
	const size = (width: number) => Object.fromEntries(layoutColumns(columns, rows, width, 1).map(column => [column.key, column.size]));

	assert.deepEqual(size(60), {
		time: 8, name: 18, n: 5, rest: 26,
	});
	assert.deepEqual(size(33), {
		time: 8, name: 18, n: 5, rest: 0,
	});
	assert.deepEqual(size(32), {
		time: 8, name: 17, n: 5, rest: 0,
	});
	assert.deepEqual(size(24), {
		time: 8, name: 9, n: 5, rest: 0,
	});
	// Not even the minimums fit: the droppable column goes.
	assert.deepEqual(size(14), {time: 8, name: 5, rest: 0});
	// Slack comes back to the growing column once the others are at their natural size.
	const wide = layoutColumns(columns, rows, 100, 2);
	assert.equal(wide.reduce((sum, column) => sum + column.size, 0) + (2 * (wide.length - 1)), 100);
});

test('a row line ends at its last visible character: unstyled padding at the end goes, styled blanks stay', () => {
	const columns: Column[] = [
		{key: 'time', header: 'time', width: 8},
		{key: 'name', header: 'name', width: 12},
		{
			key: 'n', header: 'n', align: 'right', width: 6,
		},
		{key: 'note', header: 'note', width: 10},
	];
	const sized = layoutColumns(columns, [], 40, 1);
	const text = (segments: ReturnType<typeof rowLine>) => segments.map(segment => segment.text).join('');
	// Empty cells at the end: the line stops after the number, every column before it in place.
	const plain = rowLine({key: 'a', cells: {time: '12:00:00', name: 'home', n: '42'}}, sized, 40, 1);
	assert.equal(text(plain), `12:00:00 ${'home'.padEnd(12)} ${'42'.padStart(6)}`);
	// A short last cell loses its padding; a highlighted one keeps it (it is a visible bar).
	assert.equal(text(rowLine({key: 'b', cells: {time: '12:00:00', note: 'ok'}}, sized, 40, 1)), `12:00:00 ${' '.repeat(12)} ${' '.repeat(6)} ok`);
	const bar = rowLine({key: 'c', cells: {time: '12:00:00', note: {text: 'sel       ', inverse: true}}}, sized, 40, 1);
	assert.equal(text(bar), `12:00:00 ${' '.repeat(12)} ${' '.repeat(6)} sel       `);
	assert.equal(bar.at(-1)?.inverse, true);
});

const cycles = {o: modelCycle, e: effortCycle, b: burstCycle} as const;

test('each cycling key starts at "off" and comes back to its start after visiting every entry once', () => {
	for (const [key, cycle] of Object.entries(cycles) as Array<[string, readonly unknown[]]>) {
		assert.equal(cycle[0], null, `${key} starts at off (the client's or the configured value)`);
		assert.equal(new Set(cycle).size, cycle.length, `${key} lists no value twice`);
		let value: unknown = cycle[0];
		const visited = [value];
		for (let step = 1; step < cycle.length; step++) {
			value = nextInCycle(cycle, value);
			visited.push(value);
		}

		assert.deepEqual(visited, cycle, `${key} walks its list in order`);
		assert.equal(nextInCycle(cycle, value), cycle[0], `${key} returns to its start`);
	}
});

test('a value set elsewhere (the control API) restarts a cycle at its start', () => {
	assert.equal(nextInCycle(burstCycle, Math.max(...burstCycle.map(Number)) + 1), burstCycle[0]);
	assert.equal(nextInCycle(modelCycle, 'claude-set-by-curl'), modelCycle[0]);
	assert.equal(nextInCycle(effortCycle, 'extreme' as never), effortCycle[0]);
});

test('o offers every model override choice; b can switch the limiter off and steps up from small bursts', () => {
	assert.deepEqual(new Set(modelCycle.slice(1)), new Set(modelOverrideChoices));
	assert.ok(burstCycle.includes(0), '0 switches the burst limiter off');
	const steps = burstCycle.filter(limit => limit !== null && limit > 0);
	assert.ok(steps.length > 0);
	assert.deepEqual(steps, [...steps].toSorted((a, b) => a! - b!), 'small steps first');
});

test('the monitor\'s strategies are routing\'s, in routing\'s order, and s cycles them the same way', () => {
	assert.deepEqual(strategies.map(strategy => strategy.name), strategyNames);
	for (const {name, description} of strategies) {
		assert.equal(description, strategyDescriptions[name]);
		assert.equal(nextStrategy(name), nextRoutingStrategy(name));
	}
});

test('the help lists every strategy with its description, marks the one in use, and fits 80 columns', () => {
	for (const current of strategyNames) {
		const lines = helpLines(current).map(line => ({key: line.key, text: line.segments.map(segment => segment.text).join('')}));
		for (const {name, description} of strategies) {
			const line = lines.find(entry => entry.key === `strategy:${name}`);
			assert.ok(line, `the help lists ${name}`);
			assert.ok(line.text.includes(description), `${name}'s line carries its description`);
			assert.equal(line.text.startsWith('▸ '), name === current, `only ${current} is marked in use`);
		}

		// The overlay's border and padding take four columns.
		assert.deepEqual(lines.filter(line => displayWidth(line.text) > 76).map(line => line.text), []);
	}
});

test('the help describes each cycling key as a cycle: every value, back to the first', () => {
	const describe = {
		s: strategyNames.length, o: modelCycle.length, e: effortCycle.length, b: burstCycle.length,
	};
	for (const [key, length] of Object.entries(describe)) {
		const binding = keyBindings.find(entry => entry.key === key);
		assert.ok(binding, key);
		const values = binding.description.slice(binding.description.indexOf(':') + 1).split('→').map(value => value.trim());
		assert.equal(values.length, length + 1, `${key}: ${binding.description}`);
		assert.equal(new Set(values.slice(0, -1)).size, length, `${key} names each value once`);
		assert.equal(values.at(-1), values[0], `${key} comes back to its start`);
	}
});

test('the log timeline merges requests (by arrival) and events newest first with stable keys', () => {
	const requests = [makeRequest({id: 'b', startedMs: 300, tsMs: 900}), makeRequest({id: 'a', startedMs: 100, tsMs: 150})];
	const events = [makeEvent({tsMs: 300, kind: 'cooldown', message: 'x'}), makeEvent({tsMs: 200, kind: 'info', message: 'y'}), makeEvent({tsMs: 200, kind: 'info', message: 'y'})];
	const merged = mergeLog(requests, [], events);
	assert.deepEqual(merged.map(item => item.key), ['r:b', 'e:300:cooldown::x', 'e:200:info::y', 'e:200:info::y#1', 'r:a']);
});

test('size classes and pane heights', () => {
	assert.equal(densityFor(60), 'narrow');
	assert.equal(densityFor(80), 'normal');
	assert.equal(densityFor(120), 'wide');
	const heights = (available: number, accounts: number, history = 0) => paneHeights(available, screenPanes({accounts, history}));
	assert.deepEqual(heights(20, 6), {
		accounts: 6, history: 0, log: 13, savings: 1,
	});
	// A short terminal gives up the savings line first, then squeezes the accounts, never the log's minimum.
	assert.deepEqual(heights(10, 6), {
		accounts: 5, history: 0, log: 5, savings: 0,
	});
	assert.deepEqual(heights(10, 14), {
		accounts: 5, history: 0, log: 5, savings: 0,
	});
	assert.deepEqual(heights(6, 14), {
		accounts: 3, history: 0, log: 3, savings: 0,
	}, 'below every minimum, the accounts keep theirs first');
	// The history's height is chosen beforehand (historyRoom) and given exactly.
	assert.deepEqual(heights(35, 8, 14), {
		accounts: 8, history: 14, log: 12, savings: 1,
	});
});
