/** @jsxRuntime automatic */
// covers: source/monitor/panes/detail/detail-lines.ts, source/monitor/panes/detail/detail-view.tsx, source/monitor/panes/log/log-filter.ts, source/monitor/keys/use-key-handler.ts, source/routing/explain.ts
// Why this account: Enter on a log row opens the request's detail (what routing saw, how it
// decided, each try and wait, timing, tokens, cost, the model asked for vs sent), Esc closes it;
// `/` filters the log. Crafted snapshots, then the real store behind a proxy and the simulator.
import assert from 'node:assert/strict';
import {after, afterEach, test, type TestContext} from 'node:test';
import {cleanup} from 'ink-testing-library';
import App from '../source/monitor/app.js';
import type {MonitorStore, StoreSnapshot} from '../source/monitor/contract.js';
import {Simulator} from '../source/simulator/index.js';
import {clockTime} from '../source/util/clock-time.js';
import {
	FakeStore, makeAccount, makeEvent, makeLive, makeRequest, makeSnapshot,
} from './helpers/fake-store.js';
import {
	keys, renderAt, waitForFrame, type Rendered,
} from './helpers/ink.js';
import {message, startHarness, type Harness} from './helpers/proxy-harness.js';

after(cleanup);

async function mount(t: TestContext, store: MonitorStore, columns = 100, rows = 30): Promise<Rendered> {
	const app = await renderAt(<App store={store} onQuit={() => {}}/>, columns, rows);
	t.after(() => {
		app.unmount();
	});
	return app;
}

const lineWith = (frame: string, text: string | RegExp): string => frame.split('\n').find(line => (typeof text === 'string' ? line.includes(text) : text.test(line))) ?? '';
const detailOpen = (frame: string) => frame.includes('why this account') || frame.includes('in flight');
const logShown = (frame: string) => frame.includes('requests & events');

const threeAccounts = () => [makeAccount('home'), makeAccount('work'), makeAccount('side')];

function failedOver(now: number) {
	return makeRequest({
		id: 'failed-over',
		tsMs: now - 1000,
		durationMs: 2345,
		ttftMs: 412,
		account: 'work',
		model: 'claude-sonnet-4-6',
		requestedModel: 'claude-opus-4-8',
		inputTokens: 1200,
		outputTokens: 340,
		cacheReadTokens: 45_000,
		cacheWriteTokens: 2048,
		cacheWrite5mTokens: 2048,
		cacheWrite1hTokens: 0,
		costUsd: 0.0345,
		attempts: [{account: 'home', status: 429, reason: 'quota'}],
		decision: {
			by: 'strategy',
			strategy: 'maximus',
			candidates: [
				{account: 'home', eligible: false, why: 'already failed this request', score: null},
				{account: 'work', eligible: true, why: 'chosen', score: 0.812},
				{account: 'side', eligible: false, why: 'cooling (overloaded)', score: null, untilMs: now + 15_000},
			],
		},
	});
}

