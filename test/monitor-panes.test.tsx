/** @jsxRuntime automatic */
// covers: source/app.tsx, source/components/
// The live monitor's panes, rendered from crafted store snapshots at several terminal sizes.
import assert from 'node:assert/strict';
import {after, test, type TestContext} from 'node:test';
import {cleanup} from 'ink-testing-library';
import App from '../source/monitor/app.js';
import type {StoreSnapshot} from '../source/monitor/contract.js';
import {
	FakeStore, makeAccount, makeEvent, makeRequest, makeSnapshot,
} from './helpers/fake-store.js';
import {
	drawnAt, overlongLines, renderAt, waitForFrame, type Rendered,
} from './helpers/ink.js';

after(cleanup);

async function mount(t: TestContext, snapshot: StoreSnapshot, columns = 100, rows = 30, ready?: (frame: string) => boolean): Promise<{app: Rendered; store: FakeStore}> {
	const store = new FakeStore(snapshot);
	const app = await renderAt(<App store={store} onQuit={() => {}}/>, columns, rows, ready);
	t.after(() => {
		app.unmount();
	});
	return {app, store};
}

const lineWith = (frame: string, text: string): string => frame.split('\n').find(line => line.includes(text)) ?? '';
const nowSec = () => Math.floor(Date.now() / 1000);

test('a cooling account shows a countdown that ticks every second, with its reason', async t => {
	const snapshot = makeSnapshot({
		accounts: [
			makeAccount('home'),
			makeAccount('work', {
				state: 'cooling', cooldownUntilMs: Date.now() + (4 * 60_000) + 12_500, backAtMs: Date.now() + (4 * 60_000) + 12_500, cooldownReason: 'rate limit',
			}),
		],
	});
	const {app} = await mount(t, snapshot);
	const first = await waitForFrame(app.lastFrame, frame => /back in 4m1[23]s \(\d\d:\d\d:\d\d\)/.test(frame));
	assert.match(first, /cooling \(rate limit\)/);
	assert.match(lineWith(first, 'work'), /↻/, 'cooling accounts carry the ↻ symbol');
	const before = /back in (4m\d\ds)/.exec(first)![1]!;
	const ticked = await waitForFrame(app.lastFrame, frame => {
		const match = /back in (4m\d\ds)/.exec(frame);
		return match !== null && match[1] !== before;
	}, 3000);
	const after = /back in (4m\d\ds)/.exec(ticked)![1]!;
	assert.ok(after < before, `countdown went down: ${before} → ${after}`);
});

test('an exhausted account shows its full gauge and when it comes back', async t => {
	const snapshot = makeSnapshot({
		accounts: [makeAccount('home', {
			state: 'exhausted', utilization5h: 1.16, status5h: 'rejected', reset5h: nowSec() + 7500, backAtMs: ((nowSec() + 7500) * 1000) + 5500, utilization7d: 0.4, reset7d: nowSec() + (3 * 86_400),
		})],
	});
	const {app} = await mount(t, snapshot);
	const frame = await waitForFrame(app.lastFrame, text => text.includes('window spent'));
	const row = lineWith(frame, '∅ ');
	assert.match(row, /∅/);
	assert.match(row, /█+ spent/, 'a spent window reads as spent, full, not as 116 % used');
	assert.doesNotMatch(frame, /116%/);
	const gaugeCountdown = /spent (\S+)/.exec(row)![1]!;
	assert.match(frame, new RegExp(String.raw`back in ${gaugeCountdown} \(`), 'the gauge and the status count down to the same instant');
	assert.match(frame, /% show how much of each window is used/, 'the gauge convention is labelled');
});

test('an account that needs a new login shows the command that fixes it', async t => {
	const snapshot = makeSnapshot({
		accounts: [makeAccount('home'), makeAccount('work', {state: 'reauth', fixHint: 'shunt add-account work'})],
	});
	const {app} = await mount(t, snapshot);
	const frame = await waitForFrame(app.lastFrame, text => text.includes('shunt add-account work'));
	assert.match(lineWith(frame, ' work '), /✗/);
	assert.match(frame, /login expired, run: shunt add-account work/);
});

test('a paused account is marked paused', async t => {
	const snapshot = makeSnapshot({accounts: [makeAccount('home'), makeAccount('spare', {state: 'paused'})]});
	const {app} = await mount(t, snapshot);
	const frame = await waitForFrame(app.lastFrame, text => text.includes('spare'));
	const row = lineWith(frame, 'spare');
	assert.match(row, /‖/);
	assert.match(row, /paused/);
});

