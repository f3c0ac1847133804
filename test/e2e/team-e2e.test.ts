// covers: source/team/, source/runtime/runtime.ts, source/runtime/load.ts, source/accounts/oauth/oauth-auth-provider.ts, source/proxy/status-document.ts, source/commands/remote-commands.ts
// Team mode end to end: two or three built CLIs (`shunt --headless`), each with its own SHUNT_HOME
// holding the same subscription accounts (as a laptop, a desktop and a devbox would), one real
// redis-server and our simulator. An account spent through one instance is never sent a request
// through another afterwards; two instances whose tokens expire together make exactly one refresh
// and both keep working; burst pacing holds across instances; Redis killed mid-traffic causes no
// client-visible error and the instances reconcile when it is back.
import assert from 'node:assert/strict';
import {randomBytes} from 'node:crypto';
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {
	after, afterEach, before, describe, test,
} from 'node:test';
import {Redis} from 'ioredis';
import {ShuntConfig} from '../../source/accounts/config.js';
import {updateCredential} from '../../source/accounts/credentials.js';
import {shuntPaths} from '../../source/accounts/paths.js';
import type {StatusDocument} from '../../source/proxy/status-document.js';
import {Simulator} from '../../source/simulator/index.js';
import {startRedis, type RedisServer} from '../helpers/redis-server.js';
import {runCli, startShunt, type ShuntProcess} from '../helpers/shunt-process.js';
import {tempDir} from '../helpers/temp-dir.js';
import {waitFor} from '../helpers/wait.js';

let sim: Simulator;
let redis: RedisServer;
const running: ShuntProcess[] = [];
const teamKey = randomBytes(32).toString('base64');
/** Every token handed out, for the leak check at the end. */
const secrets = new Set<string>();

before(async () => {
	sim = new Simulator({chunkDelayMs: 1});
	await sim.listen();
	redis = await startRedis();
});

after(async () => {
	for (const shunt of running) {
		await shunt.stop('SIGKILL');
	}

	await redis?.stop();
	await sim?.close();
});

type Login = {name: string; login: string; accessToken: string; refreshToken: string; expiresAt: number};

/** A subscription login in the simulator, which every machine of the pool has a copy of. */
function login(name: string, options: {utilization5h?: number; expiresAt?: number} = {}): Login {
	const tag = `${name}-${randomBytes(8).toString('hex')}`;
	const pair = {accessToken: `sk-ant-oat01-${tag}`, refreshToken: `sk-ant-ort01-${tag}`, expiresAt: options.expiresAt ?? Date.now() + (8 * 3_600_000)};
	const chain = sim.addOAuthLogin({
		...pair, expiresAtMs: pair.expiresAt, name: tag, email: `${tag}@example.com`, limits: {utilization5h: options.utilization5h ?? 0.1},
	});
	secrets.add(pair.accessToken);
	secrets.add(pair.refreshToken);
	return {name, login: chain, ...pair};
}

/** A machine's SHUNT_HOME with these logins, and the settings these tests count requests under. */
function machine(logins: readonly Login[], settings: {burstRpmLimit?: number} = {}): string {
	const home = tempDir('shunt-team-home-');
	const config = new ShuntConfig(home);
	const {credentialsFile} = shuntPaths({SHUNT_HOME: home});
	for (const entry of logins) {
		config.addAccount({name: entry.name, kind: 'oauth', plan: 'max'});
		updateCredential(credentialsFile, entry.name, {
			type: 'oauth', accessToken: entry.accessToken, refreshToken: entry.refreshToken, expiresAt: entry.expiresAt,
		});
	}

	config.setSetting('burstRpmLimit', settings.burstRpmLimit ?? 0);
	config.setSetting('healthCheckEnabled', false);
	return home;
}

