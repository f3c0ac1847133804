/** @jsxRuntime automatic */
// covers: source/monitor/panes/history/, source/monitor/app.tsx, source/monitor/panes/pane-list.ts, source/monitor/keys/key-bindings.ts, source/monitor/keys/use-key-handler.ts, source/monitor/panes/help/help-overlay.tsx
// The history pane on screen, drawn from a real StateStore over a real history.db in a temp
// directory, fed known requests and 5h readings: the stacked chart, its scale, legend and labels at
// 120x40; the rows without the chart at 80x24; the keys switching windows and hiding the pane (the
// store stops reading); and a store without a history, where the pane is not offered.
import assert from 'node:assert/strict';
import path from 'node:path';
import {after, test, type TestContext} from 'node:test';
import {cleanup} from 'ink-testing-library';
import {openHistoryDatabase} from '../source/history/database.js';
import App from '../source/monitor/app.js';
import {noHistoryNotice} from '../source/monitor/keys/key-bindings.js';
import {displayWidth} from '../source/monitor/kit/text-width.js';
import type {RequestRecord} from '../source/state/records.js';
import {StateStore} from '../source/state/store.js';
import {
	overlongLines, renderAt, waitForFrame, type Rendered,
} from './helpers/ink.js';
import {tempDir} from './helpers/temp-dir.js';
import {waitFor} from './helpers/wait.js';

after(cleanup);

const minute = 60_000;
const settings = {
	strategy: 'maximus', burstRpmLimit: 10, stickyTtlMs: 600_000, expirySoonSeconds: 1800, fallbackModel: null,
} as const;

function request(account: string, tsMs: number): RequestRecord {
	return {
		id: `r-${tsMs}-${account}`, tsMs, startedMs: tsMs - 1000, account, model: 'claude-sonnet-4-6', status: 200,
		// 100 + 50 + 200 = 350 tokens weigh on limits; cache reads do not.
		inputTokens: 100, outputTokens: 50, cacheReadTokens: 1000, cacheWriteTokens: 200,
		durationMs: 1000, ttftMs: 200, attempts: [], outcome: 'complete', stream: true, path: '/v1/messages', costUsd: 0.1, frontDoor: 'anthropic',
	};
}

/**
 * A store on the real clock over a history that knows: home and work 350 tokens each half an hour
 * ago, home 350 more just now; home's 5h window at 30 % from 40 minutes ago and 55 % now, resetting
 * in two hours (a pace of 50 % an hour: the 45 % left is spent in 54 minutes). Work has no windows.
 */
async function knownStore(t: TestContext, withHistory = true): Promise<StateStore> {
	const directory = tempDir();
	const historyFile = path.join(directory, 'history.db');
	const now = Date.now();
	const resetSeconds = Math.floor((now + (120 * minute)) / 1000);
	if (withHistory) {
		const seeded = openHistoryDatabase(historyFile, {nowMs: now, version: 't'});
		const sample = seeded.db.prepare('INSERT INTO telemetry_samples (ts_ms, account, utilization_5h, reset_5h) VALUES (?, \'home\', ?, ?)');
		sample.run(now - (50 * minute), 0.1, resetSeconds);
		sample.run(now - (40 * minute), 0.3, resetSeconds);
		seeded.db.close();
	}

	const store = new StateStore({
		accounts: [{name: 'home', kind: 'oauth'}, {name: 'work', kind: 'apikey'}],
		settings,
		version: 't',
		stateFile: path.join(directory, 'state.json'),
		historyFile: withHistory ? historyFile : undefined,
		notifyIntervalMs: 5,
		historyTimings: {refreshEveryMs: 50, flushEveryMs: 10},
	});
	t.after(() => {
		store.close();
	});
	store.recordRequest(request('home', now - (30 * minute)));
	store.recordRequest(request('work', now - (30 * minute)));
	store.recordRequest(request('home', now - 5000));
	store.recordTelemetry('home', {fiveHour: {utilization: 0.55, reset: resetSeconds, status: 'allowed'}, updatedMs: now - 5000});
	if (withHistory) {
		await waitFor(() => store.history!.writer.queued === 0, 'the requests to be written');
	}

	// As the runtime does when it starts a monitor.
	store.setHistoryWindow('1h');
	return store;
}

