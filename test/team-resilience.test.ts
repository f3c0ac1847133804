// covers: source/team/team.ts, source/team/sync.ts, source/team/connection.ts, source/team/token-share.ts, source/team/token-cipher.ts, source/team/leases.ts, source/team/messages.ts
// Team mode when things go wrong, against a real redis-server: Redis killed and restarted (empty,
// or with its data), a refresh raced by two instances, a pair sealed under another key, leases,
// and hostile messages on the channel.
import {Buffer} from 'node:buffer';
import assert from 'node:assert/strict';
import {randomBytes} from 'node:crypto';
import {after, describe, test} from 'node:test';
import {Redis} from 'ioredis';
import type {AccountConfig} from '../source/accounts/types.js';
import {StateStore} from '../source/state/store.js';
import {redisOptions, TeamConnection} from '../source/team/connection.js';
import {keys} from '../source/team/keys.js';
import {PoolSync} from '../source/team/sync.js';
import {parseRedisUrl} from '../source/team/team-config.js';
import {startTeam, type TeamMode} from '../source/team/team.js';
import {open, seal, tokenKey} from '../source/team/token-cipher.js';
import {startRedis, type RedisServer} from './helpers/redis-server.js';
import {tempDir} from './helpers/temp-dir.js';
import {waitFor} from './helpers/wait.js';

const accounts: AccountConfig[] = [{name: 'work', kind: 'oauth'}, {name: 'home', kind: 'oauth'}];
const teamKey = randomBytes(32).toString('base64');

type Member = {store: StateStore; team: TeamMode};
const members: Member[] = [];
const servers: RedisServer[] = [];

after(async () => {
	for (const member of members) {
		await member.team.stop().catch(() => undefined);
		member.store.close();
	}

	for (const server of servers) {
		await server.stop();
	}
});

async function redisServer(options: Parameters<typeof startRedis>[0] = {}): Promise<RedisServer> {
	const server = await startRedis(options);
	servers.push(server);
	return server;
}

async function join(name: string, url: string, options: {key?: string; leaseMs?: number} = {}): Promise<Member> {
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
		env: {SHUNT_REDIS_URL: url, SHUNT_TEAM_KEY: options.key ?? teamKey, SHUNT_INSTANCE_NAME: name},
		configDir: home,
		dataDir: home,
		version: 'test',
		connectWaitMs: 3000,
		connection: {maxRetryDelayMs: 100, connectTimeoutMs: 500, commandTimeoutMs: 1000},
		refreshLeaseMs: options.leaseMs,
	});
	const member = {store, team};
	members.push(member);
	return member;
}

const events = (member: Member) => member.store.freshSnapshot().events.map(event => event.message);