test('API-key accounts show their request budget instead of empty gauges', async t => {
	const snapshot = makeSnapshot({
		accounts: [
			makeAccount('console', {
				kind: 'apikey', utilization5h: null, utilization7d: null, requestsRemaining: 45, requestsLimit: 50, keyHeadroom: 0.9,
			}),
			makeAccount('gateway', {
				kind: 'apikey', utilization5h: 0.99, status5h: 'allowed_warning', reset5h: nowSec() + 600, utilization7d: 0.2, reset7d: nowSec() + 86_400,
			}),
		],
	});
	const {app} = await mount(t, snapshot);
	const frame = await waitForFrame(app.lastFrame, text => text.includes('console'));
	const row = lineWith(frame, 'console');
	assert.match(row, /█░+\s+10%/, 'the bucket headroom is the gauge: 10 % of it used');
	assert.match(row, /45\/50 req left/);
	assert.match(row, / api /);
	assert.match(lineWith(frame, 'gateway'), /99%.*20%/, 'an API key with unified windows shows them, not "no windows"');
	assert.doesNotMatch(frame, /no windows/);
});

test('no accounts: a friendly message says how to add one', async t => {
	const {app} = await mount(t, makeSnapshot());
	const frame = await waitForFrame(app.lastFrame, text => text.includes('No accounts yet'));
	assert.match(frame, /shunt add-account/);
	assert.match(frame, /No requests yet/);
});

test('very long account and model names at 80 columns: nothing overflows or wraps', async t => {
	const longName = 'an-extraordinarily-long-account-name-that-goes-on-and-on-forever';
	const longModel = 'claude-some-extraordinarily-long-experimental-model-name-preview-20251001';
	const snapshot = makeSnapshot({
		accounts: [
			makeAccount(longName, {
				reset5h: nowSec() + 3600, reset7d: nowSec() + 86_400, pinned: true, active: true,
			}),
			makeAccount('短い名前の日本語アカウント名前です', {state: 'cooling', cooldownUntilMs: Date.now() + 60_000, cooldownReason: 'a rather long reason for cooling down right now'}),
		],
		pinnedAccount: longName,
		overrides: {
			strategy: 'cushion', model: longModel, effort: 'high', burstRpmLimit: 30, fallbackModel: null, alertsMuted: true,
		},
		strategy: 'cushion',
		strategyOverridden: true,
		heldRequests: 2,
		requests: [makeRequest({account: longName, model: longModel, attempts: [{account: '短い名前の日本語アカウント名前です', status: 429}]})],
	});
	const {app} = await mount(t, snapshot, 80, 24);
	const frame = app.frame();
	assert.deepEqual(overlongLines(frame, 80), [], 'no line is wider than the terminal');
	assert.equal(app.lines().length, 23, 'exactly the usable height: nothing wrapped onto extra lines');
	const first = lineWith(frame, ' 1 ');
	assert.match(first, /an-extra/);
	assert.match(first, /pinned/, 'the pinned tag survives at 80 columns');
	assert.match(first, /…/, 'the long name is cut with an ellipsis');
	assert.match(first, /%/, 'the gauges stay on the same line');
	assert.match(frame, /alerts muted/);
	assert.match(frame, /held 2/);
});

test('120 columns: the wide layout adds plan, cache and cost columns and longer bars', async t => {
	const snapshot = makeSnapshot({
		accounts: [
			makeAccount('home', {plan: 'max', utilization5h: 0.5, reset5h: nowSec() + 3600}),
			makeAccount('work', {
				plan: 'pro', state: 'cooling', cooldownUntilMs: Date.now() + 90_000, backAtMs: Date.now() + 90_000, cooldownReason: 'overloaded',
			}),
		],
		requests: [makeRequest({cacheReadTokens: 45_000, costUsd: 0.42}), makeRequest({status: 499, outcome: 'client-cancelled', tsMs: Date.now() - 1000})],
	});
	const {app} = await mount(t, snapshot, 120, 40);
	const frame = app.frame();
	assert.deepEqual(overlongLines(frame, 120), []);
	assert.match(frame, / plan /);
	assert.match(lineWith(frame, 'time'), /cache/);
	assert.match(lineWith(frame, 'time'), /cost/);
	assert.match(frame, /45k/);
	assert.match(frame, /\$0\.42/);
	assert.match(frame, /499 cancelled/, 'outcomes are spelled out when there is room');
	assert.match(lineWith(frame, ' home '), /█{5}░{5}\s+50%/, 'a 10-cell bar, half used');
	assert.match(frame, /cooling \(overloaded\) · back in 1m(29|30)s \(\d\d:\d\d:\d\d\)/);
});

