// covers: source/proxy/status-document.ts, source/state/in-flight.ts, source/state/views.ts, source/routing/explain.ts, source/proxy/no-account.ts, source/commands/remote-commands.ts
// The status document says what is happening now and why, like the monitor: requests in flight
// and held, the routing decision of each finished request, throttled accounts, when exhausted
// accounts are back (and `shunt status` prints the same instants), shunt's own answers, one
// continuous countdown, one name per condition. The proxy in-process against the simulator.
import assert from 'node:assert/strict';
import {afterEach, test} from 'node:test';
import {formatStatus} from '../source/commands/remote-commands.js';
import {buildAccountRows} from '../source/monitor/panes/accounts/account-rows.js';
import {outBanner} from '../source/monitor/panes/header/header-lines.js';
import {cellWidth, toSegments} from '../source/monitor/kit/segments.js';
import type {StatusDocument} from '../source/proxy/status-document.js';
import {Simulator, type SimulatorOptions} from '../source/simulator/index.js';
import {clockTime} from '../source/util/clock-time.js';
import {
	message, startHarness, type Harness, type HarnessOptions,
} from './helpers/proxy-harness.js';
import {waitFor} from './helpers/wait.js';

let simulator: Simulator | undefined;
let harness: Harness | undefined;

afterEach(async () => {
	await harness?.close();
	await simulator?.close();
	harness = undefined;
	simulator = undefined;
});

type Spec = {name: string; kind?: 'oauth' | 'apikey'; utilization5h?: number};

async function setup(specs: Spec[], options: Partial<HarnessOptions> = {}, simulatorOptions: SimulatorOptions = {}) {
	simulator = new Simulator(simulatorOptions);
	await simulator.listen();
	const accounts = specs.map(spec => ({name: spec.name, kind: spec.kind ?? 'oauth' as const, secret: `token-${spec.name}`}));
	for (const spec of specs) {
		simulator.addAccount({
			kind: spec.kind ?? 'oauth', credential: `token-${spec.name}`, name: spec.name, utilization5h: spec.utilization5h,
		});
	}

	harness = await startHarness({upstream: simulator.url, accounts, ...options});
	return {simulator, harness};
}

/** Teaches the store each account's usage, as real traffic would, then forgets the warm-up requests' pins. */
async function warmUp(h: Harness, names: string[]): Promise<void> {
	for (const name of names) {
		h.store.pin(name);

		await (await h.post(message(), {'x-claude-code-session-id': `warm-${name}`})).arrayBuffer();
	}

	h.store.pin(null);
}

async function status(h: Harness): Promise<StatusDocument> {
	return await (await fetch(`${h.url}/_shunt/status`)).json() as StatusDocument;
}

/** A request that settles either way, its body read, so a failing assertion leaves nothing behind. */
async function send(h: Harness, body: unknown, headers: Record<string, string> = {}): Promise<{status: number; text: string}> {
	return h.post(body, headers).then(async response => ({status: response.status, text: await response.text()}), (error: unknown) => ({status: 0, text: String(error)}));
}

const accountOf = (document: StatusDocument, name: string) => document.accounts.find(account => account.name === name)!;
const statusLine = (text: string, name: string) => text.split('\n').find(line => new RegExp(String.raw`^\s*\d+\s+${name}\s`).test(line)) ?? '';

test('inFlightRequests: a stream in flight with its account, model, start, first byte and output so far; its record keeps the same id, start and time to first token', async () => {
	const {harness} = await setup([{name: 'a'}, {name: 'b'}], {}, {chunkDelayMs: 250});
	const answer = send(harness, message({stream: true}));
	const during = await waitFor(async () => {
		const document = await status(harness);
		const live = document.inFlightRequests[0];
		return live?.state === 'streaming' && live.firstByteMs !== null && live.outputTokens > 0 ? {document, live} : undefined;
	}, 'the stream to show as streaming with output', 5000);
	const {live} = during;
	assert.equal(during.document.inFlight, 1);
	assert.ok(live.account === 'a' || live.account === 'b', `on an account: ${live.account}`);
	assert.equal(live.model, 'claude-sonnet-4-6');
	assert.equal(live.stream, true);
	assert.equal(live.heldUntilMs, null);
	assert.equal(live.heldReason, null);
	assert.ok(live.startedMs <= live.firstByteMs! && live.firstByteMs! <= Date.now(), JSON.stringify(live));
	assert.ok(typeof live.id === 'string' && live.id.length > 0);
	assert.equal(during.document.recentRequests.some(request => request.id === live.id), false, 'not finished yet');

	assert.equal((await answer).status, 200);
	const after = await waitFor(async () => {
		const document = await status(harness);
		return document.inFlightRequests.length === 0 ? document : undefined;
	}, 'the stream to leave inFlightRequests');
	const record = after.recentRequests[0]!;
	assert.equal(record.id, live.id, 'one id from arrival to record');
	assert.equal(record.startedMs, live.startedMs);
	assert.equal(record.account, live.account);
	assert.equal(record.ttftMs, live.firstByteMs! - live.startedMs);
	assert.ok(record.durationMs >= 1000, `the stream took its time: ${record.durationMs} ms`);
	assert.ok(record.outputTokens >= live.outputTokens);
});

