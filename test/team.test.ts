// covers: source/team/, source/state/store.ts (attachTeam, applyRemote), source/state/shared-facts.ts
// Team mode's parts against a real redis-server (test/helpers/redis-server.ts): two or three
// in-memory stores, each with its own team connection, as separate machines would have them. What
// one learns reaches the others through pub/sub with nothing echoed back; Redis keys expire when
// what they describe is over; cooldowns stagger across the pool; losing Redis loses nothing that
// reconcile cannot bring back.
import assert from 'node:assert/strict';
import {randomBytes} from 'node:crypto';
import {
	after, before, describe, test,
} from 'node:test';
import {Redis} from 'ioredis';
import type {AccountConfig} from '../source/accounts/types.js';
import type {RateLimitTelemetry} from '../source/anthropic/telemetry.js';
import {StateStore} from '../source/state/store.js';
import {staggerMs} from '../source/state/stagger.js';
import {startTeam, type TeamMode} from '../source/team/team.js';
import {startRedis, type RedisServer} from './helpers/redis-server.js';
import {tempDir} from './helpers/temp-dir.js';
import {waitFor} from './helpers/wait.js';

const accounts: AccountConfig[] = [
	{name: 'work', kind: 'oauth'},
	{name: 'home', kind: 'oauth'},
	{name: 'key', kind: 'apikey'},
];
const teamKey = randomBytes(32).toString('base64');

type Member = {store: StateStore; team: TeamMode; name: string};

let redis: RedisServer;
let spy: Redis;
const members: Member[] = [];

before(async () => {
	redis = await startRedis();
	spy = new Redis(redis.url, {lazyConnect: true});
	await spy.connect();
});

after(async () => {
	for (const member of members) {
		await member.team.stop().catch(() => undefined);
		member.store.close();
	}

	spy.disconnect();
	await redis?.stop();
});

async function join(name: string, url = redis.url, extra: Record<string, string> = {}): Promise<Member> {
	const store = new StateStore({
		accounts,
		settings: {
			strategy: 'maximus', burstRpmLimit: 10, stickyTtlMs: 600_000, expirySoonSeconds: 1800, fallbackModel: null,
		},
		version: 'test',
		notifyIntervalMs: 5,
	});
	const home = tempDir('shunt-team-');
	const team = await startTeam({
		store,
		env: {
			SHUNT_REDIS_URL: url, SHUNT_TEAM_KEY: teamKey, SHUNT_INSTANCE_NAME: name, ...extra,
		},
		configDir: home,
		dataDir: home,
		version: 'test',
		connectWaitMs: 3000,
		connection: {maxRetryDelayMs: 100},
	});
	const member = {store, team, name};
	members.push(member);
	return member;
}

