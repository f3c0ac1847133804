// covers: source/proxy/exchange.ts, source/proxy/choose.ts, source/proxy/attempt.ts, source/proxy/deliver.ts, source/failover/classify-response.ts, source/failover/apply-verdict.ts, source/proxy/no-account.ts
// Failure handling against the simulator's scripted faults: what the client saw, which accounts
// the simulator saw, and what the store recorded.
import assert from 'node:assert/strict';
import {afterEach, test} from 'node:test';
import type {AuthProvider} from '../source/accounts/auth-provider.js';
import {fallbackChain} from '../source/anthropic/models.js';
import {Simulator} from '../source/simulator/index.js';
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

/** Three subscription accounts a, b, c whose starting utilization makes maximus prefer a, then b, then c. */
async function setup(options: Partial<HarnessOptions> = {}, simulatorOptions: ConstructorParameters<typeof Simulator>[0] = {}) {
	simulator = new Simulator(simulatorOptions);
	await simulator.listen();
	const accounts = [
		{
			name: 'a', kind: 'oauth' as const, secret: 'token-a', utilization5h: 0.1,
		},
		{
			name: 'b', kind: 'oauth' as const, secret: 'token-b', utilization5h: 0.3,
		},
		{
			name: 'c', kind: 'oauth' as const, secret: 'token-c', utilization5h: 0.6,
		},
	];
	for (const account of accounts) {
		simulator.addAccount({
			kind: 'oauth', credential: account.secret, name: account.name, utilization5h: account.utilization5h,
		});
	}

	harness = await startHarness({upstream: simulator.url, accounts, ...options});
	// Teach the store each account's utilization, as real traffic would.
	for (const account of accounts) {
		harness.store.pin(account.name);

		await (await harness.post(message(), {'x-claude-code-session-id': `warm-${account.name}`})).arrayBuffer();
	}

	harness.store.pin(null);
	simulator.requests.length = 0;
	return {simulator, harness};
}

function lastRecord(h: Harness) {
	return h.store.freshSnapshot().requests[0]!;
}

test('two accounts spent together fail over to the third, with cooldown deadlines at least 5 s apart', async () => {
	const {simulator, harness} = await setup();
	simulator.arm('token-a', {type: 'quota_429', resetInSeconds: 600});
	simulator.arm('token-b', {type: 'quota_429', resetInSeconds: 600});
	const response = await harness.post(message(), {'x-claude-code-session-id': 'failover-1'});
	assert.equal(response.status, 200);
	assert.equal(response.headers.get('x-shunt-account'), 'c');
	assert.equal(response.headers.get('retry-after'), null, 'no upstream retry-after reaches a client that was served');
	await response.arrayBuffer();
	assert.deepEqual(simulator.requests.map(entry => [entry.account, entry.status]), [['a', 429], ['b', 429], ['c', 200]]);
	const record = lastRecord(harness);
	assert.deepEqual(record.attempts.map(attempt => [attempt.account, attempt.status, attempt.reason]), [['a', 429, 'quota'], ['b', 429, 'quota']]);
	const a = harness.store.cooldownUntil('a');
	const b = harness.store.cooldownUntil('b');
	assert.ok(Math.abs(a - b) >= 5000, `deadlines ${a} and ${b} are ${Math.abs(a - b)} ms apart`);
	const states = harness.store.freshSnapshot().accounts.map(account => account.state);
	assert.deepEqual(states.slice(0, 2), ['exhausted', 'exhausted']);
	assert.equal(harness.alerts.length, 2, 'a 10-minute quota cooldown rings the terminal');
	assert.ok(harness.store.freshSnapshot().events.some(event => event.kind === 'rate-limited' && event.account === 'a'));
});

