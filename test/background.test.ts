// covers: source/background/background-work.ts, source/background/prober.ts
import assert from 'node:assert/strict';
import {afterEach, test} from 'node:test';
import {StaticAuthProvider} from '../source/accounts/auth-provider.js';
import {startBackgroundWork} from '../source/background/background-work.js';
import {UpstreamProber} from '../source/background/prober.js';
import {defaultFailurePolicy} from '../source/failover/failure-policy.js';
import {Simulator} from '../source/simulator/index.js';
import {message, startHarness, type Harness} from './helpers/proxy-harness.js';
import {waitFor} from './helpers/wait.js';

let simulator: Simulator | undefined;
let harness: Harness | undefined;
let stopBackground: (() => void) | undefined;

afterEach(async () => {
	stopBackground?.();
	await harness?.close();
	await simulator?.close();
	stopBackground = undefined;
	harness = undefined;
	simulator = undefined;
});

async function setup(options: {health?: boolean; strongResume?: boolean; staleTelemetryMs?: number; oauth?: boolean} = {}) {
	simulator = new Simulator();
	await simulator.listen();
	const accounts = [
		{name: 'a', kind: options.oauth ? 'oauth' as const : 'apikey' as const, secret: 'key-a'},
		{name: 'b', kind: 'apikey' as const, secret: 'key-b'},
	];
	for (const account of accounts) {
		simulator.addAccount({kind: account.kind, credential: account.secret, name: account.name});
	}

	harness = await startHarness({upstream: simulator.url, accounts});
	const credentials = Object.fromEntries(accounts.map(account => [account.name, account.kind === 'apikey'
		? {type: 'apikey' as const, key: account.secret}
		: {
			type: 'oauth' as const, accessToken: account.secret, refreshToken: 'r', expiresAt: Date.now() + 3_600_000,
		}]));
	const auth = new StaticAuthProvider(harness.store.accounts, credentials);
	const background = startBackgroundWork({
		store: harness.store,
		prober: new UpstreamProber(simulator.url, auth, 2000),
		alerts: {raise: (kind: string, text: string, account?: string) => harness!.store.addEvent('info', `${kind}: ${text}`, account)} as never,
		policy: defaultFailurePolicy,
		strongResume: options.strongResume ?? true,
		healthCheck: {enabled: options.health ?? false, firstAfterMs: 10, intervalMs: 40},
		staleTelemetryMs: options.staleTelemetryMs ?? 0,
	});
	stopBackground = background.stop;
	return {simulator, harness};
}

test('health checks: two consecutive 5xx make an account unhealthy; a success brings it back; 429 counts as healthy', async () => {
	const {simulator, harness} = await setup({health: true});
	simulator.arm('key-a', {type: 'api_error', times: 2});
	await waitFor(() => harness.store.accountState('a') === 'unhealthy', 'a to turn unhealthy', 5000);
	assert.equal(harness.store.accountState('b'), 'available');
	const checks = simulator.requests.filter(entry => entry.account === 'a' && entry.path.startsWith('/v1/models'));
	assert.ok(checks.length >= 2, 'health checks list models: no tokens spent');
	await waitFor(() => harness.store.accountState('a') === 'available', 'a to recover after a good check', 5000);
	simulator.arm('key-b', {type: 'windowless_429', times: 3});
	const before = simulator.requests.filter(entry => entry.account === 'b').length;
	await waitFor(() => simulator.requests.filter(entry => entry.account === 'b').length >= before + 3, 'three more checks of b', 5000);
	assert.equal(harness.store.accountState('b'), 'available');
	assert.ok(harness.store.freshSnapshot().events.some(event => event.kind === 'health' && event.message.includes('a is unhealthy')));
});

test('an unhealthy account is left out of routing until it recovers', async () => {
	const {simulator, harness} = await setup({health: true});
	simulator.arm('key-a', {type: 'api_error', times: Number.POSITIVE_INFINITY});
	await waitFor(() => harness.store.accountState('a') === 'unhealthy', 'a to turn unhealthy', 5000);
	for (let index = 0; index < 3; index++) {
		const response = await harness.post(message(), {'x-claude-code-session-id': `route-${index}`});
		assert.equal(response.headers.get('x-shunt-account'), 'b');

		await response.arrayBuffer();
	}
});