async function leave(member: Member): Promise<void> {
	members.splice(members.indexOf(member), 1);
	await member.team.stop();
	member.store.close();
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

function spentTelemetry(resetInSeconds: number): RateLimitTelemetry {
	return {
		fiveHour: {utilization: 1.02, reset: nowSeconds() + resetInSeconds, status: 'rejected'},
		sevenDay: {utilization: 0.4, reset: nowSeconds() + (3 * 86_400), status: 'allowed'},
		status: 'rejected',
		updatedMs: Date.now(),
	};
}

describe('shared state between instances', () => {
	let laptop: Member;
	let desktop: Member;

	before(async () => {
		await spy.flushall();
		laptop = await join('laptop');
		desktop = await join('desktop');
		await waitFor(() => laptop.store.freshSnapshot().team?.instances.length === 2 && desktop.store.freshSnapshot().team?.instances.length === 2, 'both instances to see each other', 10_000);
	});

	after(async () => {
		await leave(laptop);
		await leave(desktop);
	});

	test('a spent account seen by one instance is exhausted on the other, and Redis forgets it at the reset', async () => {
		laptop.store.recordTelemetry('work', spentTelemetry(120));
		laptop.store.setCooldown('work', Date.now() + 120_000, {reason: 'quota', staggered: true});
		await waitFor(() => desktop.store.accountState('work') === 'exhausted', 'work to be exhausted on the desktop');
		assert.ok(desktop.store.routingSnapshot().accounts.find(account => account.name === 'work')!.cooldownUntilMs > Date.now() + 100_000);
		assert.equal(desktop.store.telemetry('work')?.fiveHour?.status, 'rejected');
		// The cooldown key lives until the deadline, the telemetry key until its latest reset (the 7d one).
		const cooldownTtl = await spy.pttl('shunt:cooldown:work');
		assert.ok(cooldownTtl > 100_000 && cooldownTtl <= 120_000 + staggerMs, `cooldown ttl ${cooldownTtl}`);
		const telemetryTtl = await spy.pttl('shunt:telemetry:work');
		assert.ok(telemetryTtl > (3 * 86_400_000) - 60_000 && telemetryTtl <= 3 * 86_400_000, `telemetry ttl ${telemetryTtl}`);
		const stored = JSON.parse((await spy.get('shunt:telemetry:work'))!) as RateLimitTelemetry;
		assert.equal(stored.fiveHour?.status, 'rejected');
	});

	test('what an instance applies from the pool is not published again (no echo)', async () => {
		const listener = new Redis(redis.url);
		const messages: Array<{from: string; facts?: unknown[]}> = [];
		await listener.subscribe('shunt:pool');
		listener.on('message', (_channel: string, text: string) => {
			messages.push(JSON.parse(text) as {from: string});
		});
		desktop.store.recordTelemetry('home', {fiveHour: {utilization: 0.3, reset: nowSeconds() + 3600, status: 'allowed'}, updatedMs: Date.now()});
		await waitFor(() => laptop.store.telemetry('home')?.fiveHour?.utilization === 0.3, 'the laptop to learn home\'s telemetry');
		// A marker after it: once the marker arrived, anything the laptop echoed would have too.
		desktop.store.pin('home');
		await waitFor(() => laptop.store.pinnedAccount === 'home', 'the pin to reach the laptop');
		await waitFor(() => messages.some(message => JSON.stringify(message).includes('"pin"')), 'the pin message');
		const fromLaptop = messages.filter(message => message.facts?.length && JSON.stringify(message).includes('laptop'));
		assert.deepEqual(fromLaptop, [], 'the laptop republished what it learned');
		desktop.store.pin(null);
		await waitFor(() => laptop.store.pinnedAccount === null, 'the unpin to reach the laptop');
		listener.disconnect();
	});

	test('two instances cooling two accounts at the same moment get deadlines at least the stagger apart', async () => {
		const deadline = Date.now() + 90_000;
		laptop.store.setCooldown('home', deadline, {reason: 'quota', staggered: true});
		desktop.store.setCooldown('key', deadline, {reason: 'quota', staggered: true});
		const both = await waitFor(() => {
			const home = laptop.store.cooldownUntil('home');
			const key = laptop.store.cooldownUntil('key');
			return home > 0 && key > 0 && home === desktop.store.cooldownUntil('home') && key === desktop.store.cooldownUntil('key') && Math.abs(home - key) >= staggerMs ? {home, key} : undefined;
		}, () => `staggered deadlines on both: home ${laptop.store.cooldownUntil('home') - deadline} / ${desktop.store.cooldownUntil('home') - deadline}, key ${laptop.store.cooldownUntil('key') - deadline} / ${desktop.store.cooldownUntil('key') - deadline}`);
		assert.ok(Math.min(both.home, both.key) >= deadline);
		const work = laptop.store.cooldownUntil('work');
		assert.ok(Math.abs(both.home - work) >= staggerMs && Math.abs(both.key - work) >= staggerMs, 'away from the earlier cooldown too');
		laptop.store.clearCooldown('home');
		await waitFor(() => desktop.store.cooldownUntil('home') <= Date.now(), 'the early end to reach the desktop');
		assert.equal(await spy.zscore('shunt:deadlines', 'home'), null);
	});

	test('burst attempts on a subscription account count on every instance, and a refund is given back everywhere', async () => {
		const before = desktop.store.routingSnapshot().accounts.find(account => account.name === 'home')!.burstCount;
		const stamps = [laptop.store.recordAttempt('home', true), laptop.store.recordAttempt('home', true), laptop.store.recordAttempt('home', true)];
		// Warm-ups do not count, on any instance.
		laptop.store.recordAttempt('home', false);
		const burstOf = (member: Member) => member.store.routingSnapshot().accounts.find(account => account.name === 'home')!.burstCount;
		await waitFor(() => burstOf(desktop) === before + 3, () => `three attempts on the desktop (has ${burstOf(desktop) - before})`);
		assert.equal(await spy.zcard('shunt:burst:home'), 3);
		laptop.store.refundAttempt('home', stamps[0]!);
		await waitFor(() => burstOf(desktop) === before + 2, 'the refund on the desktop');
		assert.equal(await spy.zcard('shunt:burst:home'), 2);
		assert.ok(await spy.pttl('shunt:burst:home') <= 60_000);
	});

	test('model exclusions and pauses reach the other instance', async () => {
		desktop.store.excludeModel('work', 'claude-opus-4-6', Date.now() + 60_000);
		desktop.store.setPaused('key', true);
		await waitFor(() => laptop.store.isPaused('key') && laptop.store.routingSnapshot().accounts.find(account => account.name === 'work')!.excludedModels.includes('claude-opus-4-6'), 'the exclusion and the pause on the laptop');
		assert.deepEqual(await spy.smembers('shunt:paused'), ['key']);
		assert.ok(await spy.pttl('shunt:exclusions:work') <= 60_000);
		desktop.store.setPaused('key', false);
		await waitFor(() => !laptop.store.isPaused('key'), 'the resume on the laptop');
	});

	test('savings are counted per instance and shown as the pool\'s sum; requests show in the other instance\'s log', async () => {
		const record = (id: string, costUsd: number) => ({
			id, tsMs: Date.now(), startedMs: Date.now() - 20, account: 'key', model: 'claude-sonnet-4-6', status: 200,
			inputTokens: 100, outputTokens: 50, cacheReadTokens: 0, cacheWriteTokens: 0, durationMs: 20, ttftMs: 5,
			attempts: [], outcome: 'complete' as const, stream: false, path: '/v1/messages', frontDoor: 'openai' as const, costUsd,
		});
		const before = laptop.store.freshSnapshot().savings.allTime.usd;
		laptop.store.recordRequest(record('r1', 0.25));
		desktop.store.recordRequest(record('r2', 0.5));
		await waitFor(() => laptop.store.freshSnapshot().team?.requests.some(request => request.id.endsWith(':r2') && request.instance === 'desktop' && request.frontDoor === 'openai'), 'the desktop\'s request in the laptop\'s log, with its front door');
		// The pool's savings are refreshed with each heartbeat.
		await waitFor(() => Math.abs(laptop.store.freshSnapshot().savings.allTime.usd - (before + 0.75)) < 1e-9, () => `pool savings ${laptop.store.freshSnapshot().savings.allTime.usd}`, 12_000);
		const ids = await spy.smembers('shunt:savings-instances');
		assert.equal(ids.length, 2);
		const usd = await Promise.all(ids.map(async id => Number(await spy.hget(`shunt:savings:${id}`, 'all:usd'))));
		assert.deepEqual(usd.toSorted((a, b) => a - b), [0.25, 0.5]);
		// Its own ledger is untouched: the laptop's state.json keeps only what it served.
		assert.ok(Math.abs(laptop.store.ownSavings().allTime.usd - 0.25) < 1e-9);
	});
});