describe('losing Redis', () => {
	test('killed: both instances keep their state and say so; restarted empty: reconcile puts back what they knew, and what changed meanwhile reaches the other', async () => {
		const redis = await redisServer();
		const laptop = await join('laptop', redis.url);
		const desktop = await join('desktop', redis.url);
		await waitFor(() => desktop.store.freshSnapshot().team?.instances.length === 2, 'the desktop to see the laptop', 10_000);
		laptop.store.pin('home');
		await waitFor(() => desktop.store.pinnedAccount === 'home', 'the pin on the desktop');

		await redis.kill();
		await waitFor(() => laptop.team.redis === 'unreachable' && desktop.team.redis === 'unreachable', 'both to notice Redis is gone');
		assert.equal(laptop.store.freshSnapshot().team?.redis, 'unreachable');
		assert.equal(laptop.store.freshSnapshot().team?.instances.length, 2, 'the last known pool is kept');
		assert.ok(events(laptop).some(message => /team: Redis at redis:\/\/127\.0\.0\.1:\d+\/0 is unreachable.*serving on local state/.test(message)), events(laptop).join('\n'));
		// Life goes on locally.
		const deadline = Date.now() + 60_000;
		laptop.store.setCooldown('work', deadline, {reason: 'quota', staggered: true});
		laptop.store.recordTelemetry('work', {fiveHour: {utilization: 1, reset: Math.floor(deadline / 1000), status: 'rejected'}, updatedMs: Date.now()});
		assert.equal(laptop.store.accountState('work'), 'exhausted');
		assert.equal(desktop.store.accountState('work'), 'available');

		await redis.restart();
		await waitFor(() => laptop.team.redis === 'connected' && desktop.team.redis === 'connected', 'both to reconnect', 10_000);
		await waitFor(() => desktop.store.accountState('work') === 'exhausted', 'the laptop\'s offline cooldown to reach the desktop', 10_000);
		// Said once the whole reconcile is done, which can be after its writes reached the desktop.
		await waitFor(() => events(laptop).some(message => message.includes('is back; state reconciled')), 'the laptop to say it reconciled');
		const spy = new Redis(redis.url);
		try {
			// The empty Redis got back what the instances knew: the pin, telemetry, the cooldown, presence.
			await waitFor(async () => await spy.get('shunt:pin') === 'home' && await spy.exists('shunt:telemetry:work') === 1 && await spy.zcard('shunt:instances') === 2, 'the pool state back in Redis');
			assert.ok(await spy.zscore('shunt:deadlines', 'work'));
		} finally {
			spy.disconnect();
		}
	});

	test('restarted with its data: the pool\'s pin stands, but one changed offline is taken over', async () => {
		const redis = await redisServer({persistence: true});
		const laptop = await join('laptop', redis.url);
		const desktop = await join('desktop', redis.url);
		laptop.store.pin('work');
		await waitFor(() => desktop.store.pinnedAccount === 'work', 'the pin on the desktop');
		await redis.kill();
		await waitFor(() => desktop.team.redis === 'unreachable', 'the desktop to notice');
		desktop.store.setPaused('home', true);
		await redis.restart();
		await waitFor(() => laptop.store.isPaused('home'), () => `the offline pause to reach the laptop (desktop: ${events(desktop).join(' | ')}; laptop: ${events(laptop).join(' | ')})`, 10_000);
		assert.equal(laptop.store.pinnedAccount, 'work');
		assert.equal(desktop.store.pinnedAccount, 'work');
	});
	test('a reconcile that fails while the connection stays up is tried again', async () => {
		const redis = await redisServer();
		const spy = new Redis(redis.url);
		try {
			// A key of the wrong type makes the reconcile's read fail; the connection itself is fine.
			await spy.set(keys.paused, 'not a set');
			const laptop = await join('laptop', redis.url);
			await waitFor(() => events(laptop).some(message => /team: reconciling with Redis at .* failed \(.*WRONGTYPE.*\); retrying in 1s/.test(message)), () => events(laptop).join('\n'));
			assert.equal(laptop.team.redis, 'connected');
			await spy.del(keys.paused);
			await waitFor(() => events(laptop).some(message => message.includes('team: joined the pool')), () => events(laptop).join('\n'), 10_000);
		} finally {
			spy.disconnect();
		}
	});

	test('a pin and a pause that arrive while a reconcile reads are not undone by its older read', async () => {
		const redis = await redisServer();
		const store = new StateStore({
			accounts,
			settings: {
				strategy: 'maximus', burstRpmLimit: 10, stickyTtlMs: 600_000, expirySoonSeconds: 1800, fallbackModel: null,
			},
			version: 'test',
			notifyIntervalMs: 5,
		});
		const spy = new Redis(redis.url);
		// The pool exists (an epoch) and holds neither a pin nor a pause.
		await spy.set(keys.epoch, '1');
		const connection: TeamConnection = new TeamConnection(redisOptions({redis: parseRedisUrl(redis.url).target, instanceName: 'laptop'}), keys.channel, {
			onChange() {},
			onMessage(bytes) {
				sync.received(bytes);
			},
		});
		const sync = new PoolSync({
			store, connection, instanceId: 'aaaaaaaaaaaa', instanceName: 'laptop',
		});
		try {
			connection.connect();
			await waitFor(() => connection.state === 'connected', 'the connection');
			// Between Redis answering the reconcile's read and the reconcile using it, another instance
			// pins and pauses, and its message arrives (two sockets: nothing orders them).
			const {commands} = connection;
			const pipeline = commands.pipeline.bind(commands);
			let intercepted = false;
			commands.pipeline = ((...args: Parameters<typeof pipeline>) => {
				const created = pipeline(...args);
				if (!intercepted) {
					intercepted = true;
					const exec = created.exec.bind(created);
					created.exec = (async () => {
						const results = await exec();
						await spy.multi().set(keys.pin, 'work').sadd(keys.paused, 'home').exec();
						await spy.publish(keys.channel, JSON.stringify({
							v: 1, from: 'bbbbbbbbbbbb', name: 'desktop', facts: [{type: 'pin', account: 'work'}, {type: 'paused', account: 'home', paused: true}],
						}));
						await waitFor(() => store.isPaused('home') && store.pinnedAccount === 'work', 'the desktop\'s message');
						return results;
					});
				}

				return created;
			});
			await sync.reconcile();
			assert.ok(intercepted);
			assert.equal(store.pinnedAccount, 'work');
			assert.equal(store.isPaused('home'), true);
		} finally {
			sync.close();
			await connection.close();
			spy.disconnect();
			store.close();
		}
	});
});

