/** @jsxRuntime automatic */
// covers: source/monitor/panes/log/log-rows.ts, source/monitor/panes/log/log-items.ts, source/monitor/panes/header/header-lines.ts, source/monitor/panes/accounts/account-rows.ts, source/state/in-flight.ts
// What is happening now: in-flight and held requests as live rows placed by arrival and replaced
// in place by their finished rows, the banner when nothing can serve, shunt's own answers, and
// every reason an account is not chosen on its row. Crafted snapshots first, then the real store
// behind a proxy and the simulator.
import assert from 'node:assert/strict';
import {
	after, afterEach, test, type TestContext,
} from 'node:test';
import {cleanup} from 'ink-testing-library';
import App from '../source/monitor/app.js';
import type {MonitorStore, StoreSnapshot} from '../source/monitor/contract.js';
import {Simulator} from '../source/simulator/index.js';
import {clockTime} from '../source/util/clock-time.js';
import {
	FakeStore, makeAccount, makeLive, makeRequest, makeSnapshot,
} from './helpers/fake-store.js';
import {renderAt, waitForFrame, type Rendered} from './helpers/ink.js';
import {message, startHarness, type Harness} from './helpers/proxy-harness.js';

after(cleanup);

async function mount(t: TestContext, store: MonitorStore, columns = 100, rows = 30): Promise<Rendered> {
	const app = await renderAt(<App store={store} onQuit={() => {}}/>, columns, rows);
	t.after(() => {
		app.unmount();
	});
	return app;
}

const mountSnapshot = async (t: TestContext, snapshot: StoreSnapshot, columns = 100, rows = 30) => {
	const store = new FakeStore(snapshot);
	return {store, app: await mount(t, store, columns, rows)};
};

const lineWith = (frame: string, text: string | RegExp): string => frame.split('\n').find(line => (typeof text === 'string' ? line.includes(text) : text.test(line))) ?? '';
const indexWith = (frame: string, text: string | RegExp): number => frame.split('\n').findIndex(line => (typeof text === 'string' ? line.includes(text) : text.test(line)));
const twoAccounts = () => [makeAccount('home'), makeAccount('work')];

test('an in-flight stream is a live row: account, model, elapsed time that ticks, time to first token, output so far', async t => {
	const now = Date.now();
	const live = makeLive({
		account: 'work', model: 'claude-opus-4-8', startedMs: now - 3000, firstByteMs: now - 2200, outputTokens: 420,
	});
	const {app} = await mountSnapshot(t, makeSnapshot({accounts: twoAccounts(), inFlight: 1, inFlightRequests: [live]}));
	const frame = await waitForFrame(app.lastFrame, text => text.includes('opus-4-8'));
	const row = lineWith(frame, 'opus-4-8');
	assert.match(row, new RegExp(String.raw`^\s*${clockTime(live.startedMs)}\s+work\s+opus-4-8\s+▸ stream`), `the time it arrived, its account and model: ${row}`);
	assert.match(row, /~420/, 'output so far, marked as an estimate');
	assert.match(row, /first token after 800ms/);
	const elapsed = Number(/\s(\d+\.\d)s\s/.exec(row)?.[1]);
	assert.ok(elapsed >= 3 && elapsed < 10, `elapsed since arrival: ${row}`);
	// No new snapshot arrives: the monitor's own clock moves the elapsed time on.
	const later = await waitForFrame(app.lastFrame, text => Number(/\s(\d+\.\d)s\s/.exec(lineWith(text, 'opus-4-8'))?.[1]) >= elapsed + 1, 5000);
	assert.match(lineWith(later, 'opus-4-8'), /▸ stream/);
});

test('a request not yet answered says what it waits for', async t => {
	const now = Date.now();
	const {app} = await mountSnapshot(t, makeSnapshot({
		accounts: twoAccounts(),
		inFlightRequests: [
			makeLive({
				account: 'home', model: 'claude-haiku-4-5-20251001', startedMs: now - 500, firstByteMs: null, state: 'waiting',
			}),
			makeLive({
				account: null, model: 'claude-sonnet-4-6', startedMs: now - 900, firstByteMs: null, state: 'waiting',
			}),
		],
	}));
	const frame = await waitForFrame(app.lastFrame, text => text.includes('haiku-4-5'));
	assert.match(lineWith(frame, 'haiku-4-5'), /home\s+haiku-4-5\s+…\s.*waiting for the first byte/);
	assert.match(lineWith(frame, 'sonnet-4-6'), /…\s+sonnet-4-6\s+…\s.*choosing an account/);
});

