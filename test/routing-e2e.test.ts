// covers: source/routing/session-key.ts, source/routing/rebalance.ts, source/state/sticky-sessions.ts, source/proxy/exchange.ts
// Conversations against the simulator, whose prompt cache is per account: one conversation stays
// cache-warm on one account, a fan-out of subagents sharing its session id spreads, a conversation
// on an account that runs hot moves once (and says what it cost), pinned traffic binds nothing.
import assert from 'node:assert/strict';
import {afterEach, test} from 'node:test';
import {sessionKey} from '../source/routing/session-key.js';
import {Simulator} from '../source/simulator/index.js';
import {startHarness, type Harness} from './helpers/proxy-harness.js';
import {waitFor} from './helpers/wait.js';

let simulator: Simulator | undefined;
let harness: Harness | undefined;

afterEach(async () => {
	await harness?.close();
	await simulator?.close();
	harness = undefined;
	simulator = undefined;
});

const names = ['north', 'south', 'east', 'west'];

async function pool(utilization: number[], chunkDelayMs = 0) {
	simulator = new Simulator({chunkDelayMs});
	await simulator.listen();
	const accounts = names.slice(0, utilization.length).map(name => ({name, kind: 'oauth' as const, secret: `token-${name}`}));
	for (const [index, account] of accounts.entries()) {
		simulator.addAccount({kind: 'oauth', credential: account.secret, name: account.name, utilization5h: utilization[index]});
	}

	harness = await startHarness({upstream: simulator.url, accounts, settings: {burstRpmLimit: 30}});
	return {simulator, harness};
}

const system = [{type: 'text', text: 'You are a careful coding agent. '.repeat(200), cache_control: {type: 'ephemeral'}}];

/** One turn of a conversation that opened with `opening`, with `turns` earlier exchanges behind it. */
function turn(opening: string, turns: number, stream = false) {
	const messages: Array<{role: string; content: unknown}> = [{role: 'user', content: opening}];
	for (let index = 0; index < turns; index++) {
		messages.push({role: 'assistant', content: `answer ${index}`}, {role: 'user', content: [{type: 'text', text: `follow-up ${index} `.repeat(50), cache_control: {type: 'ephemeral'}}]});
	}

	return {model: 'claude-sonnet-4-6', max_tokens: 16, stream, system, messages};
}

async function send(h: Harness, body: unknown, session: string) {
	const response = await h.post(body, {'x-claude-code-session-id': session});
	const text = await response.text();
	assert.equal(response.status, 200, text);
	return {account: response.headers.get('x-shunt-account'), text};
}

test('one conversation stays on one account turn after turn, reading its cache there', async () => {
	const {simulator, harness} = await pool([0.2, 0.25, 0.3]);
	const accounts = [];
	for (let index = 0; index < 5; index++) {
		// eslint-disable-next-line no-await-in-loop
		accounts.push((await send(harness, turn('Refactor the parser', index), 'session-1')).account);
	}

	assert.equal(new Set(accounts).size, 1, accounts.join(' '));
	const records = harness.store.freshSnapshot().requests.slice(0, 4);
	assert.ok(records.every(record => record.cacheReadTokens > 0), 'every later turn read its prefix from the cache');
	assert.deepEqual(records.map(record => record.decision?.by), ['sticky', 'sticky', 'sticky', 'sticky']);
	assert.equal(simulator.requests.length, 5);
});

test('a fan-out of subagents sharing the session id spreads over the pool; each stays where it started', async () => {
	const {simulator, harness} = await pool([0.2, 0.2, 0.2, 0.2], 40);
	const tasks = Array.from({length: 8}, (_, index) => `Subagent task ${index}: look at module ${index}`);
	const first = await Promise.all(tasks.map(async task => send(harness, turn(task, 0, true), 'parent-session')));
	const perAccount = new Map<string, number>();
	for (const {account} of first) {
		perAccount.set(account!, (perAccount.get(account!) ?? 0) + 1);
	}

	assert.ok(perAccount.size >= 3, `eight parallel subagents on at least three accounts: ${JSON.stringify([...perAccount])}`);
	assert.ok(Math.max(...perAccount.values()) <= 3, `none carries most of them: ${JSON.stringify([...perAccount])}`);
	// Their second turns go where their first did, and read the cache there.
	const second = await Promise.all(tasks.map(async task => send(harness, turn(task, 1, true), 'parent-session')));
	assert.deepEqual(second.map(result => result.account), first.map(result => result.account));
	const secondTurns = harness.store.freshSnapshot().requests.slice(0, 8);
	assert.ok(secondTurns.every(record => record.cacheReadTokens > 0), 'each subagent is cache-warm on its account');
	assert.equal(simulator.requests.length, 16);
});

