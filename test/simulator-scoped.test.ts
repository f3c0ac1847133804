// covers: source/simulator/unified-limits.ts, source/simulator/accounts.ts, source/simulator/messages.ts, source/simulator/control.ts, source/simulator/oauth-usage.ts
// Model-scoped weekly windows in the simulator (7d_opus, 7d_sonnet, 7d_oi): each has its own
// budget, utilization and reset, is charged only by requests of its model family, is reported as
// anthropic-ratelimit-unified-<scope>-* on every response, and refuses only the requests of its
// family while the account's other models still work. Real sockets on 127.0.0.1.
import assert from 'node:assert/strict';
import {describe, test, type TestContext} from 'node:test';
import {Simulator, type SimulatorOptions} from '../source/simulator/index.js';

/** Monday 2026-08-03 12:03:00 UTC: its week resets Thursday 2026-08-06 09:00 UTC. */
const monday = Date.UTC(2026, 7, 3, 12, 3, 0);
const thursdayReset = Date.UTC(2026, 7, 6, 9, 0, 0) / 1000;

const prefix = 'anthropic-ratelimit-unified-';

async function start(t: TestContext, options: SimulatorOptions = {}): Promise<Simulator> {
	const simulator = new Simulator(options);
	await simulator.listen();
	t.after(async () => simulator.close());
	return simulator;
}

type Reply = {status: number; headers: Headers; body: any};

async function send(simulator: Simulator, token: string, model: string): Promise<Reply> {
	const response = await fetch(`${simulator.url}/v1/messages`, {
		method: 'POST',
		headers: {
			authorization: `Bearer ${token}`,
			'anthropic-beta': 'oauth-2025-04-20',
			'anthropic-version': '2023-06-01',
			'content-type': 'application/json',
		},
		body: JSON.stringify({model, max_tokens: 100, messages: [{role: 'user', content: 'hi'}]}),
	});
	return {status: response.status, headers: response.headers, body: await response.json()};
}

async function control(simulator: Simulator, route: string, body: unknown): Promise<{status: number; body: any}> {
	const response = await fetch(`${simulator.url}/__fake/${route}`, {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify(body)});
	return {status: response.status, body: await response.json()};
}

const header = (reply: Reply, name: string): string | null => reply.headers.get(`${prefix}${name}`);

const opus = 'claude-opus-4-8';
const sonnet = 'claude-sonnet-4-6';
const haiku = 'claude-haiku-4-5';
const fable = 'claude-fable-5';

/** "hi" is 4 input tokens; "Hello from fake claude-opus-4-8" is 8 output tokens: opus weighs 5 → 5 × (4 + 5 × 8) = 220. */
const opusCharge = 220;
/** Sonnet weighs 1: 4 + 5 × 9 = 49. */
const sonnetCharge = 49;