test('a held request is in the status document with its reason and when it is tried again; its record keeps the wait', async () => {
	const {simulator, harness} = await setup([{name: 'a'}, {name: 'b'}]);
	for (const token of ['token-a', 'token-b']) {
		simulator.arm(token, {type: 'quota_429', resetInSeconds: 1});
	}

	const answer = send(harness, message());
	const document = await waitFor(async () => {
		const current = await status(harness);
		return current.inFlightRequests[0]?.state === 'held' ? current : undefined;
	}, 'the request to be held', 5000);
	const held = document.inFlightRequests[0]!;
	assert.equal(document.heldRequests, 1);
	assert.equal(held.account, null, 'no account has it while it waits');
	assert.ok(held.heldReason === 'all cooling' || held.heldReason === 'spent window', `why: ${held.heldReason}`);
	assert.ok(held.heldUntilMs! > Date.now() - 1000, 'when it is tried again');
	const soonest = Math.min(...document.accounts.map(account => account.backAtMs!));
	assert.ok(held.heldUntilMs! >= soonest && held.heldUntilMs! - soonest < 1000, `tried again as the first account is back: ${held.heldUntilMs} vs ${soonest}`);

	assert.equal((await answer).status, 200);
	const record = (await status(harness)).recentRequests[0]!;
	assert.equal(record.id, held.id);
	assert.deepEqual(record.attempts.map(attempt => [attempt.account, attempt.status]), [['a', 429], ['b', 429]]);
	assert.equal(record.holds?.length, 1);
	assert.equal(record.holds[0]!.afterAttempts, 2);
	assert.equal(record.holds[0]!.reason, held.heldReason);
	assert.ok(record.holds[0]!.ms > 0);
});

test('recentRequests[].decision: what decided (strategy, sticky, pin) and every account with eligibility, reason and score', async () => {
	const {simulator, harness} = await setup([{name: 'a', utilization5h: 0.1}, {name: 'b', utilization5h: 0.3}, {name: 'c', utilization5h: 0.6}]);
	await warmUp(harness, ['a', 'b', 'c']);
	const latest = async () => (await status(harness)).recentRequests[0]!;

	assert.equal((await send(harness, message(), {'x-claude-code-session-id': 'one'})).status, 200);
	const first = (await latest()).decision!;
	assert.equal(first.by, 'strategy');
	assert.equal(first.strategy, 'maximus');
	assert.deepEqual(first.candidates.map(candidate => candidate.account), ['a', 'b', 'c'], 'every account, in config order');
	assert.deepEqual(first.candidates.map(candidate => [candidate.eligible, candidate.why]), [[true, 'chosen'], [true, 'eligible'], [true, 'eligible']]);
	const scores = first.candidates.map(candidate => candidate.score!);
	assert.ok(scores.every(score => typeof score === 'number' && Number.isFinite(score)), `scores: ${scores.join(', ')}`);
	assert.ok(scores[0]! > scores[1]! && scores[1]! > scores[2]!, `maximus scores the freest highest: ${scores.join(', ')}`);

	assert.equal((await send(harness, message(), {'x-claude-code-session-id': 'one'})).status, 200);
	assert.equal((await latest()).decision!.by, 'sticky', 'the same session goes back to its account');

	harness.store.pin('c');
	assert.equal((await send(harness, message(), {'x-claude-code-session-id': 'two'})).status, 200);
	const pinned = await latest();
	assert.equal(pinned.account, 'c');
	assert.equal(pinned.decision!.by, 'pin');
	assert.equal(pinned.decision!.candidates.find(candidate => candidate.why === 'chosen')?.account, 'c');
	harness.store.pin(null);

	harness.store.setStrategy('cushion');
	simulator.arm('token-a', {type: 'quota_429', resetInSeconds: 600});
	assert.equal((await send(harness, message(), {'x-claude-code-session-id': 'three'})).status, 200);
	const failedOver = await latest();
	assert.equal(failedOver.decision!.strategy, 'cushion');
	const a = failedOver.decision!.candidates.find(candidate => candidate.account === 'a')!;
	assert.deepEqual([a.eligible, a.why, a.score], [false, 'already failed this request', null]);
	assert.equal(failedOver.decision!.candidates.find(candidate => candidate.why === 'chosen')?.account, failedOver.account);
});

