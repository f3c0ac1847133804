// covers: source/background/usage-client.ts, source/background/usage-poller.ts, source/anthropic/usage-endpoint.ts, source/background/prober.ts
// Telemetry for idle subscription accounts from GET /api/oauth/usage: both response shapes, the
// shared client's memory of retry-after and failures, the poller, and the OAuth prober.
import assert from 'node:assert/strict';
import {afterEach, describe, test} from 'node:test';
import {StaticAuthProvider} from '../source/accounts/auth-provider.js';
import {UpstreamProber} from '../source/background/prober.js';
import {UsageClient} from '../source/background/usage-client.js';
import {startUsagePoller} from '../source/background/usage-poller.js';
import {parseUsageResponse} from '../source/anthropic/usage-endpoint.js';
import {Simulator} from '../source/simulator/index.js';
import {StateStore} from '../source/state/store.js';
import type {AccountConfig} from '../source/accounts/types.js';
import {waitFor} from './helpers/wait.js';

describe('parsing the usage response', () => {
	const now = Date.parse('2025-11-25T20:00:00Z');

	test('legacy flat shape: percent → fraction, ISO with microseconds → epoch seconds, scoped weekly windows', () => {
		const telemetry = parseUsageResponse({
			five_hour: {utilization: 19, resets_at: '2025-11-25T22:00:00.288792+00:00'},
			seven_day: {utilization: 7, resets_at: '2025-12-01T21:00:00.288804+00:00'},
			seven_day_oauth_apps: {utilization: 0, resets_at: null},
			seven_day_opus: {utilization: 100, resets_at: '2025-12-01T21:00:00.000000+00:00'},
			seven_day_sonnet: null,
			extra_usage: {
				is_enabled: false, monthly_limit: null, used_credits: null, utilization: null,
			},
		}, now);
		assert.ok(telemetry);
		assert.deepEqual(telemetry.fiveHour, {utilization: 0.19, reset: Date.parse('2025-11-25T22:00:00Z') / 1000, status: 'allowed'});
		assert.equal(telemetry.sevenDay?.utilization, 0.07);
		assert.equal(telemetry.sevenDay?.reset, Date.parse('2025-12-01T21:00:00Z') / 1000);
		assert.equal(telemetry.scoped?.['7d_opus']?.status, 'rejected');
		assert.equal(telemetry.scoped?.['7d_sonnet'], undefined);
		assert.equal(telemetry.representativeClaim, 'five_hour');
		assert.equal(telemetry.updatedMs, now);
	});

	test('2026 limits[] shape: session, weekly_all, weekly_scoped by model', () => {
		const telemetry = parseUsageResponse({
			limits: [
				{
					kind: 'session', percent: 24, severity: 'normal', resets_at: '2025-11-25T22:00:00.000000+00:00', is_active: true,
				},
				{
					kind: 'weekly_all', percent: 91, severity: 'warning', resets_at: '2025-12-01T21:00:00+00:00', is_active: true,
				},
				{
					kind: 'weekly_scoped', scope: {model: {display_name: 'Fable'}}, percent: 40, resets_at: '2025-12-01T21:00:00+00:00',
				},
			],
			spend: {is_enabled: false},
		}, now);
		assert.ok(telemetry);
		assert.equal(telemetry.fiveHour?.utilization, 0.24);
		assert.deepEqual(telemetry.sevenDay, {
			utilization: 0.91, reset: Date.parse('2025-12-01T21:00:00Z') / 1000, status: 'allowed_warning', surpassedThreshold: 0.9,
		});
		assert.equal(telemetry.scoped?.['7d_fable']?.utilization, 0.4);
		assert.equal(telemetry.status, 'allowed_warning');
		assert.equal(telemetry.representativeClaim, 'seven_day');
	});

	test('resets past the time horizon and absurd percentages are dropped', () => {
		const telemetry = parseUsageResponse({
			five_hour: {utilization: 19, resets_at: '+275760-09-13T00:00:00.000Z'},
			seven_day: {utilization: 7, resets_at: 1e20},
			seven_day_opus: {utilization: 1e300, resets_at: '2025-12-01T21:00:00Z'},
		}, now);
		assert.ok(telemetry);
		assert.equal(telemetry.fiveHour?.utilization, 0.19);
		assert.equal(telemetry.fiveHour?.reset, undefined);
		assert.equal(telemetry.sevenDay?.reset, undefined);
		assert.equal(telemetry.scoped, undefined);
		assert.equal(telemetry.reset, undefined);
	});

	test('an unknown shape yields nothing rather than wiping telemetry', () => {
		assert.equal(parseUsageResponse({something: 'else'}, now), undefined);
		assert.equal(parseUsageResponse(null, now), undefined);
		assert.equal(parseUsageResponse({five_hour: {utilization: null, resets_at: null}}, now), undefined);
	});
});

let simulator: Simulator | undefined;
let store: StateStore | undefined;
let stopPoller: (() => void) | undefined;

afterEach(async () => {
	stopPoller?.();
	store?.close();
	await simulator?.close();
	stopPoller = undefined;
	store = undefined;
	simulator = undefined;
});