test('a windowless 429 and a 529 bench nothing: the next account serves, quota state is untouched', async () => {
	const {simulator, harness} = await setup();
	simulator.arm('token-a', {type: 'windowless_429'});
	const first = await harness.post(message(), {'x-claude-code-session-id': 'windowless'});
	assert.equal(first.status, 200);
	assert.equal(first.headers.get('x-shunt-account'), 'b');
	await first.arrayBuffer();
	const now = Date.now();
	assert.ok(harness.store.cooldownUntil('a') - now <= 3000, 'at most a few seconds out');
	assert.equal(harness.store.telemetry('a')?.fiveHour?.status, 'allowed', 'quota telemetry not overwritten');
	assert.equal(lastRecord(harness).attempts[0]!.reason, 'windowless 429');

	simulator.arm('token-b', {type: 'overloaded'});
	harness.store.pin('b');
	const second = await harness.post(message(), {'x-claude-code-session-id': 'overloaded'});
	assert.equal(second.status, 200);
	assert.notEqual(second.headers.get('x-shunt-account'), 'b');
	await second.arrayBuffer();
	const cooldown = harness.store.cooldownUntil('b') - Date.now();
	assert.ok(cooldown > 0 && cooldown <= 30_000, `529 cooldown ${cooldown} ms`);
	const view = harness.store.freshSnapshot().accounts[1]!;
	assert.equal(view.cooldownReason, 'overloaded');
	assert.notEqual(view.state, 'exhausted');
	assert.equal(harness.alerts.length, 0, 'no alert for capacity hiccups');
});

test('when every account is cooling briefly the request is held, shown as held, then served', async () => {
	const {simulator, harness} = await setup();
	for (const token of ['token-a', 'token-b', 'token-c']) {
		simulator.arm(token, {type: 'quota_429', resetInSeconds: 1});
	}

	let sawHeld = false;
	const watcher = setInterval(() => {
		sawHeld ||= harness.store.freshSnapshot().heldRequests > 0;
	}, 20);
	try {
		const response = await harness.post(message(), {'x-claude-code-session-id': 'held'});
		assert.equal(response.status, 200);
		await response.arrayBuffer();
	} finally {
		clearInterval(watcher);
	}

	assert.ok(sawHeld, 'the held request was visible in the store');
	assert.equal(harness.store.freshSnapshot().heldRequests, 0);
	const record = lastRecord(harness);
	assert.equal(record.status, 200);
	assert.equal(record.attempts.length, 3);
});

test('when every account is spent beyond the hold limit the client gets an honest 429', async () => {
	const {simulator, harness} = await setup({maxHoldMs: 500});
	for (const token of ['token-a', 'token-b', 'token-c']) {
		simulator.arm(token, {type: 'quota_429', resetInSeconds: 3600});
	}

	const response = await harness.post(message(), {'x-claude-code-session-id': 'spent'});
	assert.equal(response.status, 429);
	const body = await response.json() as {type: string; error: {type: string; message: string}};
	assert.equal(body.error.type, 'rate_limit_error');
	assert.match(body.error.message, /All 3 accounts are out of quota/);
	const retryAfter = Number(response.headers.get('retry-after'));
	assert.ok(retryAfter > 3500 && retryAfter <= 3601, `retry-after ${retryAfter}`);
	assert.equal(response.headers.get('anthropic-ratelimit-unified-status'), 'rejected');
	assert.equal(response.headers.get('x-should-retry'), 'false');
	assert.equal(lastRecord(harness).status, 429);
});

test('a request held when shunt is told to stop gets its answer at once, not a dropped connection at the end of the grace', async () => {
	const {simulator, harness} = await setup({maxHoldMs: 60_000});
	for (const token of ['token-a', 'token-b', 'token-c']) {
		simulator.arm(token, {type: 'quota_429', resetInSeconds: 30});
	}

	const answered = harness.post(message(), {'x-claude-code-session-id': 'held at stop'});
	await waitFor(() => harness.store.freshSnapshot().heldRequests === 1, 'the request is held');
	// A grace far longer than the test's own timeout: the close must not be what ends the wait.
	const closed = harness.proxy.close(600_000);
	const response = await answered;
	assert.equal(response.status, 429, 'the answer the request would get if it could not wait');
	const retryAfter = Number(response.headers.get('retry-after'));
	assert.ok(retryAfter > 0 && retryAfter <= 31, `retry-after ${retryAfter}`);
	await response.arrayBuffer();
	await closed;
	assert.equal(lastRecord(harness).status, 429);
	assert.equal(lastRecord(harness).holds?.length, 1, 'recorded as held once');
});

