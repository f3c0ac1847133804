// covers: source/team/team-config.ts, source/team/connection.ts
// What SHUNT_REDIS_URL, the team key and the instance name may be, what ioredis is given, and the
// connection itself with a password and over TLS against a real redis-server (a self-signed
// certificate made by openssl here). Nothing secret appears in any message.
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import {chmodSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {after, describe, test} from 'node:test';
import type {AccountConfig} from '../source/accounts/types.js';
import {StateStore} from '../source/state/store.js';
import {redisOptions} from '../source/team/connection.js';
import {decodeKey, keyFileName, parseRedisUrl, teamConfig} from '../source/team/team-config.js';
import {startTeam, type TeamMode} from '../source/team/team.js';
import {UserError} from '../source/util/user-error.js';
import {startRedis, type RedisServer} from './helpers/redis-server.js';
import {tempDir} from './helpers/temp-dir.js';
import {waitFor} from './helpers/wait.js';

const key = randomBytes(32);
const servers: RedisServer[] = [];
const started: Array<{store: StateStore; team: TeamMode}> = [];

after(async () => {
	for (const {store, team} of started) {
		// eslint-disable-next-line no-await-in-loop
		await team.stop();
		store.close();
	}

	for (const server of servers) {
		// eslint-disable-next-line no-await-in-loop
		await server.stop();
	}
});

function userError(run: () => unknown, pattern: RegExp): void {
	assert.throws(run, (error: unknown) => error instanceof UserError && pattern.test(error.message) && !error.message.includes('\n'));
}

describe('SHUNT_REDIS_URL', () => {
	test('redis:// and rediss:// with credentials, port and database; the shown form has no credentials', () => {
		const plain = parseRedisUrl('redis://cache.local');
		assert.deepEqual(plain.target, {host: 'cache.local', port: 6379, db: 0, tls: false});
		const full = parseRedisUrl('rediss://shunt:p%40ss%3Aword@redis.example.net:6380/3');
		assert.deepEqual(full.target, {host: 'redis.example.net', port: 6380, db: 3, tls: true, username: 'shunt', password: 'p@ss:word'});
		assert.equal(full.display, 'rediss://redis.example.net:6380/3');
		assert.equal(parseRedisUrl('redis://:only-a-password@[::1]:7000').display, 'redis://[::1]:7000/0');
		assert.equal(parseRedisUrl('redis://:only-a-password@[::1]:7000').target.password, 'only-a-password');
	});

	test('anything else is a one-line error that repeats no password', () => {
		userError(() => parseRedisUrl('http://cache:6379'), /must start with redis:\/\/ or rediss:\/\//);
		userError(() => parseRedisUrl('not a url'), /is not a URL/);
		userError(() => parseRedisUrl('redis://cache:6379/two'), /database number/);
		userError(() => parseRedisUrl('redis://cache:6379/0?tls=false'), /no query/);
		userError(() => parseRedisUrl('redis://'), /no host|not a URL/);
		assert.throws(() => parseRedisUrl('redis://u:secret-pw@cache:6379/x'), (error: Error) => !error.message.includes('secret-pw'));
	});

	test('ioredis gets the credentials, TLS with the server name (none for an IP), and fails fast while disconnected', () => {
		const named = redisOptions({redis: parseRedisUrl('rediss://u:pw@redis.example.net:6380/2').target, instanceName: 'laptop'});
		assert.equal(named.username, 'u');
		assert.equal(named.password, 'pw');
		assert.equal(named.db, 2);
		assert.deepEqual(named.tls, {servername: 'redis.example.net'});
		assert.equal(named.enableOfflineQueue, false);
		assert.ok(named.commandTimeout && named.commandTimeout <= 5000);
		assert.deepEqual(redisOptions({redis: parseRedisUrl('rediss://127.0.0.1:6380').target, instanceName: 'laptop'}).tls, {});
		assert.equal(redisOptions({redis: parseRedisUrl('redis://127.0.0.1').target, instanceName: 'laptop'}).tls, undefined);
	});
});

describe('the team key and the instance name', () => {
	const dirs = () => {
		const home = tempDir('shunt-team-config-');
		return {configDir: home, dataDir: home};
	};

	test('a key in base64, url-safe base64 or hex; 32 bytes exactly', () => {
		assert.deepEqual(decodeKey(key.toString('base64')), key);
		assert.deepEqual(decodeKey(key.toString('base64url')), key);
		assert.deepEqual(decodeKey(`${key.toString('hex')}\n`), key);
		assert.equal(decodeKey(randomBytes(16).toString('base64')), undefined);
		assert.equal(decodeKey(randomBytes(33).toString('hex')), undefined);
		assert.equal(decodeKey('not a key'), undefined);
	});

	test('no key: team mode refuses to start and says how to make one', () => {
		const where = dirs();
		userError(() => teamConfig({SHUNT_REDIS_URL: 'redis://127.0.0.1'}, where), new RegExp(`needs the pool's encryption key: .*SHUNT_TEAM_KEY.*openssl rand -base64 32.*${path.join(where.configDir, keyFileName).replaceAll('/', '\\/')}`));
		userError(() => teamConfig({SHUNT_REDIS_URL: 'redis://127.0.0.1', SHUNT_TEAM_KEY: 'short'}, where), /SHUNT_TEAM_KEY must be 32 bytes/);
	});

	test('team.key: read when it is 0600, refused when others can read it', () => {
		const where = dirs();
		const file = path.join(where.configDir, keyFileName);
		writeFileSync(file, `${key.toString('base64')}\n`, {mode: 0o644});
		chmodSync(file, 0o644);
		userError(() => teamConfig({SHUNT_REDIS_URL: 'redis://127.0.0.1'}, where), /can be read by others \(mode 644\): chmod 600/);
		chmodSync(file, 0o600);
		assert.deepEqual(teamConfig({SHUNT_REDIS_URL: 'redis://127.0.0.1'}, where).key, key);
	});

	test('the instance: named by SHUNT_INSTANCE_NAME or the host; its id is stable for a data directory and differs between two', () => {
		const where = dirs();
		const env = {SHUNT_REDIS_URL: 'redis://127.0.0.1', SHUNT_TEAM_KEY: key.toString('hex')};
		assert.equal(teamConfig({...env, SHUNT_INSTANCE_NAME: 'laptop'}, where).instanceName, 'laptop');
		assert.match(teamConfig(env, where).instanceName, /^[\w.-]{1,32}$/);
		assert.equal(teamConfig(env, where).instanceId, teamConfig(env, where).instanceId);
		assert.notEqual(teamConfig(env, where).instanceId, teamConfig(env, dirs()).instanceId);
		userError(() => teamConfig({...env, SHUNT_INSTANCE_NAME: 'my laptop\u001B[2J'}, where), /SHUNT_INSTANCE_NAME/);
	});
});

describe('connecting', () => {
	const accounts: AccountConfig[] = [{name: 'work', kind: 'oauth'}];

	async function join(url: string, tls?: {ca: string}): Promise<{store: StateStore; team: TeamMode}> {
		const store = new StateStore({accounts, settings: {strategy: 'maximus', burstRpmLimit: 10, stickyTtlMs: 600_000, expirySoonSeconds: 1800, fallbackModel: null}, version: 'test', notifyIntervalMs: 5});
		const home = tempDir('shunt-team-connect-');
		const team = await startTeam({
			store,
			env: {SHUNT_REDIS_URL: url, SHUNT_TEAM_KEY: key.toString('base64'), SHUNT_INSTANCE_NAME: 'laptop'},
			configDir: home,
			dataDir: home,
			version: 'test',
			connectWaitMs: 3000,
			connection: {maxRetryDelayMs: 200, connectTimeoutMs: 1000, ...(tls ? {tls} : {})},
		});
		started.push({store, team});
		return {store, team};
	}

	test('a password from the URL is used; a wrong one leaves Redis unreachable, and no message shows it', async () => {
		const redis = await startRedis({password: 'correct-horse-battery'});
		servers.push(redis);
		const good = await join(redis.url);
		assert.equal(good.team.redis, 'connected');
		const bad = await join(redis.url.replace('correct-horse-battery', 'wrong-password-here'));
		assert.equal(bad.team.redis, 'unreachable');
		const said = JSON.stringify(bad.store.freshSnapshot().events);
		assert.match(said, /not reachable yet; serving on local state/);
		assert.ok(!said.includes('wrong-password-here') && !said.includes('correct-horse-battery'));
	});

	test('rediss://: TLS with a certificate the instance trusts connects; one it does not trust is refused', async () => {
		const dir = tempDir('shunt-redis-tls-');
		const certFile = path.join(dir, 'cert.pem');
		const keyFile = path.join(dir, 'key.pem');
		execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], {stdio: 'ignore'});
		const redis = await startRedis({tls: {certFile, keyFile}});
		servers.push(redis);
		assert.match(redis.url, /^rediss:\/\//);
		const trusted = await join(redis.url, {ca: readFileSync(certFile, 'utf8')});
		assert.equal(trusted.team.redis, 'connected');
		trusted.store.pin('work');
		const second = await join(redis.url, {ca: readFileSync(certFile, 'utf8')});
		await waitFor(() => second.store.pinnedAccount === 'work', 'the pin over TLS');
		const untrusted = await join(redis.url);
		assert.equal(untrusted.team.redis, 'unreachable');
	});
});
