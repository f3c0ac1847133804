// covers: source/util/time-horizon.ts, source/anthropic/rate-limit-headers.ts, source/state/validate-state.ts, source/accounts/oauth/token-client.ts
// Absurd times from outside (an upstream header, a hand-edited state.json) must never take the
// proxy down: they are dropped or clamped where they enter, and never reach a date formatter.
import assert from 'node:assert/strict';
import {readFileSync, writeFileSync} from 'node:fs';
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import path from 'node:path';
import {afterEach, test} from 'node:test';
import {TokenClient} from '../source/accounts/oauth/token-client.js';
import {Simulator} from '../source/simulator/index.js';
import type {StatusDocument} from '../source/proxy/status-document.js';
import {maxHorizonMs} from '../source/util/time-horizon.js';
import {message, startHarness, type Harness} from './helpers/proxy-harness.js';
import {tempDir} from './helpers/temp-dir.js';

let simulator: Simulator | undefined;
let harness: Harness | undefined;

afterEach(async () => {
	await harness?.close();
	await simulator?.close();
	harness = undefined;
	simulator = undefined;
});

const accounts = [
	{name: 'a', kind: 'oauth' as const, secret: 'token-a'},
	{name: 'b', kind: 'oauth' as const, secret: 'token-b'},
];

async function startSimulator(): Promise<Simulator> {
	simulator = new Simulator();
	await simulator.listen();
	simulator.addAccount({
		kind: 'oauth', credential: 'token-a', name: 'a', utilization5h: 0.1,
	});
	simulator.addAccount({
		kind: 'oauth', credential: 'token-b', name: 'b', utilization5h: 0.3,
	});
	return simulator;
}

async function status(h: Harness): Promise<{code: number; document: StatusDocument}> {
	const response = await fetch(`${h.url}/_shunt/status`);
	return {code: response.status, document: await response.json() as StatusDocument};
}

async function served(h: Harness, session: string): Promise<string | null> {
	const response = await h.post(message(), {'x-claude-code-session-id': session});
	assert.equal(response.status, 200, `request ${session}: ${await response.clone().text()}`);
	await response.arrayBuffer();
	return response.headers.get('x-shunt-account');
}

test('a 429 with an absurd 5h reset is not an outage: the other account serves, status answers, a restart works', async () => {
	const sim = await startSimulator();
	const stateFile = path.join(tempDir(), 'state.json');
	harness = await startHarness({upstream: sim.url, accounts, stateFile});
	harness.store.pin('a');
	sim.arm('token-a', {
		type: 'quota_429',
		resetInSeconds: 600,
		headers: {
			'anthropic-ratelimit-unified-5h-reset': '99999999999999999999',
			'anthropic-ratelimit-unified-reset': '99999999999999999999',
			'anthropic-ratelimit-unified-5h-utilization': '1e300',
			'retry-after': '99999999999999999999',
		},
	});
	assert.equal(await served(harness, 'hostile-1'), 'b');
	for (let index = 0; index < 3; index++) {
		assert.equal(await served(harness, `after-${index}`), 'b');
	}

	const {code, document} = await status(harness);
	assert.equal(code, 200);
	const a = document.accounts.find(account => account.name === 'a')!;
	const now = Date.now();
	assert.ok(a.cooldownUntilMs <= now + maxHorizonMs, `cooldown ${a.cooldownUntilMs} is within the horizon`);
	assert.ok(a.reset5h === null || (a.reset5h * 1000) <= now + maxHorizonMs, `reset5h ${a.reset5h}`);
	assert.ok(a.utilization5h === null || a.utilization5h <= 100, `utilization ${a.utilization5h}`);

	await harness.close();
	harness = undefined;
	const saved = readFileSync(stateFile, 'utf8');
	assert.doesNotMatch(saved, /e\+|99999999999999/, 'nothing absurd was saved');
	harness = await startHarness({upstream: sim.url, accounts, stateFile});
	assert.equal(harness.store.loadWarning, undefined);
	assert.equal(await served(harness, 'restarted'), 'b');
	assert.equal((await status(harness)).code, 200);
});