test('a tiny 60×15 terminal gets a compact layout without crashing', async t => {
	const snapshot = makeSnapshot({
		accounts: [
			makeAccount('home', {active: true}),
			makeAccount('work', {state: 'cooling', cooldownUntilMs: Date.now() + 30_000}),
			makeAccount('side', {state: 'reauth', fixHint: 'shunt add-account side'}),
		],
		requests: [makeRequest(), makeRequest({status: 529, account: 'work'})],
		demo: true,
	});
	const {app} = await mount(t, snapshot, 60, 15);
	const frame = app.frame();
	assert.deepEqual(overlongLines(frame, 60), []);
	assert.equal(app.lines().length, 14);
	for (const name of ['home', 'work', 'side']) {
		assert.match(frame, new RegExp(`${name}`), `${name} is listed`);
	}

	assert.match(frame, /ANTHROPIC_BASE_URL=http:\/\/127\.0\.0\.1:8082/);
	assert.match(frame, /\? help/);
});

test('a terminal smaller than anything useful says so instead of garbling', async t => {
	const {app} = await mount(t, makeSnapshot({accounts: [makeAccount('home')]}), 30, 8, frame => frame.includes('too small'));
	assert.match(app.frame(), /30×8 is too small/);
});

test('the layout follows the terminal when it is resized', async t => {
	const snapshot = makeSnapshot({accounts: [makeAccount('home'), makeAccount('work')], requests: [makeRequest()]});
	const {app} = await mount(t, snapshot, 120, 30);
	app.resize(80, 24);
	const frame = await waitForFrame(app.lastFrame, drawnAt(80, 24));
	assert.deepEqual(overlongLines(frame, 80), []);
	assert.doesNotMatch(lineWith(frame, 'time'), /cache/, 'the wide-only columns are gone');
});

test('demo mode is tagged and shows the ANTHROPIC_BASE_URL line', async t => {
	const snapshot = makeSnapshot({demo: true, listenUrl: 'http://127.0.0.1:9099', accounts: [makeAccount('demo-1')]});
	const {app} = await mount(t, snapshot, 80, 24);
	const frame = app.frame();
	assert.match(frame.split('\n')[0]!, /DEMO/);
	assert.match(frame, /ANTHROPIC_BASE_URL=http:\/\/127\.0\.0\.1:9099/);
});

test('the header shows the version, address, uptime and every setting', async t => {
	const snapshot = makeSnapshot({
		version: '1.2.3',
		startedMs: Date.now() - (((2 * 3600) + (5 * 60)) * 1000),
		accounts: [makeAccount('home', {pinned: true})],
		pinnedAccount: 'home',
		strategy: 'reaper',
		strategyOverridden: true,
		overrides: {
			strategy: 'reaper', model: 'claude-haiku-4-5-20251001', effort: 'max', burstRpmLimit: 0, fallbackModel: null, alertsMuted: false,
		},
		burstRpmLimit: 0,
		inFlight: 4,
		requestsPerMinute: 17,
		heldRequests: 0,
	});
	const {app} = await mount(t, snapshot, 120, 30);
	const frame = app.frame();
	assert.match(frame, /shunt v1\.2\.3/);
	assert.match(frame, /http:\/\/127\.0\.0\.1:8082/);
	assert.match(frame, /up 2h05m/);
	assert.match(frame, /strategy reaper \(override\)/);
	assert.match(frame, /pin home/);
	assert.match(frame, /model haiku-4-5(?!-2025)/);
	assert.match(frame, /effort max/);
	assert.match(frame, /burst off/);
	assert.match(frame, /in-flight 4/);
	assert.match(frame, /17 req\/min/);
	assert.doesNotMatch(frame, /held/, 'held requests only show when there are some');
	assert.doesNotMatch(frame, /alerts muted/);
	assert.match(lineWith(frame, 'oauth'), /home.*pinned/);
});