test('other 4xx/5xx are returned untouched without trying another account', async () => {
	const {simulator, harness} = await setup();
	simulator.arm('token-a', {type: 'bad_request'});
	const response = await harness.post(message(), {'x-claude-code-session-id': 'bad'});
	assert.equal(response.status, 400);
	assert.equal(response.headers.get('x-shunt-account'), 'a');
	const body = await response.json() as {error: {type: string}};
	assert.equal(body.error.type, 'invalid_request_error');
	assert.equal(simulator.requests.length, 1);
	assert.equal(harness.store.cooldownUntil('a'), 0);
	assert.equal(lastRecord(harness).outcome, 'error');

	simulator.arm('token-a', {type: 'api_error'});
	const serverError = await harness.post(message(), {'x-claude-code-session-id': 'bad'});
	assert.equal(serverError.status, 500);
	await serverError.arrayBuffer();
	assert.equal(simulator.requests.length, 2);
});

test('a mid-stream error is passed through and recorded as an error, not a success', async () => {
	const {simulator, harness} = await setup();
	simulator.arm('token-a', {type: 'midstream_error', afterDeltas: 1});
	const response = await harness.post(message({stream: true}), {'x-claude-code-session-id': 'midstream'});
	assert.equal(response.status, 200);
	const text = await response.text();
	assert.match(text, /event: error/);
	const record = await waitFor(() => harness.store.freshSnapshot().requests.find(request => request.stream), 'the streamed request');
	assert.equal(record.outcome, 'error');
	assert.equal(record.account, 'a');
});

test('a dropped connection mid-stream ends the client stream cleanly and is recorded as truncated', async () => {
	const {simulator, harness} = await setup();
	simulator.arm('token-a', {type: 'drop', afterDeltas: 1});
	const response = await harness.post(message({stream: true, max_tokens: 200}), {'x-claude-code-session-id': 'drop'});
	assert.equal(response.status, 200);
	// The client's stream must end (or error), never hang.
	const text = await response.text().catch(() => '');
	assert.doesNotMatch(text, /message_stop/);
	const record = await waitFor(() => harness.store.freshSnapshot().requests.find(request => request.stream), 'the truncated request');
	assert.equal(record.outcome, 'truncated');
});

test('a first-byte timeout fails over before anything reached the client', async () => {
	const {simulator, harness} = await setup({firstByteTimeoutMs: 300});
	simulator.arm('token-a', {type: 'slow_first_byte', ms: 3000});
	const response = await harness.post(message({stream: true}), {'x-claude-code-session-id': 'slow'});
	assert.equal(response.status, 200);
	assert.equal(response.headers.get('x-shunt-account'), 'b');
	await response.arrayBuffer();
	assert.deepEqual(lastRecord(harness).attempts.map(attempt => [attempt.account, attempt.status, attempt.reason]), [['a', 0, 'timeout']]);
});

test('out_of_credits for one model excludes that account for that model only', async () => {
	const {simulator, harness} = await setup();
	simulator.arm('token-a', {type: 'out_of_credits', model: 'opus', times: Number.POSITIVE_INFINITY});
	const opus = await harness.post(message({model: 'claude-opus-4-8'}), {'x-claude-code-session-id': 'opus-1'});
	assert.equal(opus.status, 200);
	assert.equal(opus.headers.get('x-shunt-account'), 'b');
	await opus.arrayBuffer();
	assert.equal(harness.store.cooldownUntil('a'), 0, 'the account is not benched');
	assert.deepEqual(harness.store.routingSnapshot().accounts[0]!.excludedModels, ['claude-opus-4-8']);
	const sonnet = await harness.post(message(), {'x-claude-code-session-id': 'sonnet-1'});
	assert.equal(sonnet.headers.get('x-shunt-account'), 'a', 'other models still go to a');
	await sonnet.arrayBuffer();
});

test('model fallback happens once, only where it finds capacity', async () => {
	simulator = new Simulator();
	await simulator.listen();
	simulator.addAccount({kind: 'oauth', credential: 'only', name: 'only'});
	harness = await startHarness({upstream: simulator.url, accounts: [{name: 'only', kind: 'oauth', secret: 'only'}]});
	simulator.arm('only', {type: 'out_of_credits', model: 'opus', times: Number.POSITIVE_INFINITY});
	const response = await harness.post(message({model: 'claude-opus-4-8'}), {'x-claude-code-session-id': 'fallback'});
	assert.equal(response.status, 200);
	const body = await response.json() as {model: string};
	const fallback = fallbackChain.opus!;
	assert.equal(body.model, fallback);
	assert.deepEqual(simulator.requests.map(entry => (entry.body as {model: string}).model), ['claude-opus-4-8', fallback]);
	assert.ok(harness.store.freshSnapshot().events.some(event => event.message.includes(`falling back to ${fallback}`)));
});