async function start(home: string, name: string, extra: Record<string, string> = {}): Promise<ShuntProcess> {
	const shunt = await startShunt(['--upstream', sim.url], {
		SHUNT_HOME: home,
		SHUNT_REDIS_URL: redis.url,
		SHUNT_TEAM_KEY: teamKey,
		SHUNT_INSTANCE_NAME: name,
		SHUNT_OAUTH_TOKEN_URL: `${sim.url}/v1/oauth/token`,
		...extra,
	});
	running.push(shunt);
	return shunt;
}

async function stop(shunt: ShuntProcess): Promise<void> {
	const at = running.indexOf(shunt);
	if (at !== -1) {
		running.splice(at, 1);
		await shunt.stop();
	}
}

/** Stops whatever instances a test started, however it ended, so the next test's pool is its own. */
async function stopAll(): Promise<void> {
	// eslint-disable-next-line unicorn/no-useless-spread -- stop() splices running: iterate a copy
	for (const shunt of [...running]) {
		await stop(shunt);
	}
}

async function status(shunt: ShuntProcess): Promise<StatusDocument> {
	return await (await fetch(`${shunt.url}/_shunt/status`, {signal: AbortSignal.timeout(5000)})).json() as StatusDocument;
}

async function control(shunt: ShuntProcess, action: string, body: unknown): Promise<void> {
	const response = await fetch(`${shunt.url}/_shunt/${action}`, {
		method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify(body), signal: AbortSignal.timeout(5000),
	});
	assert.equal(response.status, 200, await response.text());
}

async function ask(shunt: ShuntProcess, session = randomBytes(4).toString('hex')) {
	const response = await fetch(`${shunt.url}/v1/messages`, {
		method: 'POST',
		headers: {'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-claude-code-session-id': session},
		body: JSON.stringify({model: 'claude-sonnet-4-6', max_tokens: 16, messages: [{role: 'user', content: `hello ${session}`}]}),
		signal: AbortSignal.timeout(30_000),
	});
	return {status: response.status, account: response.headers.get('x-shunt-account'), body: await response.text()};
}

const accountIn = (document: StatusDocument, name: string) => document.accounts.find(account => account.name === name)!;

/** Requests the simulator saw for a login's chain (any of its access tokens) since a moment. */
const seenSince = (entry: Login, sinceMs: number) => sim.requests.filter(request => request.path.startsWith('/v1/messages') && request.account === entry.login && request.tsMs >= sinceMs);

async function pool(shunts: readonly ShuntProcess[]): Promise<void> {
	await waitFor(async () => {
		const documents = await Promise.all(shunts.map(async shunt => status(shunt)));
		return documents.every(document => document.team?.instances === shunts.length && document.team.redis === 'connected');
	}, `all ${shunts.length} instances to see each other`, 15_000);
}

/**
 * Every instance learns both accounts' windows before a test counts requests: one request on
 * bravo, pinned pool-wide for it (an account nobody has heard from yet would look freest of all,
 * so routing would depend on which reply came first). Alpha is the one with headroom then.
 */
async function acquaint(shunts: readonly ShuntProcess[]): Promise<void> {
	const [first, ...others] = shunts;
	await control(first!, 'pin', {account: 'bravo'});
	await waitFor(async () => (await Promise.all(others.map(async shunt => status(shunt)))).every(document => document.pinnedAccount === 'bravo'), 'the pin on every instance');
	assert.equal((await ask(first!)).account, 'bravo');
	await control(others.at(-1)!, 'pin', {account: null});
	await waitFor(async () => (await Promise.all(shunts.map(async shunt => status(shunt))))
		.every(document => document.pinnedAccount === null && document.accounts.every(account => typeof account.utilization5h === 'number')), 'every instance to know both accounts, unpinned');
}