test('the log is ordered by arrival: a long request that finished last sits below those that arrived after it', async t => {
	const now = Date.now();
	const snapshot = makeSnapshot({
		accounts: twoAccounts(),
		inFlightRequests: [makeLive({
			id: 'streaming', account: 'work', startedMs: now - 4000, outputTokens: 77,
		})],
		requests: [
			// Finished most recently, but arrived first: a 20 s stream.
			makeRequest({
				id: 'long', tsMs: now - 100, durationMs: 20_000, inputTokens: 31_000,
			}),
			makeRequest({
				id: 'quick', tsMs: now - 1500, durationMs: 500, inputTokens: 32_000,
			}),
		],
	});
	const {app} = await mountSnapshot(t, snapshot);
	const frame = await waitForFrame(app.lastFrame, text => text.includes('31k'));
	const order = [indexWith(frame, '32k'), indexWith(frame, '~77'), indexWith(frame, '31k')];
	assert.ok(order.every(index => index > 0), `all three are listed: ${order.join(', ')}\n${frame}`);
	assert.deepEqual([...order].toSorted((a, b) => a - b), order, `newest arrival first:\n${frame}`);
});

test('a finished request takes its live row\'s place, and is shown once while both are in the snapshot', async t => {
	const now = Date.now();
	const live = makeLive({
		id: 'slow', account: 'work', startedMs: now - 5000, firstByteMs: now - 4500, outputTokens: 150,
	});
	const older = makeRequest({id: 'older', tsMs: now - 8000, inputTokens: 44_000});
	const {store, app} = await mountSnapshot(t, makeSnapshot({
		accounts: twoAccounts(), inFlight: 1, inFlightRequests: [live], requests: [older],
	}));
	// Newer traffic arrives while the stream runs: the live row moves down with its arrival time.
	const newer = makeRequest({
		id: 'newer', tsMs: now - 200, durationMs: 300, inputTokens: 55_000,
	});
	store.push(snapshot => ({...snapshot, requests: [newer, ...snapshot.requests]}));
	const before = await waitForFrame(app.lastFrame, text => text.includes('55k') && text.includes('~150'));
	const position = indexWith(before, '~150');
	assert.ok(indexWith(before, '55k') < position && position < indexWith(before, '44k'), before);

	// The record lands while the live row is still listed: one row, the finished one.
	const finished = makeRequest({
		id: 'slow', account: 'work', startedMs: live.startedMs, tsMs: now, durationMs: 5000, inputTokens: 66_000, outputTokens: 612,
	});
	store.push(snapshot => ({...snapshot, requests: [finished, ...snapshot.requests]}));
	const both = await waitForFrame(app.lastFrame, text => text.includes('66k'));
	assert.equal(indexWith(both, '66k'), position, `in the live row's place:\n${both}`);
	assert.doesNotMatch(both, /~150|▸ stream/, 'shown once');
	assert.match(lineWith(both, '66k'), new RegExp(String.raw`^\s*${clockTime(live.startedMs)}\s+work\s+sonnet-4-6\s+200\s+66k\s+612\s+5\.0s`));

	store.push(snapshot => ({...snapshot, inFlight: 0, inFlightRequests: []}));
	const after = await waitForFrame(app.lastFrame, text => text.includes('in-flight 0'));
	assert.equal(indexWith(after, '66k'), position, 'still in the same place once the live row left the snapshot');
	assert.equal(after.split('\n').filter(line => line.includes('66k')).length, 1);
});