describe('model-scoped weekly windows', () => {
	test('charged only by their family, reported on every response next to 5h and 7d', async t => {
		const simulator = await start(t, {now: () => monday});
		simulator.addAccount({kind: 'oauth', credential: 'tok', budget5h: 10_000, budget7d: 100_000, scoped: {'7d_opus': {budget: 1000}, '7d_sonnet': {budget: 2000, utilization: 0.5}}});

		const first = await send(simulator, 'tok', opus);
		assert.equal(first.status, 200);
		assert.equal(header(first, '7d_opus-utilization'), String(Math.floor(opusCharge / 10) / 100));
		assert.equal(header(first, '7d_opus-status'), 'allowed');
		assert.equal(header(first, '7d_opus-reset'), String(thursdayReset), 'a scoped window rolls over with the weekly one by default');
		assert.equal(header(first, '7d_sonnet-utilization'), '0.5', 'opus traffic leaves the sonnet window alone');
		assert.equal(header(first, '7d_sonnet-status'), 'allowed');
		// The account-wide windows count every model.
		assert.equal(header(first, '5h-utilization'), '0.02');

		const second = await send(simulator, 'tok', sonnet);
		assert.equal(second.status, 200);
		assert.equal(header(second, '7d_opus-utilization'), '0.22', 'sonnet traffic leaves the opus window alone');
		assert.equal(header(second, '7d_sonnet-utilization'), String(Math.floor(((1000 + sonnetCharge) / 2000) * 100) / 100));
		assert.equal(header(second, '5h-utilization'), String(Math.floor(((opusCharge + sonnetCharge) / 10_000) * 100) / 100));

		const third = await send(simulator, 'tok', haiku);
		assert.equal(third.status, 200);
		assert.equal(header(third, '7d_opus-utilization'), '0.22');
		assert.equal(header(third, '7d_sonnet-utilization'), '0.52');

		// Warning thresholds apply as for the account-wide windows.
		// 550 + 220 of 1000: past the first threshold.
		simulator.setUtilization('tok', {scoped: {'7d_opus': 0.55}});
		const warm = await send(simulator, 'tok', opus);
		assert.equal(header(warm, '7d_opus-status'), 'allowed_warning');
		assert.equal(header(warm, '7d_opus-surpassed-threshold'), '0.75');
		assert.equal(header(warm, 'status'), 'allowed_warning', 'the binding window of an opus request is its weekly opus window');
		assert.equal(header(warm, 'representative-claim'), 'seven_day_opus');
		const sonnetMeanwhile = await send(simulator, 'tok', sonnet);
		assert.equal(header(sonnetMeanwhile, 'status'), 'allowed', 'the opus window does not bind sonnet requests');
		assert.equal(header(sonnetMeanwhile, 'representative-claim'), 'seven_day_sonnet');
	});

	test('a spent scoped window refuses only its family, with its own claim and reset; other models still work', async t => {
		const simulator = await start(t, {now: () => monday});
		simulator.addAccount({kind: 'oauth', credential: 'tok', scoped: {'7d_opus': {budget: 1000, utilization: 1}}});

		const refused = await send(simulator, 'tok', opus);
		assert.equal(refused.status, 429);
		assert.equal(refused.body.error.type, 'rate_limit_error');
		assert.equal(header(refused, '7d_opus-status'), 'rejected');
		assert.equal(header(refused, '7d_opus-utilization'), '1');
		assert.equal(header(refused, '7d_opus-reset'), String(thursdayReset));
		assert.equal(header(refused, '5h-status'), 'allowed');
		assert.equal(header(refused, '7d-status'), 'allowed');
		assert.equal(header(refused, 'status'), 'rejected');
		assert.equal(header(refused, 'representative-claim'), 'seven_day_opus');
		assert.equal(header(refused, 'reset'), String(thursdayReset));
		assert.equal(refused.headers.get('retry-after'), String(thursdayReset - (monday / 1000)));
		assert.equal(refused.headers.get('x-should-retry'), 'true');
		assert.equal(header(refused, '5h-utilization'), '0', 'a refused request is not charged');

		const served = await send(simulator, 'tok', sonnet);
		assert.equal(served.status, 200, 'sonnet still works on an account whose opus week is spent');
		assert.equal(header(served, 'status'), 'allowed');
		assert.equal(header(served, 'representative-claim'), 'five_hour');
		assert.equal(header(served, '7d_opus-status'), 'rejected', 'every response says the opus week is spent');
		assert.equal((await send(simulator, 'tok', haiku)).status, 200);
		assert.equal((await send(simulator, 'tok', 'claude-opus-4-1')).status, 429, 'every opus model shares the window');

		const log = simulator.requests.map(entry => entry.status);
		assert.deepEqual(log, [429, 200, 200, 429]);
	});

	test('7d_oi is the Fable window; a window crossing its budget serves that request and refuses the next', async t => {
		const simulator = await start(t, {now: () => monday});
		// Fable weighs 5 like opus: 5 × (4 + 5 × 8 output tokens for "Hello from fake claude-fable-5") = 220.
		simulator.addAccount({kind: 'oauth', credential: 'tok', scoped: {'7d_oi': {budget: 300}}});
		assert.equal((await send(simulator, 'tok', opus)).status, 200);
		const crossing = await send(simulator, 'tok', fable);
		assert.equal(crossing.status, 200);
		assert.equal(header(crossing, '7d_oi-utilization'), '0.73');
		const over = await send(simulator, 'tok', fable);
		assert.equal(over.status, 200, 'the request that crosses the budget is still served');
		assert.equal(header(over, '7d_oi-status'), 'rejected');
		const refused = await send(simulator, 'tok', fable);
		assert.equal(refused.status, 429);
		assert.equal(header(refused, 'representative-claim'), 'seven_day_oi');
		assert.equal((await send(simulator, 'tok', opus)).status, 200, 'opus is not limited by the Fable window');
	});

	test('the window rolls over at its reset, every week from resetAtMs', async t => {
		const simulator = await start(t, {now: () => monday});
		const resetAtMs = Date.UTC(2026, 7, 4, 18, 0, 0);
		simulator.addAccount({kind: 'oauth', credential: 'tok', scoped: {'7d_opus': {utilization: 1.2, resetAtMs}}});
		const refused = await send(simulator, 'tok', opus);
		assert.equal(refused.status, 429);
		assert.equal(header(refused, '7d_opus-reset'), String(resetAtMs / 1000));
		assert.equal(header(refused, 'reset'), String(resetAtMs / 1000));
		assert.equal(header(refused, '7d-reset'), String(thursdayReset), 'the account-wide week keeps its own boundary');
		simulator.advanceClock(resetAtMs - monday + 1000);
		const fresh = await send(simulator, 'tok', opus);
		assert.equal(fresh.status, 200);
		assert.equal(header(fresh, '7d_opus-reset'), String((resetAtMs / 1000) + (7 * 86_400)));
		assert.equal(header(fresh, '7d_opus-status'), 'allowed');
	});

	test('an account without scoped windows sends none', async t => {
		const simulator = await start(t);
		simulator.addAccount({kind: 'oauth', credential: 'tok'});
		const reply = await send(simulator, 'tok', opus);
		assert.equal(reply.status, 200);
		const scopedNames = [...reply.headers.keys()].filter(name => name.startsWith(`${prefix}7d_`));
		assert.deepEqual(scopedNames, []);
	});
});