describe('logins across instances', () => {
	test('two instances refreshing one account at once: one refresh runs, the other adopts its pair; Redis holds only ciphertext', async () => {
		const redis = await redisServer();
		const laptop = await join('laptop', redis.url);
		const desktop = await join('desktop', redis.url);
		const old = {accessToken: `sk-ant-oat01-old-${randomBytes(8).toString('hex')}`, refreshToken: `sk-ant-ort01-old-${randomBytes(8).toString('hex')}`, expiresAt: Date.now() - 1000};
		await laptop.team.logins.publish('work', old);
		await waitFor(() => desktop.team.logins.newest('work')?.refreshToken === old.refreshToken, 'the old pair on the desktop');
		let refreshes = 0;
		const renewed = {accessToken: `sk-ant-oat01-new-${randomBytes(8).toString('hex')}`, refreshToken: `sk-ant-ort01-new-${randomBytes(8).toString('hex')}`, expiresAt: Date.now() + (8 * 3_600_000)};
		const refresh = (member: Member) => async () => {
			refreshes++;
			// As the provider does: the token call takes a while, the pair is published before the lease goes.
			await new Promise(resolve => {
				setTimeout(resolve, 200);
			});
			await member.team.logins.publish('work', renewed);
		};

		const outcomes = await Promise.all([laptop.team.logins.exclusive('work', refresh(laptop)), desktop.team.logins.exclusive('work', refresh(desktop))]);
		assert.equal(refreshes, 1);
		assert.deepEqual([...outcomes].toSorted(), ['done', 'elsewhere']);
		for (const member of [laptop, desktop]) {
			assert.equal(member.team.logins.newest('work')?.refreshToken, renewed.refreshToken);
		}

		const spy = new Redis(redis.url);
		try {
			const stored = (await spy.get('shunt:token:work'))!;
			assert.ok(!stored.includes(renewed.refreshToken) && !stored.includes(renewed.accessToken) && !stored.includes('sk-ant'), 'a token in plain text in Redis');
			assert.equal((JSON.parse(stored) as {expiresAt: number}).expiresAt, renewed.expiresAt);
			// The lease is gone once the refresh is done.
			assert.equal(await spy.exists('shunt:lease:refresh:work'), 0);
		} finally {
			spy.disconnect();
		}
	});

	test('a lease whose holder died frees itself: the next instance refreshes after its time limit', async () => {
		const redis = await redisServer();
		const desktop = await join('desktop', redis.url, {leaseMs: 600});
		const spy = new Redis(redis.url);
		try {
			await spy.set('shunt:lease:refresh:home', 'aaaaaaaaaaaa:dead', 'PX', 600);
			let ran = false;
			const started = Date.now();
			assert.equal(await desktop.team.logins.exclusive('home', async () => {
				ran = true;
			}), 'done');
			assert.ok(ran);
			assert.ok(Date.now() - started >= 400, 'it waited for the dead holder\'s lease');
		} finally {
			spy.disconnect();
		}
	});

	test('a pair sealed under another key does not open: the instance says to check the key, and keeps its own', async () => {
		const redis = await redisServer();
		const laptop = await join('laptop', redis.url);
		const stranger = await join('stranger', redis.url, {key: randomBytes(32).toString('hex')});
		const pair = {accessToken: 'sk-ant-oat01-strange-access-token', refreshToken: 'sk-ant-ort01-strange-refresh-token', expiresAt: Date.now() + 3_600_000};
		await stranger.team.logins.publish('home', pair);
		await waitFor(() => events(laptop).some(message => /does not open here; is the team key .* the same on every machine/.test(message)), () => events(laptop).join('\n'));
		assert.equal(laptop.team.logins.newest('home'), undefined);
		assert.ok(!events(laptop).join('\n').includes('sk-ant'), 'no token in any event');
	});

	test('sealing: a pair opens only with its key and for its account; a changed byte or a shortened tag is refused', () => {
		const key = tokenKey(randomBytes(32));
		const pair = {accessToken: 'a'.repeat(40), refreshToken: 'r'.repeat(40), expiresAt: 1_800_000_000_000};
		const sealed = seal(key, 'work', pair);
		assert.deepEqual(open(key, 'work', sealed), pair);
		assert.equal(open(key, 'home', sealed), undefined);
		assert.equal(open(tokenKey(randomBytes(32)), 'work', sealed), undefined);
		const data = Buffer.from(sealed.data, 'base64');
		data[3] = data[3]! ^ 1;
		assert.equal(open(key, 'work', {...sealed, data: data.toString('base64')}), undefined);
		assert.equal(open(key, 'work', {...sealed, tag: Buffer.from(sealed.tag, 'base64').subarray(0, 4).toString('base64')}), undefined);
		assert.equal(open(key, 'work', {...sealed, expiresAt: sealed.expiresAt + 1}), undefined, 'the clear expiry must match the sealed one');
	});
});