async function mount(t: TestContext, store: StateStore, columns: number, rows: number): Promise<Rendered> {
	const app = await renderAt(<App store={store} onQuit={() => {}}/>, columns, rows);
	t.after(() => {
		app.unmount();
	});
	return app;
}

const lineIndex = (lines: readonly string[], pattern: RegExp) => lines.findIndex(line => pattern.test(line));
const count = (text: string, char: string) => [...text].filter(each => each === char).length;

test('at 120x40 the chart stacks each account\'s tokens in its symbol, on a token scale, with times, a legend and burn rates', async t => {
	const store = await knownStore(t);
	const app = await mount(t, store, 120, 40);
	const frame = await waitForFrame(app.lastFrame, text => text.includes('█ home') && text.includes('▓ work') && /spent in 5\dm/.test(text));
	const lines = frame.split('\n');
	assert.equal(lines.length, 39);
	assert.deepEqual(overlongLines(frame, 120), []);
	const title = lineIndex(lines, /^── history .* 1h · tokens a bar of 1m {2}\[ \] 15m 1h 6h 24h 3d 7d ──$/);
	assert.ok(title > 0, frame);
	const axis = lineIndex(lines, /^ {4}0 └─+$/);
	const bars = lines.slice(title + 1, axis);
	assert.equal(bars.length, 8, 'the room at 120x40 gives the chart its tallest');
	// The busiest minute is 700 tokens: an 800 scale, labelled at the top and halfway.
	assert.match(bars[0]!, /^ {2}800 ┤/);
	assert.match(bars[4]!, /^ {2}400 ┤/);
	const plot = bars.map(line => line.slice(7)).join('\n');
	assert.equal(count(plot, '█'), 8, 'home: 350 of 800 is four cells, in two minutes');
	assert.equal(count(plot, '▓'), 3, 'work: its 350 on top of home\'s in the same minute (7 cells in all, rounded)');
	// eslint-disable-next-line unicorn/no-useless-spread -- a string: the spread splits it into characters
	const cells = bars.map(line => [...line.slice(7)]);
	const stacked = Math.min(...cells.map(row => row.indexOf('▓')).filter(x => x >= 0));
	assert.deepEqual(cells.map(row => row[stacked] ?? ' ').join(''), ' ▓▓▓████', 'work stacked on home, bottom up');
	assert.match(lines[axis + 1]!, /-50m {6}-40m .* now$/, 'times back from now along the axis');
	const home = lines[axis + 2]!;
	assert.match(home, /^█ home +700 {2}[·▁-█]+ +55% {2}at this pace the 5h window is spent in 5[34]m; it resets in (2h00m|1h59m)$/);
	assert.match(lines[axis + 3]!, /^▓ work +350 {2}·+ +– {2}no pace for the 5h window yet$/);
	assert.match(lines[axis + 4]!, /^ {2}pool +1\.1k {2}at this pace the pool's 5h headroom is spent in 5[34]m; the next reset is in (2h00m|1h59m)$/);
	const log = lineIndex(lines, /── requests & events/);
	assert.equal(log, axis + 5, 'the log follows the pane');
	assert.ok(lines.length - log - 2 >= 12, `the log keeps a third of the screen: ${lines.length - log - 2} rows`);
	assert.match(frame, /h history/, 'the footer names the key');
});

test('at 80x24 the pane drops the chart and keeps the accounts\' sparklines and burn rates; the log keeps its rows', async t => {
	const store = await knownStore(t);
	const app = await mount(t, store, 80, 24);
	const frame = await waitForFrame(app.lastFrame, text => text.includes('█ home') && /spent in 5\dm/.test(text));
	const lines = frame.split('\n');
	assert.equal(lines.length, 23);
	assert.deepEqual(overlongLines(frame, 80), []);
	const title = lineIndex(lines, /^── history .* 1h · 5h window used over it {2}\[ \] 15m 1h 6h 24h 3d 7d ──$/);
	assert.ok(title > 0, frame);
	assert.doesNotMatch(frame, /└/, 'no chart');
	assert.match(lines[title + 1]!, /^█ home +700 {2}[·▁-█]+ +55% {2}spent in 5[34]m · resets in (2h00m|1h59m)$/);
	assert.match(lines[title + 2]!, /^▓ work +350 {2}·+ +– {2}no pace yet$/);
	assert.match(lines[title + 3]!, /pool +1\.1k .*spent in 5[34]m · resets in/);
	const log = lineIndex(lines, /── requests & events/);
	assert.equal(log, title + 4);
	assert.ok(lines.length - log - 2 >= 6, `the log keeps its rows: ${lines.length - log - 2}`);
});

test('[ and ] switch the window, the store reads the new one; h hides the pane (the store stops reading) and shows it again', async t => {
	const store = await knownStore(t);
	const app = await mount(t, store, 120, 40);
	await waitForFrame(app.lastFrame, text => text.includes('█ home'));
	const logRows = (frame: string) => frame.split('\n').length - lineIndex(frame.split('\n'), /── requests & events/);

	app.press(']');
	const sixHours = await waitForFrame(app.lastFrame, text => /history .* 6h · tokens a bar of 10m/.test(text));
	assert.equal(store.getSnapshot().history?.window, '6h');
	assert.match(sixHours, /-2h .* now\n/, 'the time labels follow the window');
	app.press('[', '[');
	await waitForFrame(app.lastFrame, text => /history .* 15m · tokens a bar of 30s/.test(text));
	await waitFor(() => store.getSnapshot().history?.window === '15m', 'the store to read 15m');
	app.press('[');
	await waitForFrame(app.lastFrame, text => /history .* 7d · tokens a bar of 4h/.test(text), 3000);
	app.press(']');
	await waitForFrame(app.lastFrame, text => /history .* 15m · tokens a bar of 30s/.test(text));

	const shown = logRows(app.frame());
	app.press('h');
	const hidden = await waitForFrame(app.lastFrame, text => !text.includes('── history'));
	await waitFor(() => store.getSnapshot().history === undefined, 'the store to stop reading history for the screen');
	assert.ok(logRows(hidden) > shown, 'the log gets the lines back');
	app.press('h');
	await waitForFrame(app.lastFrame, text => /history .* 15m · tokens a bar of 30s/.test(text));
	assert.equal(store.getSnapshot().history?.window, '15m', 'shown again with the window it had');
	app.press('h', ']');
	await waitForFrame(app.lastFrame, text => /history .* 1h · tokens a bar of 1m/.test(text));
});

test('the help lists the history keys and what the pane draws', async t => {
	const store = await knownStore(t);
	const app = await mount(t, store, 120, 40);
	app.press('?');
	const pages = [await waitForFrame(app.lastFrame, text => text.includes('keys'))];
	// A help taller than the screen pages on ?; read every page.
	for (let page = /page (\d+)\/(\d+)/.exec(pages[0]!); page && page[1] !== page[2]; page = /page (\d+)\/(\d+)/.exec(pages.at(-1)!)) {
		const next = `page ${Number(page[1]) + 1}/${page[2]}`;
		app.press('?');

		pages.push(await waitForFrame(app.lastFrame, text => text.includes(next)));
	}

	const all = pages.join('\n');
	assert.match(all, /h +show \/ hide the history pane/);
	assert.match(all, /\[ \] +history window, \] next, \[ back: 15m → 1h → 6h → 24h → 3d → 7d → 15m/);
	assert.match(all, /history {2}\(h shows \/ hides it, \[ \] change its window\)/);
	assert.match(all, /▁…█ +sparkline: the 5h window used at the end of each bar/);
	assert.match(all, /█ ▓ ▒ ░ +a bar: tokens that weighed on limits, stacked by account/);
	assert.ok(all.split('\n').every(line => displayWidth(line) <= 120));
});

test('without a history (no history.db) the pane is not offered, and its keys say why', async t => {
	const store = await knownStore(t, false);
	const app = await mount(t, store, 120, 40);
	await waitForFrame(app.lastFrame, text => text.includes('── requests & events'));
	assert.doesNotMatch(app.frame(), /── history/);
	for (const key of ['h', ']']) {
		app.press(key);

		await waitForFrame(app.lastFrame, text => text.includes(noHistoryNotice));
		assert.doesNotMatch(app.frame(), /── history/);
		// The notice passes after a few seconds; the next key must bring it back on its own.

		await waitForFrame(app.lastFrame, text => !text.includes(noHistoryNotice), 5000);
	}
});
