// covers: source/routing/windows.ts, source/state/views.ts, source/commands/remote-commands.ts, source/failover/classify-response.ts, source/proxy/exchange.ts
// A weekly Opus window spent on one account, through the proxy against the simulator, whose
// scoped windows count and refuse only their family: that account gets no Opus request once shunt
// has heard of it (from any answer, or from the one refusal that taught it), and keeps serving
// Sonnet. What each account really received is read from the simulator's request log.
import assert from 'node:assert/strict';
import {afterEach, test} from 'node:test';
import {formatStatus} from '../source/commands/remote-commands.js';
import type {StatusDocument} from '../source/proxy/status-document.js';
import {Simulator} from '../source/simulator/index.js';
import {startHarness, type Harness} from './helpers/proxy-harness.js';

let simulator: Simulator | undefined;
let harness: Harness | undefined;

afterEach(async () => {
	await harness?.close();
	await simulator?.close();
	harness = undefined;
	simulator = undefined;
});

const opus = 'claude-opus-4-8';
const sonnet = 'claude-sonnet-4-6';

/**
 * north has the most 5h headroom, so the strategy prefers it, but its weekly Opus window is spent;
 * south is busier and can still serve Opus.
 */
async function pool() {
	simulator = new Simulator();
	await simulator.listen();
	simulator.addAccount({kind: 'oauth', credential: 'token-north', name: 'north', utilization5h: 0.1, scoped: {'7d_opus': {utilization: 1}}});
	simulator.addAccount({kind: 'oauth', credential: 'token-south', name: 'south', utilization5h: 0.5, scoped: {'7d_opus': {utilization: 0.2}}});
	harness = await startHarness({
		upstream: simulator.url,
		accounts: [{name: 'north', kind: 'oauth', secret: 'token-north'}, {name: 'south', kind: 'oauth', secret: 'token-south'}],
		settings: {burstRpmLimit: 100},
	});
	return {simulator, harness};
}

/** One request of its own conversation (a session of its own, so nothing is sticky unless asked). */
async function send(h: Harness, model: string, session: string, stream = false) {
	const response = await h.post({model, max_tokens: 16, stream, messages: [{role: 'user', content: `Task for ${session}`}]}, {'x-claude-code-session-id': session});
	const text = await response.text();
	assert.equal(response.status, 200, text);
	return response.headers.get('x-shunt-account');
}

/** What the simulator received, per account and model family, refused or not. */
function received(sim: Simulator, account: string, family: 'opus' | 'sonnet') {
	return sim.requests.filter(entry => entry.path === '/v1/messages' && entry.account === account && String((entry.body as {model?: unknown} | undefined)?.model).includes(family));
}

test('once an answer reports the weekly Opus window spent, that account gets no Opus request and still serves Sonnet', async () => {
	const {simulator, harness} = await pool();
	// A Sonnet request goes where the headroom is; its answer carries north's 7d_opus window, rejected.
	assert.equal(await send(harness, sonnet, 'warm-up'), 'north');
	assert.equal(simulator.requests.at(-1)!.responseHeaders['anthropic-ratelimit-unified-7d_opus-status'], 'rejected');

	for (let index = 0; index < 6; index++) {
		// Alternating, streamed and not: each Opus request goes to south, each Sonnet one still to north.
		// eslint-disable-next-line no-await-in-loop
		assert.equal(await send(harness, opus, `opus-${index}`, index % 2 === 0), 'south', `Opus request ${index}`);
		// eslint-disable-next-line no-await-in-loop
		assert.equal(await send(harness, sonnet, `sonnet-${index}`, index % 2 === 1), 'north', `Sonnet request ${index}`);
	}

	// The conversation that is sticky on north leaves it when it asks for Opus, and only then.
	assert.equal(await send(harness, opus, 'warm-up'), 'south');
	assert.deepEqual(received(simulator, 'north', 'opus'), [], 'north never received an Opus request');
	assert.equal(received(simulator, 'south', 'opus').length, 7);
	assert.equal(received(simulator, 'north', 'sonnet').length, 7);
	assert.ok(simulator.requests.every(entry => entry.status === 200), 'the simulator refused nothing');
});

test('an Opus request that meets the spent window first fails over once; then Opus stays away and Sonnet still goes there', async () => {
	const {simulator, harness} = await pool();
	// Nothing has been heard from north yet: its headroom draws the first Opus request, which north
	// refuses for its weekly Opus window, and shunt serves it from south.
	assert.equal(await send(harness, opus, 'first'), 'south');
	const refusals = received(simulator, 'north', 'opus');
	assert.equal(refusals.length, 1);
	assert.equal(refusals[0]!.status, 429);
	assert.equal(refusals[0]!.responseHeaders['anthropic-ratelimit-unified-representative-claim'], 'seven_day_opus');

	const accounts = [];
	for (let index = 0; index < 5; index++) {
		// eslint-disable-next-line no-await-in-loop
		accounts.push(await send(harness, opus, `opus-${index}`, index % 2 === 0), await send(harness, sonnet, `sonnet-${index}`, index % 2 === 1));
	}

	assert.deepEqual(accounts, ['south', 'north', 'south', 'north', 'south', 'north', 'south', 'north', 'south', 'north'], 'Opus to south, Sonnet to north');
	assert.equal(received(simulator, 'north', 'opus').length, 1, 'no Opus request after the refusal');
	assert.ok(received(simulator, 'north', 'sonnet').every(entry => entry.status === 200));
});

test('the status document and the monitor\'s view show each account\'s scoped windows, spent first, with their reset', async () => {
	const {harness} = await pool();
	await send(harness, sonnet, 'north-first');
	harness.store.pin('south');
	await send(harness, sonnet, 'south-next');
	harness.store.pin(null);
	const response = await fetch(`${harness.url}/_shunt/status`);
	const status = await response.json() as {accounts: Array<{name: string; scopedWindows: Array<{window: string; label: string; utilization: number | null; reset: number; spent: boolean}>}>};
	const windowsOf = (name: string) => status.accounts.find(account => account.name === name)!.scopedWindows;
	const [north] = windowsOf('north');
	assert.deepEqual([north?.window, north?.label, north?.spent], ['7d_opus', 'weekly opus', true]);
	assert.ok(north!.reset * 1000 > Date.now(), 'a reset still to come');
	const [south] = windowsOf('south');
	assert.deepEqual([south?.window, south?.spent], ['7d_opus', false]);
	assert.ok(south!.utilization! >= 0.2 && south!.utilization! < 0.3);

	// shunt status says the same in words, with each account's cache hit rate.
	const document = status as unknown as StatusDocument;
	const lines = formatStatus(document).split('\n');
	assert.match(lines.find(line => line.includes('north'))!, /weekly opus spent · cache \d+%/);
	assert.match(lines.find(line => line.includes('south'))!, /weekly opus 2\d% used · cache \d+%/);
	// Whatever answers on the port may send nonsense there: it is cleaned or left out, never printed raw.
	const hostile = structuredClone(document);
	hostile.accounts[0]!.scopedWindows = [{window: 'x', label: 'evil\u001B]52;c;aGk=\u0007', utilization: 0.5, reset: 1, status: null, spent: false}, null as never, {label: 5} as never];
	hostile.accounts[0]!.cacheHitRate = 7;
	const text = formatStatus(hostile);
	assert.doesNotMatch(text, /\u001B|\u0007/);
	assert.doesNotMatch(text.split('\n').find(line => line.includes('north'))!, /cache/);
});