test('401 on a subscription account: one refresh, then a retry on the same account', async () => {
	let refreshes = 0;
	let token = 'stale-token';
	const auth = (): AuthProvider => ({
		async credential(account) {
			return {kind: 'oauth', secret: account === 'a' ? token : `token-${account}`};
		},
		async refreshAfterUnauthorized(account, used) {
			assert.equal(account, 'a');
			assert.equal(used, 'stale-token');
			refreshes++;
			token = 'token-a';
			return true;
		},
	});
	simulator = new Simulator();
	await simulator.listen();
	simulator.addAccount({
		kind: 'oauth', credential: 'stale-token', name: 'a-stale', tokenExpiresAtMs: Date.now() - 1000,
	});
	simulator.addAccount({kind: 'oauth', credential: 'token-a', name: 'a'});
	simulator.addAccount({kind: 'oauth', credential: 'token-b', name: 'b'});
	harness = await startHarness({upstream: simulator.url, accounts: [{name: 'a', kind: 'oauth', secret: 'x'}, {name: 'b', kind: 'oauth', secret: 'x'}], auth});
	harness.store.pin('a');
	const response = await harness.post(message(), {'x-claude-code-session-id': 'refresh'});
	assert.equal(response.status, 200);
	assert.equal(response.headers.get('x-shunt-account'), 'a');
	await response.arrayBuffer();
	assert.equal(refreshes, 1);
	assert.deepEqual(simulator.requests.map(entry => [entry.account, entry.status]), [['a-stale', 401], ['a', 200]]);
	assert.deepEqual(lastRecord(harness).attempts.map(attempt => attempt.status), [401]);
});

test('an API key that keeps answering 401 is cooled, then marked reauth with the command that fixes it', async () => {
	simulator = new Simulator();
	await simulator.listen();
	simulator.addAccount({kind: 'apikey', credential: 'good-key', name: 'good'});
	harness = await startHarness({
		upstream: simulator.url,
		accounts: [{name: 'revoked', kind: 'apikey', secret: 'unknown-key'}, {name: 'good', kind: 'apikey', secret: 'good-key'}],
		policy: {unauthorizedCooldownMs: 1},
	});
	for (let index = 0; index < 3; index++) {
		harness.store.pin('revoked');

		const response = await harness.post(message(), {'x-claude-code-session-id': `revoked-${index}`});
		assert.equal(response.status, 200);
		assert.equal(response.headers.get('x-shunt-account'), 'good');

		await response.arrayBuffer();

		await waitFor(() => harness!.store.cooldownUntil('revoked') <= Date.now(), 'the short test cooldown to pass');
	}

	const view = harness.store.freshSnapshot().accounts[0]!;
	assert.equal(view.state, 'reauth');
	assert.match(view.fixHint ?? '', /shunt .*add-account revoked/);
	assert.ok(harness.alerts.some(alert => alert.title.includes('re-login')));
});

test('muted alerts still record their events but stay silent', async () => {
	const {simulator, harness} = await setup();
	harness.store.setAlertsMuted(true);
	simulator.arm('token-a', {type: 'quota_429', resetInSeconds: 900});
	const response = await harness.post(message(), {'x-claude-code-session-id': 'muted'});
	await response.arrayBuffer();
	assert.equal(harness.alerts.length, 0);
	assert.ok(harness.store.freshSnapshot().events.some(event => event.kind === 'rate-limited'));
});

test('a dead upstream gets a clear 502, and no request hangs', async () => {
	harness = await startHarness({upstream: 'http://127.0.0.1:9', accounts: [{name: 'a', kind: 'apikey', secret: 'k'}, {name: 'b', kind: 'apikey', secret: 'k2'}]});
	const response = await harness.post(message(), {'x-claude-code-session-id': 'dead'});
	assert.equal(response.status, 502);
	const body = await response.json() as {error: {type: string; message: string}};
	assert.equal(body.error.type, 'api_error');
	assert.match(body.error.message, /could not reach the upstream/);
	assert.equal(lastRecord(harness).attempts.length, 2);
});