test('an account at its burst limit is throttled in the status document (n/limit, when a slot frees) and in shunt status', async () => {
	const {harness} = await setup([{name: 'sub'}, {name: 'key', kind: 'apikey'}], {settings: {burstRpmLimit: 2}});
	harness.store.pin('sub');
	const started = Date.now();
	for (let index = 0; index < 2; index++) {
		assert.equal((await send(harness, message(), {'x-claude-code-session-id': `burst-${index}`})).status, 200);
	}

	const document = await status(harness);
	const sub = accountOf(document, 'sub');
	assert.equal(sub.state, 'throttled');
	assert.equal(sub.burst?.count, 2);
	assert.equal(sub.burst?.limit, 2);
	assert.ok(sub.burst.freesAtMs! >= started + 59_000 && sub.burst.freesAtMs! <= Date.now() + 60_000, `a slot frees a minute after the first request: ${sub.burst.freesAtMs! - started}`);
	assert.equal(sub.backAtMs, sub.burst.freesAtMs, 'back when the slot frees');
	assert.equal(accountOf(document, 'key').burst, null, 'API keys are not paced');
	assert.equal(accountOf(document, 'key').state, 'available');

	const text = formatStatus(document);
	assert.match(statusLine(text, 'sub'), new RegExp(String.raw`throttled\s.*back in \S+ \(${clockTime(sub.backAtMs!)}\) · burst limit 2/2`));

	// Routing passes over the throttled account (the pin, the user's explicit choice, would not), and says why.
	harness.store.pin(null);
	assert.equal((await send(harness, message(), {'x-claude-code-session-id': 'burst-3'})).status, 200);
	const next = (await status(harness)).recentRequests[0]!;
	assert.equal(next.account, 'key');
	assert.equal(next.decision!.by, 'only');
	assert.deepEqual(next.decision!.candidates.map(candidate => [candidate.account, candidate.eligible, candidate.why]), [['sub', false, 'burst limit'], ['key', true, 'chosen']]);
});

test('when every account is out: each says when it is back (status document, shunt status and the banner agree), and shunt\'s own 429 is recorded as shunt\'s, with the reason', async () => {
	const {simulator, harness} = await setup([{name: 'a'}, {name: 'b'}, {name: 'c'}], {maxHoldMs: 500});
	for (const token of ['token-a', 'token-b', 'token-c']) {
		simulator.arm(token, {type: 'quota_429', resetInSeconds: 3600});
	}

	const answer = await send(harness, message());
	assert.equal(answer.status, 429);
	const document = await status(harness);
	const record = document.recentRequests[0]!;
	assert.equal(record.account, null, 'no account answered: shunt did');
	assert.equal(record.shuntReason, 'all out of quota');
	assert.deepEqual(record.attempts.map(attempt => [attempt.account, attempt.status, attempt.reason]), [['a', 429, 'quota'], ['b', 429, 'quota'], ['c', 429, 'quota']]);
	assert.ok(record.decision!.candidates.every(candidate => !candidate.eligible && candidate.score === null), JSON.stringify(record.decision));

	const now = Date.now();
	for (const account of document.accounts) {
		assert.equal(account.state, 'exhausted');
		assert.ok(account.backAtMs! > now + 3_500_000 && account.backAtMs! <= now + 3_700_000, `${account.name} is back when its window resets: ${account.backAtMs! - now} ms`);
	}

	const text = formatStatus(document, now);
	for (const account of document.accounts) {
		const line = statusLine(text, account.name);
		assert.match(line, new RegExp(String.raw`exhausted\s.*back in \S+ \(${clockTime(account.backAtMs!)}\)`), `shunt status says when ${account.name} is back: ${line}`);
		assert.match(line, /5h spent/, 'a spent window reads as spent');
		assert.doesNotMatch(line, /1\d\d%/);
	}

	const soonest = [...document.accounts].toSorted((x, y) => x.backAtMs! - y.backAtMs!)[0]!;
	const banner = outBanner(harness.store.freshSnapshot(), now)!.map(segment => segment.text).join('');
	assert.match(banner, new RegExp(String.raw`all 3 accounts out\s+next back: ${soonest.name} in \S+ \(${clockTime(soonest.backAtMs!)}\)`));
});