test('each held request shows why it is held and when it is tried again, in full at 100 and 120 columns, the wait at least at 80', async t => {
	const now = Date.now();
	const held = [
		makeLive({
			account: null, model: 'claude-opus-4-8', startedMs: now - 1200, state: 'held', firstByteMs: null, heldReason: 'all cooling', heldUntilMs: now + 6500,
		}),
		makeLive({
			account: null, model: 'claude-sonnet-4-6', startedMs: now - 2200, state: 'held', firstByteMs: null, heldReason: 'burst limit', heldUntilMs: now + 42_000,
		}),
		makeLive({
			account: null, model: 'claude-haiku-4-5', startedMs: now - 3200, state: 'held', firstByteMs: null, heldReason: 'spent window', heldUntilMs: now + 185_000,
		}),
	];
	for (const columns of [100, 120]) {
		// Names as long as the demo's make the columns as wide as they get.
		const snapshot = makeSnapshot({
			accounts: [makeAccount('personal'), makeAccount('side-project')], heldRequests: 3, inFlight: 3, inFlightRequests: held,
		});

		const {app} = await mountSnapshot(t, snapshot, columns, 30);

		const frame = await waitForFrame(app.lastFrame, text => text.includes('haiku-4-5'));
		for (const [model, reason, untilMs] of [['opus-4-8', 'all cooling', now + 6500], ['sonnet-4-6', 'burst limit', now + 42_000], ['haiku-4-5', 'spent window', now + 185_000]] as const) {
			const row = lineWith(frame, model);
			assert.match(row, /\sheld\s/, `${columns} columns: ${row}`);
			assert.match(row, new RegExp(`⏸ ${reason}`), `${columns} columns: the reason: ${row}`);
			assert.match(row, new RegExp(String.raw`retry in \S+ \(${clockTime(untilMs)}\)`), `${columns} columns: when it is tried again: ${row}`);
		}

		assert.match(frame, /held 3/, 'the header still counts them');
		app.unmount();
	}

	// At 80 columns the clock time may be cut, never the wait itself.
	const {app} = await mountSnapshot(t, makeSnapshot({
		accounts: [makeAccount('personal'), makeAccount('side-project')], heldRequests: 3, inFlight: 3, inFlightRequests: held,
	}), 80, 24);
	const frame = await waitForFrame(app.lastFrame, text => text.includes('haiku-4-5'));
	for (const [model, reason] of [['opus-4-8', 'all cooling'], ['sonnet-4-6', 'burst limit'], ['haiku-4-5', 'spent window']] as const) {
		assert.match(lineWith(frame, model), new RegExp(String.raw`⏸ ${reason} · retry in \d+(m\d+)?s`), `80 columns: the reason and the wait: ${lineWith(frame, model)}`);
	}
});

test('when nothing can serve, one banner says so and names the account back first, with its time', async t => {
	const now = Date.now();
	const gammaBack = now + (6 * 60_000) + 30_000;
	const accounts = [
		makeAccount('alpha', {
			state: 'exhausted', status5h: 'rejected', utilization5h: 1.02, reset5h: Math.ceil((now + 3_600_000) / 1000), backAtMs: now + 3_600_000,
		}),
		makeAccount('beta', {state: 'throttled', burst: {count: 10, limit: 10, freesAtMs: now + (20 * 60_000)}, backAtMs: now + (20 * 60_000)}),
		makeAccount('gamma', {
			state: 'cooling', cooldownReason: 'overloaded', cooldownUntilMs: gammaBack, backAtMs: gammaBack,
		}),
	];
	const {store, app} = await mountSnapshot(t, makeSnapshot({accounts}), 100, 30);
	const frame = await waitForFrame(app.lastFrame, text => text.includes('accounts out'));
	const banners = frame.split('\n').filter(line => line.includes('accounts out'));
	assert.equal(banners.length, 1, 'one banner');
	assert.match(banners[0]!, new RegExp(String.raw`all 3 accounts out\s+next back: gamma in 6m[0-3]\ds \(${clockTime(gammaBack)}\)`));

	// Nothing comes back by itself: the banner says where to look instead of a time.
	store.push(snapshot => ({
		...snapshot, accounts: snapshot.accounts.map(account => ({
			...account, state: account.name === 'alpha' ? 'reauth' : 'paused', backAtMs: null, fixHint: 'shunt add-account alpha',
		})),
	}));
	const stuck = await waitForFrame(app.lastFrame, text => text.includes('none comes back by itself'));
	assert.doesNotMatch(stuck, /next back/);

	// One account that can serve and the banner is gone.
	store.push(snapshot => ({...snapshot, accounts: snapshot.accounts.map(account => (account.name === 'beta' ? {...account, state: 'available'} : account))}));
	await waitForFrame(app.lastFrame, text => !text.includes('accounts out') && !text.includes('none comes back'));
});

test('a lone account that is out gets the singular banner', async t => {
	const now = Date.now();
	const {app} = await mountSnapshot(t, makeSnapshot({accounts: [makeAccount('solo', {state: 'cooling', cooldownUntilMs: now + 9000, backAtMs: now + 9000})]}));
	const frame = await waitForFrame(app.lastFrame, text => text.includes('the only account is out'));
	assert.match(frame, new RegExp(String.raw`the only account is out\s+next back: solo in \d+s \(${clockTime(now + 9000)}\)`));
});