describe('background leases and the channel', () => {
	test('one instance per interval does background work for an account; without Redis everyone does', async () => {
		const redis = await redisServer();
		const laptop = await join('laptop', redis.url);
		const desktop = await join('desktop', redis.url);
		const claims = await Promise.all([laptop.team.lease('usage', 'work', 5000), desktop.team.lease('usage', 'work', 5000)]);
		assert.deepEqual(claims.toSorted((a, b) => Number(a) - Number(b)), [false, true]);
		const holder = claims[0] ? laptop : desktop;
		assert.equal(await holder.team.lease('usage', 'work', 5000), true, 'the holder keeps its lease for the interval');
		await redis.kill();
		await waitFor(() => laptop.team.redis === 'unreachable' && desktop.team.redis === 'unreachable', 'both to notice');
		assert.deepEqual(await Promise.all([laptop.team.lease('usage', 'home', 5000), desktop.team.lease('usage', 'home', 5000)]), [true, true]);
	});

	test('hostile messages on the channel are dropped: garbage, unknown accounts, absurd numbers, control characters, huge payloads', async () => {
		const redis = await redisServer();
		const laptop = await join('laptop', redis.url);
		const publisher = new Redis(redis.url);
		try {
			const send = async (value: unknown) => publisher.publish('shunt:pool', typeof value === 'string' ? value : JSON.stringify(value));
			const from = 'bbbbbbbbbbbb';
			await send('not json at all');
			await send({
				v: 1, from, name: 'evil', facts: [{
					type: 'cooldown', account: 'nobody', untilMs: Date.now() + 60_000, reason: 'quota',
				}],
			});
			await send({
				v: 1, from, name: 'evil', facts: [{
					type: 'cooldown', account: 'work', untilMs: 1e20, reason: 'quota',
				}],
			});
			await send({
				v: 1, from, name: 'evil', facts: [{type: 'pin', account: 'nobody'}],
			});
			await send({
				v: 1, from: 'not-an-id', name: 'evil', facts: [{type: 'paused', account: 'work', paused: true}],
			});
			await send({
				v: 1, from, name: 'evil', facts: [{type: 'telemetry', account: 'work', telemetry: {updatedMs: 'soon'}}],
			});
			await send({
				v: 1, from, name: 'evil', facts: [{
					type: 'exclusion', account: 'work', model: 'x'.repeat(10), untilMs: Number.NaN,
				}],
			});
			await send(`{"v":1,"from":"${from}","name":"evil","events":[{"tsMs":${Date.now()},"kind":"cooldown","message":"${'y'.repeat(300_000)}"}]}`);
			// A valid message last, with a hostile text in it: once it is applied, everything before it was handled.
			await send({
				v: 1, from, name: 'evil', events: [{
					tsMs: Date.now(), kind: 'cooldown', account: 'home', message: 'home \u001B]0;owned\u0007cooling',
				}],
			});
			const event = await waitFor(() => laptop.store.freshSnapshot().team?.events[0], 'the valid event');
			assert.equal(event.message, 'home cooling');
			assert.equal(event.instance, 'evil');
			assert.equal(laptop.store.freshSnapshot().team?.events.length, 1);
			assert.equal(laptop.store.cooldownUntil('work'), 0);
			assert.equal(laptop.store.pinnedAccount, null);
			assert.equal(laptop.store.isPaused('work'), false);
			assert.equal(laptop.store.telemetry('work'), undefined);
			assert.deepEqual(laptop.store.routingSnapshot().accounts.find(account => account.name === 'work')!.excludedModels, []);
		} finally {
			publisher.disconnect();
		}
	});
});