test('one countdown, continuous to zero: a quota cooldown outliving its window\'s reset stays exhausted, to the same instant, on the gauge and in the status', async () => {
	// A wide margin makes the stretch between the reset and the cooldown's end easy to catch.
	const {simulator, harness} = await setup([{name: 'solo'}], {policy: {quotaMarginMs: 2500}});
	simulator.arm('token-solo', {type: 'quota_429', resetInSeconds: 1});
	const samples: Array<{nowMs: number; state: string; backAtMs: number | null; resetPassed: boolean; status: string; gauge: string}> = [];
	let resetMs = 0;
	const watcher = setInterval(() => {
		const snapshot = harness.store.freshSnapshot();
		const account = snapshot.accounts[0]!;
		resetMs ||= (harness.store.telemetry('solo')?.fiveHour?.reset ?? 0) * 1000;
		const rows = buildAccountRows({
			accounts: [account], nowMs: snapshot.nowMs, width: 160, gap: 2, density: 'wide', barWidth: 10, cursor: 0, focused: false, detailLines: true,
		});
		const text = (key: string) => toSegments(rows.rows[0]!.cells[key]).map(segment => segment.text).join('');
		samples.push({
			nowMs: snapshot.nowMs, state: account.state, backAtMs: account.backAtMs, resetPassed: resetMs > 0 && snapshot.nowMs >= resetMs, status: text('status'), gauge: text('fiveHour'),
		});
	}, 25);
	let answer: {status: number};
	try {
		answer = await send(harness, message());
	} finally {
		clearInterval(watcher);
	}

	assert.equal(answer.status, 200, 'served once the cooldown ended');
	const out = samples.filter(sample => sample.state !== 'available');
	assert.ok(out.length > 10, `samples while out: ${out.length}`);
	assert.deepEqual([...new Set(out.map(sample => sample.state))], ['exhausted'], 'never "cooling" in the last seconds');
	assert.equal(new Set(out.map(sample => sample.backAtMs)).size, 1, 'the return time never jumps');
	const backAtMs = out[0]!.backAtMs!;
	assert.ok(backAtMs >= resetMs + 2500, 'the return is after the reset, by the margin');
	const afterReset = out.filter(sample => sample.resetPassed);
	assert.ok(afterReset.length > 5, `samples between the reset and the end of the cooldown: ${afterReset.length}`);
	for (const sample of out) {
		const countdown = /back in (\S+) \(/.exec(sample.status)?.[1];
		assert.ok(countdown, `the status counts down: "${sample.status}"`);
		assert.match(sample.status, new RegExp(String.raw`window spent · back in \S+ \(${clockTime(backAtMs)}\)`));
		assert.match(sample.gauge, new RegExp(String.raw`spent ${countdown}\s*$`), `the gauge counts down to the same instant: "${sample.gauge}" / "${sample.status}"`);
	}

	assert.ok(cellWidth(toSegments(out.at(-1)!.gauge)) > 0);
});

test('one name per condition: a 429 without rate-limit headers is a "windowless 429" on the try, the account, its events and its recovery', async () => {
	const {simulator, harness} = await setup([{name: 'a', utilization5h: 0.1}, {name: 'b', utilization5h: 0.5}], {policy: {windowlessCooldownMs: 400}});
	await warmUp(harness, ['a', 'b']);
	simulator.arm('token-a', {type: 'windowless_429'});
	assert.equal((await send(harness, message(), {'x-claude-code-session-id': 'windowless'})).status, 200);
	const document = await status(harness);
	assert.equal(document.recentRequests[0]!.attempts[0]!.reason, 'windowless 429');
	const a = accountOf(document, 'a');
	assert.equal(a.state, 'cooling');
	assert.equal(a.cooldownReason, 'windowless 429', 'the account is cooling for the same reason, by the same name');
	assert.ok(document.events.some(event => event.account === 'a' && event.message.includes('windowless 429')));
	const recovered = await waitFor(async () => (await status(harness)).events.find(event => event.kind === 'recovered' && event.account === 'a'), 'a to recover', 5000);
	assert.equal(recovered.message, 'a is back after windowless 429');
	const words = JSON.stringify(await status(harness));
	assert.doesNotMatch(words, /\bbusy\b/, 'no second name for it anywhere in the document');
});