test('strong resume: when a quota cooldown ends, one probe refreshes telemetry; a 429 re-cools the account', async () => {
	const {simulator, harness} = await setup();
	harness.store.setCooldown('a', Date.now() + 50, {reason: 'rate limit'});
	const probe = await simulator.waitFor(entry => entry.account === 'a' && (entry.body as {max_tokens?: number} | undefined)?.max_tokens === 1, 3000);
	assert.equal(probe.status, 200);
	await waitFor(() => harness.store.telemetry('a')?.requests?.limit, 'telemetry from the probe');

	simulator.arm('key-a', {type: 'quota_429'});
	harness.store.setCooldown('a', Date.now() + 50, {reason: 'rate limit'});
	await simulator.waitFor(entry => entry.account === 'a' && entry.status === 429, 3000);
	await waitFor(() => harness.store.cooldownUntil('a') > Date.now(), 'a to be cooled again');
	assert.ok(harness.store.freshSnapshot().events.some(event => event.message.includes('still limited')));
});

test('a subscription account is never sent a made-up probe', async () => {
	const {simulator, harness} = await setup({oauth: true, health: true, staleTelemetryMs: 20});
	harness.store.setCooldown('a', Date.now() + 30, {reason: 'quota'});
	await waitFor(() => simulator.requests.filter(entry => entry.account === 'b').length >= 3, 'several background checks of b', 5000);
	// Its checks go to the usage endpoint, which spends no tokens; never to /v1/messages.
	const toA = simulator.requests.filter(entry => entry.account === 'a');
	assert.deepEqual(toA.filter(entry => !(entry.method === 'GET' && entry.path === '/api/oauth/usage')), []);
});

test('stale telemetry is refreshed for idle API-key accounts', async () => {
	const {simulator, harness} = await setup({staleTelemetryMs: 30});
	await waitFor(() => harness.store.telemetry('a') && harness.store.telemetry('b'), 'both accounts to get telemetry', 5000);
	assert.ok(simulator.requests.every(entry => (entry.body as {max_tokens?: number} | undefined)?.max_tokens === 1));
});

test('health checks back off on failure: a failing account is checked far less often than a healthy one', async () => {
	const {simulator, harness} = await setup({health: true});
	simulator.arm('key-a', {type: 'api_error', times: Number.POSITIVE_INFINITY});
	await waitFor(() => harness.store.accountState('a') === 'unhealthy', 'a to turn unhealthy', 5000);
	const count = (name: string) => simulator.requests.filter(entry => entry.account === name && entry.path.startsWith('/v1/models')).length;
	const [aBefore, bBefore] = [count('a'), count('b')];
	await waitFor(() => count('b') - bBefore >= 16, 'sixteen more checks of the healthy account', 10_000);
	const aChecks = count('a') - aBefore;
	// With a 40 ms interval, the failing account waits 2×, 4×, then 8× (320 ms) between checks.
	assert.ok(aChecks <= 6, `the failing account was checked ${aChecks} times while the healthy one was checked 16 times`);
});

test('an account back from a long cooldown is announced; a short one is not', async () => {
	const {harness} = await setup({strongResume: false});
	harness.store.emit('cooldown-ended', 'b', {reason: 'quota', durationMs: 20 * 60_000});
	harness.store.emit('cooldown-ended', 'a', {reason: 'overloaded', durationMs: 15_000});
	const events = await waitFor(() => {
		const found = harness.store.freshSnapshot().events.filter(event => event.message.startsWith('resumed:'));
		return found.length > 0 ? found : undefined;
	}, 'the resumed alert');
	assert.equal(events.length, 1);
	assert.equal(events[0]!.account, 'b');
	assert.match(events[0]!.message, /b is back online after 20 minutes/);
});