test('the log: newest first, short model names, statuses, outcomes, tokens and durations', async t => {
	const base = Date.now();
	const snapshot = makeSnapshot({
		accounts: [makeAccount('home'), makeAccount('work')],
		requests: [
			makeRequest({
				tsMs: base, model: 'claude-opus-4-8-20260101', status: 200, inputTokens: 12_345, outputTokens: 950, durationMs: 850,
			}),
			makeRequest({
				tsMs: base - 1000, status: 200, outcome: 'truncated', durationMs: 61_000,
			}),
			makeRequest({
				tsMs: base - 2000, status: 529, account: 'work', outcome: 'error',
			}),
			makeRequest({tsMs: base - 3000, status: 499, outcome: 'client-cancelled'}),
		],
	});
	const {app} = await mount(t, snapshot, 100, 30);
	const frame = app.frame();
	const lines = frame.split('\n');
	const opus = lines.findIndex(line => line.includes('opus-4-8'));
	const error = lines.findIndex(line => line.includes('529'));
	assert.ok(opus > 0 && error > opus, 'newest first');
	assert.doesNotMatch(frame, /claude-opus|20260101/);
	assert.match(lines[opus]!, /12\.3k\s+950\s+850ms/);
	assert.match(frame, /200 trunc/);
	assert.match(frame, /1m01s/);
	assert.match(frame, /529 err/);
	assert.match(frame, /499 cancel/);
	// The time is when the request arrived (the log lists requests by arrival).
	const clock = new Date(base - 850);
	const hhmmss = [clock.getHours(), clock.getMinutes(), clock.getSeconds()].map(part => String(part).padStart(2, '0')).join(':');
	assert.match(lines[opus]!, new RegExp(String.raw`^\s*${hhmmss}`), 'local HH:MM:SS');
});

test('a request through the OpenAI front door is marked oa: in the model column', async t => {
	const snapshot = makeSnapshot({
		accounts: [makeAccount('home')],
		requests: [
			makeRequest({
				model: 'claude-sonnet-4-6', requestedModel: 'gpt-4o', frontDoor: 'openai', outputTokens: 321,
			}),
			makeRequest({model: 'claude-haiku-4-5-20251001', tsMs: Date.now() - 5000, outputTokens: 654}),
		],
	});
	const {app} = await mount(t, snapshot, 120, 30);
	const frame = app.frame();
	assert.match(lineWith(frame, '321'), /oa:sonnet-4-6\*/);
	assert.doesNotMatch(lineWith(frame, '654'), /oa:/);
	assert.match(lineWith(frame, '654'), /haiku-4-5/);
});

test('a failover is rendered as 429 home → work, even at 80 columns', async t => {
	const snapshot = makeSnapshot({
		accounts: [makeAccount('home'), makeAccount('work'), makeAccount('side')],
		requests: [
			makeRequest({account: 'work', attempts: [{account: 'home', status: 429, reason: 'quota'}]}),
			makeRequest({account: 'side', tsMs: Date.now() - 5000, attempts: [{account: 'home', status: 429}, {account: 'work', status: 529}]}),
		],
	});
	const {app} = await mount(t, snapshot, 80, 24);
	const frame = app.frame();
	assert.match(frame, /429 home → work/);
	assert.match(frame, /429 home → 529 work → side/);
});

test('events interleave with requests, and never change after the fact (the countdown is on the account)', async t => {
	const base = Date.now();
	const snapshot = makeSnapshot({
		accounts: [makeAccount('home'), makeAccount('work', {
			state: 'cooling', cooldownUntilMs: base + 95_000, backAtMs: base + 95_000, cooldownReason: 'rate limit',
		})],
		requests: [makeRequest({tsMs: base, account: 'home', attempts: [{account: 'work', status: 429}]}), makeRequest({tsMs: base - 20_000, account: 'work'})],
		events: [
			makeEvent({
				tsMs: base - 1, kind: 'cooldown', account: 'work', message: 'cooling down (quota)',
			}),
			makeEvent({
				tsMs: base - 2, kind: 'rate-limited', account: 'work', message: '429 quota',
			}),
			makeEvent({
				tsMs: base - 10_000, kind: 'recovered', account: 'home', message: 'back in rotation',
			}),
			makeEvent({
				tsMs: base - 30_000, kind: 'cooldown', account: 'home', message: 'cooling down (overloaded)',
			}),
		],
	});
	const {app} = await mount(t, snapshot, 100, 30);
	const lines = app.lines();
	// The request arrived 1.2 s before it finished, before the 429 and cooldown it caused: by arrival, it sits below them.
	const order = ['↻ work cooling down (quota)', '▲ work 429 quota', '429 work → home', '✓ home back in rotation', '↻ home cooling down (overloaded)']
		.map(text => lines.findIndex(line => line.includes(text)));
	assert.ok(order.every(index => index > 0), `every entry is shown: ${order.join(', ')}`);
	assert.deepEqual([...order].toSorted((a, b) => a - b), order, 'one timeline, newest first');
	for (const index of order) {
		assert.doesNotMatch(lines[index]!, /resumes in|back in \d/, 'log lines stay as they were written');
	}

	assert.match(app.frame(), /cooling \(rate limit\) · back in 1m3[45]s/, 'the live countdown is on the account');
});