test('Enter on a request opens its detail: what routing saw and how it decided, each try, timing, tokens, cost, the model asked for vs sent; Esc closes it', async t => {
	const now = Date.now();
	const newest = makeRequest({id: 'newest', tsMs: now, inputTokens: 77_000});
	const store = new FakeStore(makeSnapshot({accounts: threeAccounts(), requests: [newest, failedOver(now)]}));
	const app = await mount(t, store, 100, 40);
	app.press(keys.tab);
	await waitForFrame(app.lastFrame, frame => /━━ requests & events/.test(frame) && /^▸.*77k/m.test(frame));
	app.press('j');
	await waitForFrame(app.lastFrame, frame => /^▸.*1\.2k/m.test(frame));
	app.press('\r');
	const detail = await waitForFrame(app.lastFrame, detailOpen);
	assert.match(detail, /request failed-over\s+\/v1\/messages/);
	assert.match(detail, /model\s+claude-sonnet-4-6\s+\(asked for claude-opus-4-8/, 'the model requested vs the model sent');
	assert.match(detail, /route\s+429 home → work/);
	assert.match(detail, /timing\s+2\.3s in all\s+· first byte after 412ms\s+· stream/);
	assert.match(detail, /tokens\s+in 1\.2k · out 340 · cache read 45k · cache write 2k \(5m 2k · 1h 0\)/);
	assert.match(detail, /cost\s+\$0\.03/);
	assert.match(detail, /decided by\s+the strategy\s+strategy maximus/);
	assert.match(detail, /▸ work\s+✓ chosen\s+score 0\.812/);
	assert.match(detail, /  home\s+✗ already failed this request/);
	assert.match(lineWith(detail, /side\s+✗/), new RegExp(`side\\s+✗ cooling \\(overloaded\\) · back in \\d+s \\(${clockTime(now + 15_000)}\\)`));
	assert.match(detail, /429 home\s+quota/, 'each try with its status and classification');
	assert.match(detail, /200 work\s+complete/, 'and the answer');
	assert.match(app.lines().at(-1)!, /esc closes the detail/);
	assert.doesNotMatch(detail, /requests & events/, 'the detail is over the panes');

	// Keys do not act while it is open.
	app.press('s');
	app.press(keys.escape);
	const back = await waitForFrame(app.lastFrame, logShown);
	assert.match(lineWith(back, '1.2k'), /^▸/, 'the selection is where it was');
	assert.deepEqual(store.calls, []);
});

test('the detail of a request routed by the pin, of shunt\'s own answer, and of one answered before routing', async t => {
	const now = Date.now();
	const pinned = makeRequest({id: 'pinned', tsMs: now, inputTokens: 11_000, decision: {by: 'pin', strategy: 'cushion', candidates: [{account: 'home', eligible: true, why: 'chosen', score: null}]}});
	const own = makeRequest({
		id: 'own-answer',
		tsMs: now - 1000,
		account: null,
		status: 429,
		outcome: 'error',
		inputTokens: 0,
		outputTokens: 0,
		ttftMs: null,
		shuntReason: 'all out of quota',
		decision: {by: 'strategy', strategy: 'maximus', candidates: [
			{account: 'home', eligible: false, why: 'window spent', score: null, untilMs: now + 3_600_000},
			{account: 'work', eligible: false, why: 'burst limit', score: null},
		]},
	});
	const early = makeRequest({id: 'early', tsMs: now - 2000, status: 413, outcome: 'error', account: null, inputTokens: 0, shuntReason: 'body too large'});
	const app = await mount(t, new FakeStore(makeSnapshot({accounts: [makeAccount('home'), makeAccount('work')], requests: [pinned, own, early]})), 100, 40);
	app.press(keys.tab, '\r');
	const pinDetail = await waitForFrame(app.lastFrame, detailOpen);
	assert.match(pinDetail, /decided by\s+the pin \(0 unpins\)\s+strategy cushion/);
	assert.match(pinDetail, /route\s+home/, 'a request served at once names its account');

	app.press(keys.escape);
	await waitForFrame(app.lastFrame, logShown);
	app.press('j', '\r');
	const ownDetail = await waitForFrame(app.lastFrame, frame => frame.includes('request own-answer'));
	assert.match(ownDetail, new RegExp(`home\\s+✗ window spent · back in \\S+ \\(${clockTime(now + 3_600_000)}\\)`));
	assert.match(ownDetail, /work\s+✗ burst limit/);
	assert.match(ownDetail, /429 shunt\s+all out of quota/, 'shunt answered, with its reason');
	assert.doesNotMatch(ownDetail, /score/, 'no account was eligible, so none was scored');

	app.press(keys.escape);
	await waitForFrame(app.lastFrame, logShown);
	app.press('j', '\r');
	const earlyDetail = await waitForFrame(app.lastFrame, frame => frame.includes('request early'));
	assert.match(earlyDetail, /no routing decision \(answered before routing\)/);
});

test('Enter on an event or from the accounts pane says why there is no detail', async t => {
	const now = Date.now();
	const app = await mount(t, new FakeStore(makeSnapshot({
		accounts: threeAccounts(),
		requests: [makeRequest({tsMs: now - 5000})],
		events: [makeEvent({tsMs: now, kind: 'cooldown', account: 'work', message: 'work quota: cooling'})],
	})));
	app.press('\r');
	await waitForFrame(app.lastFrame, frame => frame.includes('tab to the log, pick a request, then enter'));
	app.press(keys.tab, '\r');
	const frame = await waitForFrame(app.lastFrame, text => text.includes('that row is an event: no detail'));
	assert.ok(logShown(frame) && !detailOpen(frame));
});

test('a live request opens as in flight and becomes its finished detail when it ends, while open', async t => {
	const now = Date.now();
	const live = makeLive({id: 'slow-one', account: null, state: 'held', firstByteMs: null, heldReason: 'all cooling', heldUntilMs: now + 7000, startedMs: now - 2000});
	const store = new FakeStore(makeSnapshot({accounts: threeAccounts(), inFlight: 1, heldRequests: 1, inFlightRequests: [live]}));
	const app = await mount(t, store, 100, 30);
	app.press(keys.tab, '\r');
	const open = await waitForFrame(app.lastFrame, frame => frame.includes('in flight'));
	assert.match(open, /request slow-one\s+in flight/);
	assert.match(open, new RegExp(`state\\s+held · all cooling, tries again in \\d+s \\(${clockTime(now + 7000)}\\)`));
	assert.match(open, /first byte\s+not yet/);

	const finished = makeRequest({
		id: 'slow-one', startedMs: live.startedMs, tsMs: now + 100, durationMs: 2100, account: 'side', holds: [{afterAttempts: 0, ms: 1500, reason: 'all cooling'}],
		decision: {by: 'only', strategy: 'maximus', candidates: [{account: 'side', eligible: true, why: 'chosen', score: 0.5}]},
	});
	store.push(snapshot => ({...snapshot, inFlight: 0, heldRequests: 0, inFlightRequests: [], requests: [finished]}));
	const done = await waitForFrame(app.lastFrame, frame => frame.includes('why this account'));
	assert.match(done, /decided by\s+the only account that could serve it/);
	assert.match(done, /⏸ held 1\.5s: all cooling/);
	assert.match(done, /route\s+⏸ 2s → side/);
});

test('/ filters the log by account, model, status and free text, with a visible filter line; Enter keeps it, Esc clears it', async t => {
	const now = Date.now();
	const snapshot: StoreSnapshot = makeSnapshot({
		accounts: threeAccounts(),
		requests: [
			makeRequest({tsMs: now, account: 'home', model: 'claude-opus-4-8', inputTokens: 10_000}),
			makeRequest({tsMs: now - 1000, account: 'work', inputTokens: 11_000}),
			makeRequest({tsMs: now - 2000, account: 'work', status: 529, outcome: 'error', inputTokens: 12_000}),
			makeRequest({tsMs: now - 3000, account: 'side', inputTokens: 13_000, attempts: [{account: 'work', status: 429, reason: 'quota'}]}),
			makeRequest({tsMs: now - 4000, account: null, status: 429, outcome: 'error', inputTokens: 0, shuntReason: 'all out of quota', durationMs: 7}),
		],
		events: [makeEvent({tsMs: now - 3500, kind: 'cooldown', account: 'work', message: 'work quota: cooling'})],
	});
	const store = new FakeStore(snapshot);
	const app = await mount(t, store, 100, 30);
	const shown = (frame: string) => ['10k', '11k', '12k', '13k', '7ms', 'work quota: cooling'].filter(text => frame.includes(text));
	await waitForFrame(app.lastFrame, frame => shown(frame).length === 6);

	app.press('/');
	await waitForFrame(app.lastFrame, frame => /\/▏\s+enter keeps · esc clears/.test(lineWith(frame, 'requests & events')));
	assert.match(app.lines().at(-1)!, /type to filter\s+enter keeps\s+esc clears/);
	app.press(...'account:work');
	const byAccount = await waitForFrame(app.lastFrame, frame => frame.includes('/account:work▏'));
	assert.deepEqual(shown(byAccount), ['11k', '12k', 'work quota: cooling']);
	assert.deepEqual(store.calls, [], 'typed letters are the filter, not keys (no strategy, mute or pause)');

	app.press('\r');
	const kept = await waitForFrame(app.lastFrame, frame => /\/account:work\s+esc clears/.test(frame) && !frame.includes('▏'));
	assert.deepEqual(shown(kept), ['11k', '12k', 'work quota: cooling']);
	app.press(keys.escape);
	const cleared = await waitForFrame(app.lastFrame, frame => shown(frame).length === 6);
	assert.doesNotMatch(lineWith(cleared, 'requests & events'), /\/account/);

	const filterBy = async (text: string) => {
		app.press('/', ...text, '\r');
		const frame = await waitForFrame(app.lastFrame, current => current.includes(`/${text}`) && !current.includes('▏'));
		const result = shown(frame);
		app.press(keys.escape);
		await waitForFrame(app.lastFrame, current => shown(current).length === 6);
		return result;
	};

	assert.deepEqual(await filterBy('status:4'), ['7ms'], '4xx answers: shunt\'s 429');
	assert.deepEqual(await filterBy('status:5'), ['12k']);
	assert.deepEqual(await filterBy('status:shunt'), ['7ms']);
	assert.deepEqual(await filterBy('model:opus'), ['10k']);
	assert.deepEqual(await filterBy('quota'), ['13k', '7ms', 'work quota: cooling'], 'free text matches tries, reasons and events');
	assert.deepEqual(await filterBy('account:work status:2'), ['11k'], 'every term must match');

	// Backspace edits; nothing matching says so.
	app.press('/', ...'zzzx');
	await waitForFrame(app.lastFrame, frame => frame.includes('/zzzx▏'));
	app.press('\u007F');
	const none = await waitForFrame(app.lastFrame, frame => frame.includes('/zzz▏'));
	assert.match(none, /Nothing matches \/zzz/);
	app.press(keys.escape);
	await waitForFrame(app.lastFrame, frame => shown(frame).length === 6 && !frame.includes('▏'));
	assert.deepEqual(store.calls, []);
});

// ---------------------------------------------------------------- the real store

let simulator: Simulator | undefined;
let harness: Harness | undefined;

afterEach(async () => {
	await harness?.close();
	await simulator?.close();
	harness = undefined;
	simulator = undefined;
});

test('with the real store: the detail shows the decision routing made, every account with its score, and a failover\'s tries', async t => {
	simulator = new Simulator();
	await simulator.listen();
	const accounts = ['a', 'b', 'c'].map(name => ({name, kind: 'oauth' as const, secret: `token-${name}`}));
	for (const [index, account] of accounts.entries()) {
		simulator.addAccount({kind: 'oauth', credential: account.secret, name: account.name, utilization5h: 0.1 + (index * 0.3)});
	}

	harness = await startHarness({upstream: simulator.url, accounts});
	// Teach the store each account's usage, as real traffic would.
	for (const account of accounts) {
		harness.store.pin(account.name);
		// eslint-disable-next-line no-await-in-loop
		await (await harness.post(message(), {'x-claude-code-session-id': `warm-${account.name}`})).arrayBuffer();
	}

	harness.store.pin(null);
	simulator.arm('token-a', {type: 'quota_429', resetInSeconds: 600});
	const response = await harness.post(message({model: 'claude-haiku-4-5'}), {'x-claude-code-session-id': 'detail'});
	assert.equal(response.status, 200);
	await response.arrayBuffer();

	const app = await mount(t, harness.store, 100, 40);
	// The newest entry is the 429 event the failover caused; the request is the row below it.
	app.press(keys.tab, 'j');
	await waitForFrame(app.lastFrame, frame => /^▸.*haiku-4-5/m.test(frame));
	app.press('\r');
	const detail = await waitForFrame(app.lastFrame, detailOpen);
	assert.match(detail, /decided by\s+the strategy\s+strategy maximus/);
	assert.match(detail, /a\s+✗ already failed this request/);
	assert.match(detail, /▸ b\s+✓ chosen\s+score \d\.\d{3}/);
	assert.match(detail, /  c\s+✓ eligible\s+score \d\.\d{3}/);
	const score = (name: string) => Number(new RegExp(`${name}\\s+✓ \\w+\\s+score (\\d\\.\\d{3})`).exec(detail)![1]);
	assert.ok(score('b') >= score('c'), 'maximus chose the best score');
	assert.match(detail, /429 a\s+quota/);
	assert.match(detail, /200 b\s+complete/);
	assert.match(detail, /route\s+429 a → b/);
});