describe('configuration and the control API', () => {
	test('/__fake/accounts takes scoped windows; /__fake/utilization sets them; bad input is a 400', async t => {
		const simulator = await start(t);
		const added = await control(simulator, 'accounts', [{kind: 'oauth', credential: 'tok', scoped: {'7d_opus': {budget: 5000}, '7d_sonnet': {}}}]);
		assert.equal(added.status, 200, JSON.stringify(added.body));
		assert.equal((await send(simulator, 'tok', opus)).status, 200);

		assert.equal((await control(simulator, 'utilization', {credential: 'tok', scoped: {'7d_opus': 1}})).status, 200);
		assert.equal((await send(simulator, 'tok', opus)).status, 429);
		assert.equal((await send(simulator, 'tok', sonnet)).status, 200);
		assert.equal((await control(simulator, 'utilization', {credential: 'tok', scoped: {'7d_opus': 0.1}})).status, 200);
		assert.equal((await send(simulator, 'tok', opus)).status, 200);

		for (const scoped of [{'7d opus': {}}, {'7d_opus\r\nx-evil': {}}, {'5h_opus': {}}, {'7d_opus': {budget: -1}}, {'7d_opus': {budget: 'lots'}}, {'7d_opus': {utilization: Number.NaN}}, {'7d_opus': 'spent'}, ['7d_opus']]) {
			const refused = await control(simulator, 'accounts', {kind: 'oauth', credential: 'tok-bad', scoped});
			assert.equal(refused.status, 400, JSON.stringify(scoped));
			assert.equal(refused.body.error.type, 'invalid_request_error');
		}

		const unknownScope = await control(simulator, 'utilization', {credential: 'tok', scoped: {'7d_oi': 1}});
		assert.equal(unknownScope.status, 400, 'the account has no 7d_oi window');
		assert.match(unknownScope.body.error.message, /7d_oi/);
		assert.equal((await control(simulator, 'utilization', {credential: 'tok', scoped: {'7d_opus': 'full'}})).status, 400);
		assert.equal((await send(simulator, 'tok', opus)).status, 200, 'a refused control call changes nothing');
	});

	test('the programmatic API refuses what the control API refuses', async t => {
		const simulator = await start(t);
		assert.throws(() => {
			simulator.addAccount({kind: 'oauth', credential: 'tok', scoped: {'7d-opus': {}}});
		}, /7d-opus/);
		simulator.addAccount({kind: 'oauth', credential: 'tok', scoped: {'7d_opus': {}}});
		assert.throws(() => {
			simulator.setUtilization('tok', {scoped: {'7d_sonnet': 1}});
		}, /7d_sonnet/);
	});
});

describe('the usage endpoint', () => {
	test('reports scoped windows in both shapes', async t => {
		const simulator = await start(t, {now: () => monday});
		simulator.addOAuthLogin({accessToken: 'tok', refreshToken: 'ref', limits: {scoped: {'7d_opus': {utilization: 0.42}, '7d_oi': {utilization: 1}}}});
		const usage = async () => (await fetch(`${simulator.url}/api/oauth/usage`, {headers: {authorization: 'Bearer tok', 'anthropic-beta': 'oauth-2025-04-20'}})).json() as Promise<Record<string, any>>;
		const flat = await usage();
		assert.deepEqual(flat['seven_day_opus'], {utilization: 42, resets_at: '2026-08-06T09:00:00.000000+00:00'});
		assert.equal(flat['seven_day_oi'].utilization, 100);
		assert.equal(flat['seven_day_sonnet'], null, 'a window the account does not have stays null');

		simulator.setOAuthOptions({usageShape: 'limits'});
		const shaped = await usage();
		const scoped = shaped['limits'].filter((limit: {kind: string}) => limit.kind === 'weekly_scoped');
		assert.deepEqual(scoped.map((limit: any) => [limit.scope.model.display_name, limit.percent, limit.severity]), [['Opus', 42, 'normal'], ['Fable', 100, 'critical']]);
	});
});