test('a 429 on an API key honours its retry-after, staggered, and the next key serves', async () => {
	simulator = new Simulator();
	await simulator.listen();
	simulator.addAccount({kind: 'apikey', credential: 'key-1', name: 'k1'});
	simulator.addAccount({kind: 'apikey', credential: 'key-2', name: 'k2'});
	harness = await startHarness({upstream: simulator.url, accounts: [{name: 'k1', kind: 'apikey', secret: 'key-1'}, {name: 'k2', kind: 'apikey', secret: 'key-2'}]});
	harness.store.pin('k1');
	simulator.arm('key-1', {type: 'quota_429', resetInSeconds: 20});
	const before = Date.now();
	const response = await harness.post(message(), {'x-claude-code-session-id': 'key-429'});
	assert.equal(response.status, 200);
	assert.equal(response.headers.get('x-shunt-account'), 'k2');
	await response.arrayBuffer();
	const wait = harness.store.cooldownUntil('k1') - before;
	assert.ok(wait >= 19_000 && wait <= 22_000, `cooled for ${wait} ms of a 20 s retry-after`);
	assert.equal(lastRecord(harness).attempts[0]!.reason, 'rate limit');
	assert.equal(harness.store.freshSnapshot().accounts[0]!.state, 'cooling', 'not exhausted: a key has no quota window');
});

test('403 on a subscription account: a 30-minute cooldown, an alert, and another account serves', async () => {
	const {simulator, harness} = await setup();
	simulator.arm('token-a', {type: 'revoked'});
	const response = await harness.post(message(), {'x-claude-code-session-id': 'forbidden'});
	assert.equal(response.status, 200);
	assert.equal(response.headers.get('x-shunt-account'), 'b');
	await response.arrayBuffer();
	const wait = harness.store.cooldownUntil('a') - Date.now();
	assert.ok(wait > 29 * 60_000 && wait <= 30 * 60_000, `forbidden cooldown ${wait} ms`);
	assert.ok(harness.alerts.some(alert => alert.title.includes('forbidden')));
	assert.equal(harness.store.freshSnapshot().accounts[0]!.cooldownReason, 'forbidden');
});

test('a 529 on every account: one pass, then the client gets the upstream\'s 529 at once, never a made-up plan limit', async () => {
	const {simulator, harness} = await setup();
	for (const token of ['token-a', 'token-b', 'token-c']) {
		simulator.arm(token, {type: 'overloaded', times: Number.POSITIVE_INFINITY});
	}

	const started = Date.now();
	const response = await harness.post(message(), {'x-claude-code-session-id': 'storm'});
	assert.equal(response.status, 529);
	const body = await response.json() as {error: {type: string}};
	assert.equal(body.error.type, 'overloaded_error');
	assert.notEqual(response.headers.get('anthropic-ratelimit-unified-status'), 'rejected');
	assert.ok(Date.now() - started < 3000, 'not held for the overload rests');
	assert.equal(simulator.requests.length, 3, 'each account tried once');
	assert.deepEqual(lastRecord(harness).attempts.map(attempt => attempt.reason), ['overloaded', 'overloaded', 'overloaded']);
});

test('a 429 without rate-limit headers on every account: one pass, then the upstream\'s own 429', async () => {
	const {simulator, harness} = await setup();
	for (const token of ['token-a', 'token-b', 'token-c']) {
		simulator.arm(token, {type: 'windowless_429', times: Number.POSITIVE_INFINITY});
	}

	const response = await harness.post(message(), {'x-claude-code-session-id': 'windowless'});
	assert.equal(response.status, 429);
	assert.equal(response.headers.get('anthropic-ratelimit-unified-status'), null, 'Claude Code must not read it as a plan limit');
	assert.equal(response.headers.get('x-should-retry'), 'true', 'the upstream\'s own answer: the client may retry');
	await response.arrayBuffer();
	assert.equal(simulator.requests.length, 3);
});

test('accounts resting after overloads are not reported as a plan limit when the hold runs out', async () => {
	const {harness} = await setup({maxHoldMs: 0});
	for (const name of ['a', 'b', 'c']) {
		harness.store.setCooldown(name, Date.now() + 15_000, {reason: 'overloaded'});
	}

	const response = await harness.post(message(), {'x-claude-code-session-id': 'resting'});
	assert.equal(response.status, 529);
	assert.equal(response.headers.get('anthropic-ratelimit-unified-status'), null);
	assert.ok(Number(response.headers.get('retry-after')) > 0);
	await response.arrayBuffer();
});