test('shunt\'s own answers are logged as shunt\'s, with the reason, not under an account that never saw them', async t => {
	const now = Date.now();
	const snapshot = makeSnapshot({
		accounts: twoAccounts(),
		requests: [
			makeRequest({
				id: 'own', account: null, status: 429, outcome: 'error', inputTokens: 0, outputTokens: 0, costUsd: 0, ttftMs: null, tsMs: now, durationMs: 3, shuntReason: 'all out of quota',
			}),
			makeRequest({
				id: 'after-tries', account: null, status: 429, outcome: 'error', inputTokens: 0, outputTokens: 0, costUsd: 0, ttftMs: null, tsMs: now - 2000, durationMs: 40, shuntReason: 'all out of quota', attempts: [{account: 'work', status: 429, reason: 'quota'}],
			}),
		],
	});
	const {app} = await mountSnapshot(t, snapshot);
	const frame = await waitForFrame(app.lastFrame, text => text.includes('all out of quota'));
	const own = lineWith(frame, '3ms');
	assert.match(own, /^\s*\d\d:\d\d:\d\d\s+shunt\s+sonnet-4-6\s+429 err\s+3ms\s+all out of quota\s*$/, `no account, no tokens, the reason: ${own}`);
	const tried = lineWith(frame, '40ms');
	assert.match(tried, /shunt\s+sonnet-4-6\s+429 err\s+40ms\s+429 work → shunt: all out of quota\s*$/, tried);
});

test('a failover chain never lists an account twice in a row: a retry after a wait shows the wait, an answer passed on is not repeated', async t => {
	const now = Date.now();
	const snapshot = makeSnapshot({
		accounts: twoAccounts(),
		requests: [
			makeRequest({
				id: 'waited', account: 'work', tsMs: now, durationMs: 15_300, inputTokens: 11_000, attempts: [{account: 'work', status: 429, reason: 'rate limit'}], holds: [{afterAttempts: 1, ms: 15_000, reason: 'all cooling'}],
			}),
			// The upstream's own 529 handed to the client: the try is the answer.
			makeRequest({
				id: 'passed-on', account: 'work', status: 529, outcome: 'error', tsMs: now - 1000, inputTokens: 12_000, attempts: [{account: 'work', status: 529, reason: 'overloaded'}],
			}),
			makeRequest({
				id: 'held-first', account: 'home', status: 529, outcome: 'error', tsMs: now - 2000, inputTokens: 13_000, attempts: [{account: 'home', status: 529, reason: 'overloaded'}], holds: [{afterAttempts: 0, ms: 3000, reason: 'all cooling'}],
			}),
			makeRequest({
				id: 'two-passes', account: 'home', status: 200, tsMs: now - 3000, inputTokens: 14_000, attempts: [{account: 'home', status: 429}, {account: 'work', status: 429}], holds: [{afterAttempts: 2, ms: 5000, reason: 'all cooling'}],
			}),
		],
	});
	const {app} = await mountSnapshot(t, snapshot, 100, 30);
	const frame = await waitForFrame(app.lastFrame, text => text.includes('14k'));
	assert.match(lineWith(frame, '11k'), /429 work → ⏸ 15s → work\s*$/);
	assert.match(lineWith(frame, '12k'), /\s529 work\s*$/, `the passed-on answer is the try: ${lineWith(frame, '12k')}`);
	assert.match(lineWith(frame, '13k'), /⏸ 3s → 529 home\s*$/, lineWith(frame, '13k'));
	assert.match(lineWith(frame, '14k'), /429 home → 429 work → ⏸ 5s → home\s*$/, lineWith(frame, '14k'));
	for (const line of frame.split('\n')) {
		assert.doesNotMatch(line, /(?:^|\s)(home|work) → \1(?:\s|$)/, `no account follows itself: ${line}`);
	}
});

test('an account at its burst limit is throttled, with n/limit and when a slot frees', async t => {
	const now = Date.now();
	const frees = now + 42_000;
	const {app} = await mountSnapshot(t, makeSnapshot({
		accounts: [makeAccount('home'), makeAccount('work', {
			state: 'throttled', recentRequests: 10, burst: {count: 10, limit: 10, freesAtMs: frees}, backAtMs: frees,
		})],
	}), 120, 30);
	const frame = await waitForFrame(app.lastFrame, text => text.includes('burst 10/10'));
	assert.match(lineWith(frame, ' work '), /≈/, 'its own symbol, not ✓');
	assert.doesNotMatch(lineWith(frame, ' work '), /✓/);
	assert.match(frame, new RegExp(String.raw`burst 10/10 · slot frees in \d+s \(${clockTime(frees)}\)`));
});