test('when every account answers with an absurd reset, the client gets an honest 429 with a sane retry-after, not a 500', async () => {
	const sim = await startSimulator();
	harness = await startHarness({upstream: sim.url, accounts, maxHoldMs: 200});
	for (const token of ['token-a', 'token-b']) {
		sim.arm(token, {type: 'quota_429', times: 2, headers: {'anthropic-ratelimit-unified-5h-reset': '99999999999999999999', 'retry-after': '1e300'}});
	}

	for (let index = 0; index < 2; index++) {
		const response = await harness.post(message(), {'x-claude-code-session-id': `spent-${index}`});

		const text = await response.text();
		assert.equal(response.status, 429, text);
		const retryAfter = Number(response.headers.get('retry-after'));
		assert.ok(Number.isFinite(retryAfter) && retryAfter >= 0 && retryAfter * 1000 <= maxHorizonMs, `retry-after ${retryAfter}`);
	}

	assert.equal((await status(harness)).code, 200);
});

test('a state.json with absurd numbers loads, drops them with a warning naming the file, and the proxy serves', async () => {
	const sim = await startSimulator();
	const stateFile = path.join(tempDir(), 'state.json');
	writeFileSync(stateFile, JSON.stringify({
		format: 1,
		accounts: {
			a: {
				cooldownUntilMs: 1e20, lastCooldownEndMs: -1e300, paused: false, authFailed: false, unhealthy: false, excludedModels: [{model: 'claude-sonnet-4-6', untilMs: 1e20}],
			},
			b: {
				cooldownUntilMs: 0, lastCooldownEndMs: 0, paused: false, authFailed: false, unhealthy: false, excludedModels: [],
			},
		},
		telemetry: {
			a: {updatedMs: Date.now(), fiveHour: {utilization: 0.2, reset: 1e17, status: 'allowed'}, requests: {limit: 1e300, remaining: 5, resetMs: 8.64e15}},
		},
		window: {a: {startMs: 1e20, tokens: 5}},
		pinnedAccount: null,
		lastUsedAccount: 'a',
		savingsDaily: {},
		savingsAllTime: {
			inputTokens: 1, outputTokens: 2, cacheReadTokens: 0, cacheWriteTokens: 0, usd: 'INFINITY',
		},
	}).replace('"INFINITY"', '1e400'));
	harness = await startHarness({upstream: sim.url, accounts, stateFile});
	const warning = harness.store.loadWarning ?? '';
	assert.ok(warning.includes(stateFile), `warning names the file: ${warning}`);
	assert.match(warning, /accounts\.a\.cooldownUntilMs/);
	assert.match(warning, /telemetry\.a\.fiveHour\.reset/);
	assert.equal(harness.store.cooldownUntil('a'), 0, 'the absurd cooldown is gone');
	assert.deepEqual(harness.store.routingSnapshot().accounts[0]!.excludedModels, []);
	assert.equal(harness.store.telemetry('a')?.fiveHour?.utilization, 0.2, 'the good parts of the entry survive');
	assert.equal(harness.store.telemetry('a')?.fiveHour?.reset, undefined);
	harness.store.pin('a');
	assert.equal(await served(harness, 'loaded'), 'a');
	const {code, document} = await status(harness);
	assert.equal(code, 200);
	assert.equal(document.accounts[0]!.state, 'available');
});

test('an absurd expires_in from the token endpoint cannot make an access token last forever (or become null in credentials.json)', async () => {
	const lifetimes = ['1e400', '1e300', '99999999999999999999', '28800'];
	let next = 0;
	const server = http.createServer((_request, response) => {
		response.writeHead(200, {'content-type': 'application/json'});
		response.end(`{"access_token":"sk-ant-oat01-test","refresh_token":"sk-ant-ort01-test","expires_in":${lifetimes[next++]}}`);
	});
	await new Promise<void>(resolve => {
		server.listen(0, '127.0.0.1', resolve);
	});
	try {
		const {port} = server.address() as AddressInfo;
		const client = new TokenClient({url: `http://127.0.0.1:${port}/v1/oauth/token`});
		for (const lifetime of lifetimes.slice(0, 3)) {
			const before = Date.now();

			const {expiresAt} = await client.refresh('sk-ant-ort01-old');
			assert.ok(Number.isFinite(expiresAt) && expiresAt <= Date.now() + maxHorizonMs, `expires_in ${lifetime} → expiresAt ${expiresAt}`);
			assert.ok(expiresAt > before, 'still a usable token for a while');
			assert.equal(typeof JSON.parse(JSON.stringify({expiresAt})).expiresAt, 'number');
		}

		const sane = await client.refresh('sk-ant-ort01-old');
		assert.ok(Math.abs(sane.expiresAt - (Date.now() + 28_800_000)) < 5000, 'a real lifetime is kept');
	} finally {
		server.close();
	}
});