describe('team mode', () => {
	// Each test is its own pool: the accounts' names repeat, and Redis remembers them by name.
	afterEach(async () => {
		await stopAll();
		const client = new Redis(redis.url);
		await client.flushall();
		client.disconnect();
	});

	test('an account spent through one instance is never sent a request through the others afterwards', async () => {
		const alpha = login('alpha', {utilization5h: 0.1});
		const bravo = login('bravo', {utilization5h: 0.6});
		const laptop = await start(machine([alpha, bravo]), 'laptop');
		const desktop = await start(machine([alpha, bravo]), 'desktop');
		const devbox = await start(machine([alpha, bravo]), 'devbox');
		await pool([laptop, desktop, devbox]);
		await acquaint([laptop, desktop, devbox]);
		// Sessions bound to alpha, the account with the most headroom, on two instances.
		const first = await ask(desktop, 'desk-session');
		const second = await ask(devbox, 'devbox-session');
		assert.deepEqual([first.status, first.account, second.status, second.account], [200, 'alpha', 200, 'alpha']);

		// alpha's 5-hour window runs out, seen through the laptop, which fails over to bravo.
		sim.arm(alpha.accessToken, {
			type: 'quota_429', window: '5h', resetInSeconds: 3600, times: Number.POSITIVE_INFINITY,
		});
		const spentAt = Date.now();
		const spent = await ask(laptop, 'laptop-session');
		assert.deepEqual([spent.status, spent.account], [200, 'bravo']);
		assert.equal(seenSince(alpha, spentAt).length, 1, 'the laptop\'s one try on alpha');

		// Routing never waits for Redis, so the others hear of it a pub/sub hop later (milliseconds;
		// more on a loaded machine). From then on, sessions sticky to alpha go to bravo.
		await waitFor(async () => (await Promise.all([desktop, devbox].map(async shunt => status(shunt)))).every(document => accountIn(document, 'alpha').state === 'exhausted'), 'the other instances to hear alpha is spent', 5000);
		const replies = await Promise.all([
			...Array.from({length: 4}, async () => ask(desktop, 'desk-session')),
			...Array.from({length: 4}, async () => ask(devbox, 'devbox-session')),
		]);
		assert.deepEqual(replies.map(reply => `${reply.status} ${reply.account}`), Array.from({length: 8}, () => '200 bravo'));
		assert.equal(seenSince(alpha, spentAt).length, 1, 'another instance sent alpha a request after it was spent');
		for (const shunt of [desktop, devbox]) {
			const document = await status(shunt);
			assert.equal(accountIn(document, 'alpha').state, 'exhausted');
			// Cooling until its quota re-check; exhausted until the reset the 429 named.
			assert.ok(accountIn(document, 'alpha').cooldownUntilMs > Date.now() + 60_000);
		}

		sim.clearFaults(alpha.accessToken);
		for (const shunt of [laptop, desktop, devbox]) {
			await stop(shunt);
		}
	});

	test('two instances whose tokens expire together make exactly one refresh, and both keep working', async () => {
		const shared = login('shared', {expiresAt: Date.now() - 60_000});
		const homes = [machine([shared]), machine([shared])];
		const [laptop, desktop] = await Promise.all([start(homes[0]!, 'laptop'), start(homes[1]!, 'desktop')]);
		await pool([laptop, desktop]);
		const replies = await Promise.all([ask(laptop), ask(desktop), ask(laptop), ask(desktop)]);
		assert.deepEqual(replies.map(reply => reply.status), [200, 200, 200, 200], replies.map(reply => reply.body).join('\n'));
		let chain = sim.oauthLogin(shared.login);
		assert.equal(chain.refreshCalls, 1, 'refresh calls at the token endpoint');
		assert.equal(chain.refreshes, 1);
		// Both machines saved the rotated pair: a restart of either starts from the live refresh token.
		for (const home of homes) {
			await waitFor(() => {
				const stored = JSON.parse(readFileSync(path.join(home, 'credentials.json'), 'utf8')) as {accounts: Record<string, {refreshToken: string}>};
				return stored.accounts['shared']?.refreshToken === chain.refreshToken;
			}, 'the new pair in credentials.json');
		}

		// Upstream expires the token early: both get 401s, still one refresh between them.
		secrets.add(chain.accessToken);
		secrets.add(chain.refreshToken);
		sim.expireToken(chain.accessToken);
		const again = await Promise.all([ask(laptop), ask(desktop)]);
		assert.deepEqual(again.map(reply => reply.status), [200, 200], again.map(reply => reply.body).join('\n'));
		chain = sim.oauthLogin(shared.login);
		assert.equal(chain.refreshCalls, 2);
		assert.equal(chain.refreshes, 2);
		secrets.add(chain.accessToken);
		secrets.add(chain.refreshToken);
		for (const shunt of [laptop, desktop]) {
			assert.equal(accountIn(await status(shunt), 'shared').state, 'available');

			await stop(shunt);
			for (const secret of secrets) {
				assert.ok(!shunt.stderr().includes(secret), 'a token in the log');
			}
		}
	});

	test('burst pacing holds across instances: attempts through one count against the limit on the other', async () => {
		const alpha = login('alpha', {utilization5h: 0.1});
		const bravo = login('bravo', {utilization5h: 0.6});
		const laptop = await start(machine([alpha, bravo], {burstRpmLimit: 3}), 'laptop');
		const desktop = await start(machine([alpha, bravo], {burstRpmLimit: 3}), 'desktop');
		await pool([laptop, desktop]);
		await acquaint([laptop, desktop]);
		const since = Date.now();
		for (let index = 0; index < 3; index++) {
			const reply = await ask(laptop);
			assert.deepEqual([reply.status, reply.account], [200, 'alpha']);
		}

		await waitFor(async () => accountIn(await status(desktop), 'alpha').state === 'throttled', 'alpha throttled on the desktop');
		const {burst} = accountIn(await status(desktop), 'alpha');
		assert.deepEqual([burst?.count, burst?.limit], [3, 3]);
		// Two: bravo has one attempt of its three from acquaint.
		const replies = await Promise.all(Array.from({length: 2}, async () => ask(desktop)));
		assert.deepEqual(replies.map(reply => `${reply.status} ${reply.account}`), ['200 bravo', '200 bravo']);
		assert.equal(seenSince(alpha, since).length, 3, 'alpha got more than its burst limit across the pool');
		await stop(laptop);
		await stop(desktop);
	});

	test('Redis killed mid-traffic: no client sees an error, the status says unreachable; back, the instances reconcile', async () => {
		const alpha = login('alpha', {utilization5h: 0.1});
		const bravo = login('bravo', {utilization5h: 0.6});
		const laptop = await start(machine([alpha, bravo]), 'laptop');
		const desktop = await start(machine([alpha, bravo]), 'desktop');
		await pool([laptop, desktop]);
		const outcomes: string[] = [];
		let traffic = true;
		const client = async (shunt: ShuntProcess) => {
			while (traffic) {
				try {
					const reply = await ask(shunt);
					outcomes.push(reply.status === 200 ? 'ok' : `${reply.status} ${reply.body.slice(0, 200)}`);
				} catch (error) {
					outcomes.push(`failed: ${(error as Error).message}`);
				}
			}
		};

		const clients = [client(laptop), client(laptop), client(desktop), client(desktop)];
		await waitFor(() => outcomes.length >= 20, 'traffic before the kill', 10_000);
		await redis.kill();
		await waitFor(async () => (await status(laptop)).team?.redis === 'unreachable' && (await status(desktop)).team?.redis === 'unreachable', 'both to report Redis unreachable');
		const during = outcomes.length;
		await waitFor(() => outcomes.length >= during + 20, 'traffic while Redis is down', 10_000);
		// Meanwhile alpha runs out, seen through the laptop only.
		sim.arm(alpha.accessToken, {
			type: 'quota_429', window: '5h', resetInSeconds: 3600, times: Number.POSITIVE_INFINITY,
		});
		await waitFor(async () => accountIn(await status(laptop), 'alpha').state === 'exhausted', 'alpha exhausted on the laptop', 10_000);
		const formatted = await runCli(['status', '--port', new URL(laptop.url).port], {});
		assert.match(formatted.stdout, /team: laptop \(this instance\) with desktop · 2 instances · redis unreachable \(serving on local state\)/);

		await redis.restart();
		await waitFor(async () => {
			const [one, two] = await Promise.all([status(laptop), status(desktop)]);
			return one.team?.redis === 'connected' && two.team?.redis === 'connected' && two.team.instances === 2 && accountIn(two, 'alpha').state === 'exhausted';
		}, 'both back, and the laptop\'s news on the desktop', 15_000);
		const after = outcomes.length;
		await waitFor(() => outcomes.length >= after + 20, 'traffic after Redis is back', 10_000);
		traffic = false;
		await Promise.all(clients);
		assert.deepEqual(outcomes.filter(outcome => outcome !== 'ok'), [], 'a client saw an error');
		const events = (await status(desktop)).events.map(event => event.message);
		assert.ok(events.some(message => message.includes('is unreachable')) && events.some(message => message.includes('is back; state reconciled')), events.join('\n'));
		sim.clearFaults(alpha.accessToken);
		await stop(laptop);
		await stop(desktop);
	});

	test('team mode without the pool key refuses to start, saying how to set one; without SHUNT_REDIS_URL the status has team null', async () => {
		const home = machine([login('solo')]);
		const refused = await runCli(['--headless', '--port', '0', '--upstream', sim.url], {SHUNT_HOME: home, SHUNT_REDIS_URL: redis.url});
		assert.notEqual(refused.code, 0);
		assert.match(refused.stderr, /team mode \(SHUNT_REDIS_URL\) needs the pool's encryption key: .*SHUNT_TEAM_KEY/);
		assert.ok(!refused.stderr.includes('    at '), 'a stack trace');
		const local = await startShunt(['--upstream', sim.url], {SHUNT_HOME: home});
		running.push(local);
		assert.equal((await status(local)).team, null);
		await stop(local);
	});

	test('a bad SHUNT_REDIS_URL is a one-line error; credentials in the URL appear nowhere, even when Redis refuses them', async () => {
		const home = machine([login('solo')]);
		for (const url of ['http://user:hunter2-in-url@127.0.0.1:6379', 'redis://user:hunter2-in-url@127.0.0.1:6379/zero', 'not a url hunter2-in-url']) {
			const refused = await runCli(['--headless', '--port', '0', '--upstream', sim.url], {SHUNT_HOME: home, SHUNT_REDIS_URL: url, SHUNT_TEAM_KEY: teamKey});
			assert.notEqual(refused.code, 0, url);
			const lines = refused.stderr.trim().split('\n');
			assert.equal(lines.length, 1, refused.stderr);
			assert.match(lines[0]!, /SHUNT_REDIS_URL/);
			assert.ok(!refused.stderr.includes('hunter2-in-url'), refused.stderr);
		}

		// This Redis knows no such user: the login is refused, the instance serves on local state and says so.
		const {port} = new URL(redis.url);
		const shunt = await start(home, 'laptop', {SHUNT_REDIS_URL: `redis://intruder:hunter2-in-url@127.0.0.1:${port}/0`});
		await waitFor(() => shunt.stderr().includes('serving on local state'), () => shunt.stderr());
		const reply = await ask(shunt);
		assert.equal(reply.status, 200, reply.body);
		const document = await status(shunt);
		assert.deepEqual([document.team?.instances, document.team?.redis], [1, 'unreachable']);
		const formatted = await runCli(['status', '--port', new URL(shunt.url).port], {});
		await stop(shunt);
		for (const text of [shunt.stderr(), JSON.stringify(document), formatted.stdout, formatted.stderr]) {
			assert.ok(!text.includes('hunter2-in-url'), text);
		}

		assert.match(shunt.stderr(), new RegExp(String.raw`redis://127\.0\.0\.1:${port}/0`), 'the URL is shown without its credentials');
	});
});