test('an event whose message already names its account does not repeat the name', async t => {
	const snapshot = makeSnapshot({
		accounts: [makeAccount('team', {state: 'cooling', cooldownUntilMs: Date.now() + 15_000, cooldownReason: 'overloaded'})],
		events: [makeEvent({kind: 'overloaded', account: 'team', message: 'team overloaded: cooling 15s'})],
	});
	const {app} = await mount(t, snapshot);
	const line = lineWith(app.frame(), 'overloaded: cooling');
	assert.match(line, /~ team overloaded: cooling 15s\s*$/, 'no live suffix: the line stays as it was written');
	assert.doesNotMatch(line, /team team/);
});

test('savings: today, this week and all time, in tokens and dollars', async t => {
	const totals = (usd: number, tokens: number) => ({
		inputTokens: tokens, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, usd,
	});
	const snapshot = makeSnapshot({
		accounts: [makeAccount('home')],
		savings: {today: totals(12.34, 1_234_567), week: totals(0.004, 950), allTime: totals(1234.5, 45_000_000)},
	});
	const {app} = await mount(t, snapshot, 140, 30);
	const frame = app.frame();
	const line = lineWith(frame, 'savings');
	assert.match(line, /what the API would have charged/);
	assert.match(line, /today \$12\.34 \(1\.2M tok\)/);
	assert.match(line, /this week <\$0\.01 \(950 tok\)/);
	assert.match(line, /all time \$1\.2k \(45M tok\)/);
});

test('each account shows its prompt-cache hit rate, and a model-scoped window when it is close or spent', async t => {
	const snapshot = makeSnapshot({
		accounts: [
			makeAccount('home', {
				cacheHitRate: 0.874, scopedWindows: [{
					window: '7d_opus', label: 'weekly opus', utilization: 1, reset: nowSec() + 7200, status: 'rejected', spent: true,
				}],
			}),
			makeAccount('work', {
				cacheHitRate: 0, scopedWindows: [{
					window: '7d_sonnet', label: 'weekly sonnet', utilization: 0.93, reset: nowSec() + 86_400, status: 'allowed_warning', spent: false,
				}],
			}),
			makeAccount('side', {
				cacheHitRate: null, scopedWindows: [{
					window: '7d_opus', label: 'weekly opus', utilization: 0.4, reset: nowSec() + 86_400, status: 'allowed', spent: false,
				}],
			}),
		],
	});
	const {app} = await mount(t, snapshot, 120, 40);
	const frame = app.frame();
	assert.deepEqual(overlongLines(frame, 120), []);
	assert.match(lineWith(frame, '5h tok'), / cache /);
	assert.match(lineWith(frame, ' home '), / 87% /);
	assert.match(lineWith(frame, ' work '), / 0% /);
	assert.match(lineWith(frame, ' side '), / – /, 'no prompt served yet: no rate');
	assert.match(frame, /weekly opus spent · back in 1h59m|weekly opus spent · back in 2h00m/);
	assert.match(frame, /weekly sonnet 93%/);
	assert.doesNotMatch(frame, /weekly opus 40%/, 'a scoped window far from its limit is not worth a word');
	// Below 120 columns the cache column gives way to the status words; nothing overflows.
	const narrow = await mount(t, snapshot, 80, 24);
	assert.deepEqual(overlongLines(narrow.app.frame(), 80), []);
	assert.match(narrow.app.frame(), /weekly opus spent/);
});