test('a conversation on an account that runs hot moves once, and the log says what it cost', async () => {
	const {simulator, harness} = await pool([0.2, 0.5]);
	const home = (await send(harness, turn('Write the migration', 0), 'mover')).account!;
	await send(harness, turn('Write the migration', 1), 'mover');
	const cached = harness.store.freshSnapshot().requests[0]!;
	const prefix = cached.cacheReadTokens + cached.cacheWriteTokens;
	// The home account's next answer reports its 5h window at 92 %.
	simulator.setUtilization(`token-${home}`, {fiveHour: 0.92});
	await send(harness, turn('Write the migration', 2), 'mover');
	const movedTo = (await send(harness, turn('Write the migration', 3), 'mover')).account!;
	assert.notEqual(movedTo, home, 'the fourth turn moved off the hot account');
	const events = harness.store.freshSnapshot().events.filter(event => event.kind === 'moved');
	assert.equal(events.length, 1);
	const expected = new RegExp(`^moved: ${home} at 92 % → ${movedTo}; cost ≈ [\\d.]+k cache-write tokens$`);
	assert.match(events[0]!.message, expected);
	const moved = harness.store.freshSnapshot().requests[0]!;
	assert.ok(moved.cacheWriteTokens >= prefix * 0.9, `the new account wrote the prefix again (${moved.cacheWriteTokens} of ${prefix})`);
	// It stays on its new account: no move back and forth.
	assert.equal((await send(harness, turn('Write the migration', 4), 'mover')).account, movedTo);
	assert.equal(harness.store.freshSnapshot().events.filter(event => event.kind === 'moved').length, 1);
});

test('traffic sent while pinned does not bind its conversation to the pinned account', async () => {
	const {harness} = await pool([0.6, 0.1]);
	harness.store.pin('north');
	const body = turn('Explain the build', 0);
	assert.equal((await send(harness, body, 'pinned-session')).account, 'north');
	const key = sessionKey({'x-claude-code-session-id': 'pinned-session'}, body);
	assert.equal(harness.store.stickyAccount(key!), undefined, 'no binding from pinned traffic');
	harness.store.pin(null);
	const after = await send(harness, turn('Explain the build', 1), 'pinned-session');
	assert.equal(after.account, 'south', 'after unpinning, the strategy decides');
	await waitFor(() => harness.store.freshSnapshot().requests[0]?.decision?.by === 'strategy', 'the decision to be recorded as the strategy\'s', 2000);
	assert.equal(harness.store.stickyAccount(key!), 'south');
});

test('a model override to Haiku removes what Haiku refuses, says so once, and leaves clients\' own requests alone', async () => {
	const {simulator, harness} = await pool([0.2]);
	const asked = {model: 'claude-opus-4-8', max_tokens: 16, messages: [{role: 'user', content: 'hi'}], output_config: {effort: 'xhigh'}, thinking: {type: 'adaptive'}};
	harness.store.setModelOverride('claude-haiku-4-5-20251001');
	for (let index = 0; index < 2; index++) {
		// eslint-disable-next-line no-await-in-loop
		await send(harness, asked, `fit-${index}`);
	}

	const sent = simulator.requests.at(-1)!.body as Record<string, unknown>;
	assert.equal(sent['model'], 'claude-haiku-4-5-20251001');
	assert.equal(sent['output_config'], undefined);
	assert.equal(sent['thinking'], undefined);
	assert.deepEqual(harness.store.freshSnapshot().requests[0]!.removedFields, ['effort xhigh', 'adaptive thinking']);
	const notices = harness.store.freshSnapshot().events.filter(event => /refuses/.test(event.message));
	assert.equal(notices.length, 1, 'said once, not per request');
	assert.match(notices[0]!.message, /^haiku-4-5 refuses effort xhigh and adaptive thinking: removed/);
	// The client addressing Haiku itself gets its request forwarded exactly as sent.
	harness.store.setModelOverride(null);
	const own = {...asked, model: 'claude-haiku-4-5-20251001'};
	await send(harness, own, 'own');
	assert.deepEqual((simulator.requests.at(-1)!.body as Record<string, unknown>)['output_config'], {effort: 'xhigh'});
	assert.equal(harness.store.freshSnapshot().requests[0]!.removedFields, undefined);
});