async function setup(utilization5h = 0.42) {
	simulator = new Simulator();
	await simulator.listen();
	const sim = simulator;
	sim.addOAuthLogin({
		accessToken: 'sk-ant-oat01-usage-test-access', refreshToken: 'sk-ant-ort01-usage-test-refresh', name: 'sub', limits: {utilization5h, utilization7d: 0.2},
	});
	sim.addAccount({kind: 'apikey', credential: 'usage-test-key', name: 'key'});
	const accounts: AccountConfig[] = [{name: 'sub', kind: 'oauth'}, {name: 'key', kind: 'apikey'}];
	const auth = new StaticAuthProvider(accounts, {
		sub: {
			type: 'oauth', accessToken: 'sk-ant-oat01-usage-test-access', refreshToken: 'sk-ant-ort01-usage-test-refresh', expiresAt: Date.now() + 3_600_000,
		},
		key: {type: 'apikey', key: 'usage-test-key'},
	});
	store = new StateStore({
		accounts,
		settings: {
			strategy: 'maximus', burstRpmLimit: 0, stickyTtlMs: 60_000, expirySoonSeconds: 1800, fallbackModel: null,
		},
		version: 'test',
		notifyIntervalMs: 10,
	});
	const usagePolls = () => sim.requests.filter(entry => entry.path === '/api/oauth/usage');
	return {
		sim, store, auth, usagePolls,
	};
}

describe('usage client and poller', () => {
	test('the client honours retry-after and answers from memory meanwhile', async () => {
		const {sim, auth, usagePolls} = await setup();
		const client = new UsageClient({upstream: sim.url, auth, minIntervalMs: 50});
		sim.armOAuth({endpoint: 'usage', type: 'rate_limited', retryAfterSeconds: 2});
		const started = Date.now();
		const throttled = await client.read('sub');
		assert.equal(throttled.kind, 'throttled');
		assert.ok(throttled.kind === 'throttled' && throttled.untilMs - started >= 1900, 'retry-after is honoured, not the shorter interval');
		const again = await client.read('sub');
		assert.equal(again.fromMemory, true);
		assert.equal(usagePolls().length, 1, 'nothing is sent while the penalty runs');
	});

	test('the poller fills idle subscription gauges before any request, after waiting out a 429', async () => {
		const {sim, store, auth, usagePolls} = await setup(0.42);
		sim.armOAuth({endpoint: 'usage', type: 'rate_limited', retryAfterSeconds: 1});
		const client = new UsageClient({upstream: sim.url, auth, minIntervalMs: 100});
		stopPoller = startUsagePoller({
			store, client, intervalMs: 100, firstDelayMs: 0,
		}).stop;
		await waitFor(() => store.telemetry('sub')?.fiveHour, 'usage telemetry for sub', 10_000);
		const polls = usagePolls();
		assert.ok(polls.length >= 2);
		assert.equal(polls[0]!.status, 429);
		assert.ok(polls[1]!.tsMs - polls[0]!.tsMs >= 990, `second poll ${polls[1]!.tsMs - polls[0]!.tsMs} ms after a retry-after of 1 s`);
		const view = store.freshSnapshot().accounts.find(account => account.name === 'sub');
		assert.equal(view?.utilization5h, 0.42);
		assert.equal(view?.utilization7d, 0.2);
		assert.ok(view?.reset5h && view.reset5h > Date.now() / 1000);
		assert.equal(store.telemetry('key'), undefined, 'API keys are not polled');
		assert.ok(usagePolls().every(entry => entry.headers['anthropic-beta'] === 'oauth-2025-04-20' && (entry.headers['authorization'] ?? '').startsWith('Bearer ')));
	});

	test('the poller keeps at least the interval between polls and skips accounts that are busy', async () => {
		const {sim, store, auth, usagePolls} = await setup();
		// A request just went through: its headers are fresher than a poll would be.
		store.recordAttempt('sub', true);
		const client = new UsageClient({upstream: sim.url, auth, minIntervalMs: 200});
		stopPoller = startUsagePoller({
			store, client, intervalMs: 200, firstDelayMs: 0,
		}).stop;
		await waitFor(() => usagePolls().length >= 3, 'three polls once the account is idle', 10_000);
		const times = usagePolls().map(entry => entry.tsMs);
		assert.ok(times[0]! - store.routingSnapshot().accounts[0]!.lastUsedMs >= 190, 'the first poll waited for the account to go idle');
		for (let index = 1; index < times.length; index++) {
			assert.ok(times[index]! - times[index - 1]! >= 190, `poll ${index} came ${times[index]! - times[index - 1]!} ms after the previous one`);
		}
	});

	test('the OAuth prober reads the usage endpoint: a spent window comes back as the 429 a request would meet', async () => {
		const {sim, auth} = await setup(1);
		const prober = new UpstreamProber(sim.url, auth, 2000, new UsageClient({upstream: sim.url, auth, minIntervalMs: 10}));
		const outcome = await prober.telemetry({name: 'sub', kind: 'oauth'});
		assert.ok(outcome && 'status' in outcome);
		assert.equal(outcome.status, 429);
		assert.equal(outcome.telemetry?.fiveHour?.status, 'rejected');
		assert.ok((outcome.retryAfterMs ?? 0) > 0);
		assert.equal(sim.requests.filter(entry => entry.path.startsWith('/v1/')).length, 0, 'no made-up prompt');
		await waitFor(async () => {
			const health = await prober.health({name: 'sub', kind: 'oauth'});
			return health && 'status' in health && health.status === 200;
		}, 'a healthy usage answer');
	});
});