test('ease-back, a model excluded on one account and a drained API-key bucket each show on the account\'s row', async t => {
	const now = Date.now();
	const {app} = await mountSnapshot(t, makeSnapshot({
		accounts: [
			makeAccount('home', {easing: {factor: 0.4, untilMs: now + 180_000}}),
			makeAccount('work', {excludedModels: [{model: 'opus', untilMs: now + 3_600_000}]}),
			makeAccount('console', {
				kind: 'apikey', utilization5h: null, utilization7d: null, requestsRemaining: 0, requestsLimit: 50, keyHeadroom: 0, keyBlockedUntilMs: now + 25_000, backAtMs: now + 25_000,
			}),
		],
	}), 120, 30);
	const frame = await waitForFrame(app.lastFrame, text => text.includes('console'));
	const rowsOf = (name: string) => {
		const lines = frame.split('\n');
		const at = lines.findIndex(line => line.includes(` ${name} `));
		// The row and its detail line under it, when it has one.
		return `${lines[at]}\n${lines[at + 1]?.includes('└') ? lines[at + 1] : ''}`;
	};

	assert.match(rowsOf('home'), /easing 40%/, rowsOf('home'));
	assert.match(rowsOf('work'), /no opus/, rowsOf('work'));
	assert.match(rowsOf('console'), new RegExp(String.raw`request bucket drained · back in \d+s \(${clockTime(now + 25_000)}\)`), rowsOf('console'));
	assert.match(rowsOf('console'), /█{10}\s+spent/, 'the drained bucket is a full gauge that reads as spent');
	assert.match(rowsOf('console'), /0\/50 req left/);
});

test('tags are separate from states: a pinned account that cools keeps its state symbol and words, and the tag', async t => {
	const now = Date.now();
	const {app} = await mountSnapshot(t, makeSnapshot({
		pinnedAccount: 'work',
		accounts: [makeAccount('home', {active: true}), makeAccount('work', {
			pinned: true, state: 'cooling', cooldownReason: 'overloaded', cooldownUntilMs: now + 15_000, backAtMs: now + 15_000,
		})],
	}), 120, 30);
	const frame = await waitForFrame(app.lastFrame, text => text.includes('cooling (overloaded)'));
	const lines = frame.split('\n');
	const work = lines.findIndex(line => /\d ↻\s+work\s/.test(line));
	assert.ok(work > 0, `the row keeps the cooling symbol:\n${frame}`);
	const status = `${lines[work]} ${lines[work + 1]}`;
	assert.match(status, /pinned/);
	assert.match(status, new RegExp(String.raw`cooling \(overloaded\) · back in \d+s \(${clockTime(now + 15_000)}\)`));
	assert.match(lineWith(frame, /\d ✓\s+home\s/), /active/, 'a tag sits beside the state, it does not replace it');
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

test('with the real store: a request held while every account cools is a held row with its reason, then its finished row in the same place', async t => {
	simulator = new Simulator();
	await simulator.listen();
	const accounts = [{name: 'a', kind: 'oauth' as const, secret: 'token-a'}, {name: 'b', kind: 'oauth' as const, secret: 'token-b'}];
	for (const account of accounts) {
		simulator.addAccount({kind: 'oauth', credential: account.secret, name: account.name});
	}

	harness = await startHarness({upstream: simulator.url, accounts});
	const app = await mount(t, harness.store, 120, 30);
	for (const token of ['token-a', 'token-b']) {
		simulator.arm(token, {type: 'quota_429', resetInSeconds: 2});
	}

	// Settles either way, so a failing assertion below leaves no rejection behind.
	const status = harness.post(message({model: 'claude-haiku-4-5'})).then(async response => {
		await response.arrayBuffer();
		return response.status;
	}, () => 0);
	const held = await waitForFrame(app.lastFrame, text => /haiku-4-5\s+held/.test(text), 5000);
	const position = indexWith(held, /haiku-4-5\s+held/);
	assert.match(lineWith(held, /haiku-4-5\s+held/), /⏸ (all cooling|spent window) · retry in \d+s \(\d\d:\d\d:\d\d\)/);
	assert.match(held, /all 2 accounts out/);
	assert.equal(await status, 200);
	const done = await waitForFrame(app.lastFrame, text => /haiku-4-5\s+200/.test(text), 5000);
	// Events that happened since (the recovery) are newer, so they are listed above it; the row
	// itself keeps its arrival time and its place among the requests.
	const arrived = /^\s*(\d\d:\d\d:\d\d)/.exec(held.split('\n')[position]!)![1]!;
	assert.match(lineWith(done, /haiku-4-5\s+200/), new RegExp(String.raw`^\s*${arrived}\s+[ab]\s+haiku-4-5\s+200`));
	assert.equal(done.split('\n').filter(line => line.includes('haiku-4-5')).length, 1, `shown once:\n${done}`);
	assert.match(lineWith(done, /haiku-4-5\s+200/), /429 a → 429 b → ⏸ \d+s → [ab]/, 'the finished row keeps the wait in its chain');
	assert.doesNotMatch(done, /held/);
});
