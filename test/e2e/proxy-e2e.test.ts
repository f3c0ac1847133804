// covers: source/cli.tsx, source/runtime/runtime.ts, source/commands/remote-commands.ts, source/proxy/
// End to end: the built CLI, headless, in front of our simulator, with three API-key accounts.
import assert from 'node:assert/strict';
import http from 'node:http';
import {mkdirSync, readFileSync, rmSync, statSync} from 'node:fs';
import {after, before, test} from 'node:test';
import {shuntPaths} from '../../source/accounts/paths.js';
import {addApiKeyAccount} from '../../source/commands/account-commands.js';
import {Simulator} from '../../source/simulator/index.js';
import type {StatusDocument} from '../../source/proxy/status-document.js';
import {runCli, startShunt, type ShuntProcess} from '../helpers/shunt-process.js';
import {tempDir} from '../helpers/temp-dir.js';
import {waitFor} from '../helpers/wait.js';

const keys = ['sim-key-alpha-000000000000', 'sim-key-bravo-000000000000', 'sim-key-charlie-00000000000'];
const names = ['alpha', 'bravo', 'charlie'];
const clientSecret = 'client-own-secret-must-not-leak';

let simulator: Simulator;
let shunt: ShuntProcess;
let home: string;

before(async () => {
	simulator = new Simulator({chunkDelayMs: 5});
	await simulator.listen();
	home = tempDir();
	const paths = shuntPaths({SHUNT_HOME: home});
	for (const [index, key] of keys.entries()) {
		simulator.addAccount({kind: 'apikey', credential: key, name: names[index]});
		// eslint-disable-next-line no-await-in-loop
		await addApiKeyAccount(paths, names[index], key);
	}

	shunt = await startShunt(['--upstream', simulator.url], {SHUNT_HOME: home});
});

after(async () => {
	await shunt?.stop('SIGKILL');
	await simulator?.close();
});

function messageBody(overrides: Record<string, unknown> = {}) {
	return {
		model: 'claude-sonnet-4-6',
		max_tokens: 64,
		system: 'You are a test.',
		messages: [{role: 'user', content: 'Say hello'}],
		...overrides,
	};
}

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
	return fetch(`${shunt.url}${path}`, {
		method: 'POST',
		headers: {'content-type': 'application/json', 'anthropic-version': '2023-06-01', ...headers},
		body: typeof body === 'string' ? body : JSON.stringify(body),
	});
}

async function status(): Promise<StatusDocument> {
	const response = await fetch(`${shunt.url}/_shunt/status`);
	return response.json() as Promise<StatusDocument>;
}

test('a plain request succeeds through shunt, names its account, and reports usage and savings', async () => {
	const response = await post('/v1/messages', messageBody(), {'x-claude-code-session-id': 'plain-1'});
	assert.equal(response.status, 200);
	const account = response.headers.get('x-shunt-account');
	assert.ok(account && names.includes(account), `x-shunt-account: ${account}`);
	assert.ok(response.headers.get('anthropic-ratelimit-requests-limit'), 'rate-limit headers reach the client');
	const body = await response.json() as {usage: {input_tokens: number; output_tokens: number}};
	assert.ok(body.usage.output_tokens > 0);
	const entry = await waitFor(async () => (await status()).recentRequests.find(request => request.account === account && request.stream === false), 'the request in /_shunt/status');
	assert.equal(entry.inputTokens, body.usage.input_tokens);
	assert.equal(entry.outputTokens, body.usage.output_tokens);
	assert.equal(entry.outcome, 'complete');
	assert.ok((await status()).savings.allTimeUsd > 0);
});

test('streaming passes SSE through and records cumulative usage once', async () => {
	const response = await post('/v1/messages', messageBody({stream: true}), {'x-claude-code-session-id': 'stream-1'});
	assert.equal(response.status, 200);
	assert.match(response.headers.get('content-type') ?? '', /text\/event-stream/);
	const text = await response.text();
	const events = [...text.matchAll(/^event: (\w+)$/gm)].map(match => match[1]);
	assert.equal(events[0], 'message_start');
	assert.ok(events.includes('ping'));
	assert.equal(events.at(-1), 'message_stop');
	const delta = JSON.parse(/event: message_delta\ndata: (.*)/.exec(text)![1]!) as {usage: {output_tokens: number}};
	const entry = await waitFor(async () => (await status()).recentRequests.find(request => request.stream), 'the streamed request in status');
	assert.equal(entry.outputTokens, delta.usage.output_tokens);
	assert.equal(entry.outcome, 'complete');
});

test('the upstream never sees the client\'s credentials, and the query string survives', async () => {
	const response = await post('/v1/messages?beta=true', messageBody(), {'x-api-key': clientSecret, authorization: `Bearer ${clientSecret}`, 'x-claude-code-session-id': 'cred-1', 'anthropic-beta': 'some-new-beta-2026-11-01'});
	assert.equal(response.status, 200);
	const seen = await simulator.waitFor(entry => entry.headers['x-claude-code-session-id'] === 'cred-1');
	assert.equal(seen.path, '/v1/messages?beta=true');
	assert.ok(keys.includes(seen.headers['x-api-key']!), 'an account key replaced the client key');
	assert.equal(seen.headers.authorization, undefined);
	assert.equal(seen.headers['anthropic-beta'], 'some-new-beta-2026-11-01', 'betas are forwarded verbatim');
	assert.ok(!JSON.stringify(seen.headers).includes(clientSecret));
	assert.notEqual(seen.headers.host, new URL(shunt.url).host, 'the client\'s Host is not forwarded');
});

test('different sessions spread across accounts while one session sticks to its account', async () => {
	const used = new Set<string>();
	for (let index = 0; index < 6; index++) {
		// eslint-disable-next-line no-await-in-loop
		const response = await post('/v1/messages', messageBody({messages: [{role: 'user', content: `session ${index} ${'x'.repeat(4000)}`}]}), {'x-claude-code-session-id': `spread-${index}`});
		used.add(response.headers.get('x-shunt-account')!);
		// eslint-disable-next-line no-await-in-loop
		await response.arrayBuffer();
	}

	assert.ok(used.size >= 2, `sessions used ${[...used].join(', ')}`);
	const sticky = new Set<string>();
	for (let index = 0; index < 5; index++) {
		// eslint-disable-next-line no-await-in-loop
		const response = await post('/v1/messages', messageBody(), {'x-claude-code-session-id': 'sticky-session'});
		sticky.add(response.headers.get('x-shunt-account')!);
		// eslint-disable-next-line no-await-in-loop
		await response.arrayBuffer();
	}

	assert.equal(sticky.size, 1, `one session stayed on one account: ${[...sticky].join(', ')}`);
});

test('a client that disconnects mid-stream makes the upstream request close at once', async () => {
	const slow = new Simulator({chunkDelayMs: 200});
	await slow.listen();
	slow.addAccount({kind: 'apikey', credential: keys[0]!, name: 'alpha'});
	const slowHome = tempDir();
	const paths = shuntPaths({SHUNT_HOME: slowHome});
	await addApiKeyAccount(paths, 'alpha', keys[0]!);
	const proxy = await startShunt(['--upstream', slow.url], {SHUNT_HOME: slowHome});
	try {
		const closed = new Promise<number>(resolve => {
			slow.once('client-closed', () => resolve(Date.now()));
		});
		const firstByte = await new Promise<{abortedAt: number}>((resolve, reject) => {
			const request = http.request(`${proxy.url}/v1/messages`, {method: 'POST', headers: {'content-type': 'application/json', 'anthropic-version': '2023-06-01'}}, response => {
				response.once('data', () => {
					const abortedAt = Date.now();
					request.destroy();
					resolve({abortedAt});
				});
			});
			request.on('error', error => {
				if ((error as NodeJS.ErrnoException).code !== 'ECONNRESET') {
					reject(error);
				}
			});
			request.end(JSON.stringify(messageBody({stream: true, max_tokens: 400, messages: [{role: 'user', content: 'long answer please'}]})));
		});
		const closedAt = await closed;
		assert.ok(closedAt - firstByte.abortedAt < 1000, `upstream closed ${closedAt - firstByte.abortedAt} ms after the client left`);
		const entry = slow.requests.find(request => request.stream);
		assert.equal(entry?.closedEarly, true);
		const recorded = await waitFor(async () => {
			const response = await fetch(`${proxy.url}/_shunt/status`);
			const document = await response.json() as StatusDocument;
			return document.recentRequests.find(request => request.outcome === 'client-cancelled');
		}, 'the cancelled request in status');
		assert.equal(recorded.account, 'alpha');
	} finally {
		await proxy.stop('SIGKILL');
		await slow.close();
	}
});

test('a body that is not JSON is still forwarded; the upstream decides', async () => {
	const response = await post('/v1/messages', 'this is not json', {'x-claude-code-session-id': 'nonjson'});
	assert.equal(response.status, 400);
	assert.ok(response.headers.get('x-shunt-account'));
	const body = await response.json() as {type: string; error: {type: string}};
	assert.equal(body.error.type, 'invalid_request_error');
});

test('a body over 32 MiB gets 413 request_too_large from shunt itself', async () => {
	const response = await post('/v1/messages', 'x'.repeat((32 * 1024 * 1024) + 1));
	assert.equal(response.status, 413);
	const body = await response.json() as {type: string; error: {type: string}};
	assert.deepEqual([body.type, body.error.type], ['error', 'request_too_large']);
});

test('control API: pin and strategy apply to the next request; bad input gets 400; browsers get 403', async () => {
	const env = {SHUNT_HOME: home, SHUNT_PORT: new URL(shunt.url).port};
	const pinned = await runCli(['pin', 'charlie'], env);
	assert.equal(pinned.code, 0, pinned.stderr);
	const response = await post('/v1/messages', messageBody(), {'x-claude-code-session-id': 'pinned-check'});
	assert.equal(response.headers.get('x-shunt-account'), 'charlie');
	await response.arrayBuffer();

	const unknown = await runCli(['pin', 'nobody'], env);
	assert.equal(unknown.code, 1);
	assert.match(unknown.stderr, /unknown account "nobody"/);
	assert.equal((await runCli(['pin', 'auto'], env)).code, 0);
	assert.equal((await status()).pinnedAccount, null);

	const strategy = await runCli(['strategy', 'carousel'], env);
	assert.equal(strategy.code, 0, strategy.stderr);
	assert.equal((await status()).strategy, 'carousel');
	const badStrategy = await runCli(['strategy', 'fastest'], env);
	assert.equal(badStrategy.code, 1);
	assert.match(badStrategy.stderr, /unknown strategy/);
	assert.equal((await runCli(['strategy', 'maximus'], env)).code, 0);

	const human = await runCli(['status'], env);
	assert.equal(human.code, 0);
	assert.match(human.stdout, /alpha/);
	const json = await runCli(['status', '--json'], env);
	assert.equal((JSON.parse(json.stdout) as StatusDocument).accounts.length, 3);
	assert.ok(!json.stdout.includes(keys[0]!), 'no secret in the status document');

	const health = await (await fetch(`${shunt.url}/_shunt/health`)).json() as {status: string; version: string};
	assert.equal(health.status, 'ok');
	assert.match(health.version, /^\d+\.\d+\.\d+/);

	const csrf = await fetch(`${shunt.url}/_shunt/pin`, {method: 'POST', headers: {origin: 'https://evil.example', 'content-type': 'application/json'}, body: '{"account":"alpha"}'});
	assert.equal(csrf.status, 403);
	assert.equal((await status()).pinnedAccount, null);

	for (const [path, body] of [['alerts', '{"muted":"yes"}'], ['effort', '{"effort":"extreme"}'], ['burst-limit', '{"limit":-1}'], ['model', 'nope']] as const) {
		// eslint-disable-next-line no-await-in-loop
		const bad = await fetch(`${shunt.url}/_shunt/${path}`, {method: 'POST', body});
		assert.equal(bad.status, 400, path);
	}

	const muted = await (await fetch(`${shunt.url}/_shunt/alerts`, {method: 'POST', body: '{"muted":true}'})).json() as {alertsMuted: boolean};
	assert.equal(muted.alertsMuted, true);
	const burst = await (await fetch(`${shunt.url}/_shunt/burst-limit`, {method: 'POST', body: '{"limit":0}'})).json() as {burstRpmLimit: number};
	assert.equal(burst.burstRpmLimit, 0);
	assert.equal((await status()).burstRpmLimit, 0);
	await fetch(`${shunt.url}/_shunt/burst-limit`, {method: 'POST', body: '{"limit":null}'});
	assert.equal((await status()).burstRpmLimit, 10);
});

test('model and effort overrides rewrite only their fields on the very next request', async () => {
	await fetch(`${shunt.url}/_shunt/model`, {method: 'POST', body: '{"model":"claude-opus-4-8"}'});
	await fetch(`${shunt.url}/_shunt/effort`, {method: 'POST', body: '{"effort":"low"}'});
	try {
		const response = await post('/v1/messages', messageBody({system: [{type: 'text', text: 'keep me exactly'}]}), {'x-claude-code-session-id': 'override-1'});
		assert.equal(response.status, 200);
		await response.arrayBuffer();
		const seen = await simulator.waitFor(entry => entry.headers['x-claude-code-session-id'] === 'override-1');
		const body = seen.body as {model: string; output_config: {effort: string}; system: unknown};
		assert.equal(body.model, 'claude-opus-4-8');
		assert.equal(body.output_config.effort, 'low');
		assert.deepEqual(body.system, [{type: 'text', text: 'keep me exactly'}]);
	} finally {
		await fetch(`${shunt.url}/_shunt/model`, {method: 'POST', body: '{"model":null}'});
		await fetch(`${shunt.url}/_shunt/effort`, {method: 'POST', body: '{"effort":null}'});
	}
});

test('SIGTERM lets shunt finish, flush state.json (0600) and exit 0', async () => {
	const flushHome = tempDir();
	const paths = shuntPaths({SHUNT_HOME: flushHome});
	await addApiKeyAccount(paths, 'alpha', keys[0]!);
	const proxy = await startShunt(['--upstream', simulator.url], {SHUNT_HOME: flushHome});
	const response = await fetch(`${proxy.url}/v1/messages`, {method: 'POST', headers: {'content-type': 'application/json', 'anthropic-version': '2023-06-01'}, body: JSON.stringify(messageBody())});
	assert.equal(response.status, 200);
	await response.arrayBuffer();
	const code = await proxy.stop('SIGTERM');
	assert.equal(code, 0, proxy.stderr());
	const state = JSON.parse(readFileSync(paths.stateFile, 'utf8')) as {savingsAllTime: {inputTokens: number}; lastUsedAccount: string};
	assert.ok(state.savingsAllTime.inputTokens > 0);
	assert.equal(state.lastUsedAccount, 'alpha');
	assert.equal(statSync(paths.stateFile).mode & 0o777, 0o600);
	assert.match(proxy.stderr(), /alpha\s+sonnet-4-6\s+200/, 'headless mode logs one line per request');
	assert.equal(proxy.stderr().trimEnd().split('\n').at(-1), `shunt stopped; state saved to ${paths.stateFile}`);
});

test('state that cannot be saved at exit is said so, with a non-zero exit', async () => {
	const home = tempDir();
	const paths = shuntPaths({SHUNT_HOME: home});
	await addApiKeyAccount(paths, 'alpha', keys[0]!);
	const proxy = await startShunt(['--upstream', simulator.url], {SHUNT_HOME: home});
	// A directory where state.json goes: the final atomic rename cannot replace it.
	rmSync(paths.stateFile, {force: true});
	mkdirSync(paths.stateFile);
	const code = await proxy.stop('SIGTERM');
	assert.equal(code, 1, proxy.stderr());
	const lastLine = proxy.stderr().trimEnd().split('\n').at(-1)!;
	assert.match(lastLine, new RegExp(`^shunt stopped; state could not be saved to ${paths.stateFile.replaceAll(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
	assert.doesNotMatch(proxy.stderr(), /\n\s+at /, 'no stack trace');
});

test('without accounts shunt explains what to do and exits non-zero', async () => {
	const result = await runCli(['--headless'], {SHUNT_HOME: tempDir()});
	assert.notEqual(result.code, 0);
	assert.match(result.stderr, /No accounts configured/);
	assert.match(result.stderr, /add-account/);
	assert.match(result.stderr, /--demo/);
});

test('a non-loopback --host without SHUNT_CLIENT_KEY refuses to start; with the key, requests must carry it', async () => {
	const keyHome = tempDir();
	await addApiKeyAccount(shuntPaths({SHUNT_HOME: keyHome}), 'alpha', keys[0]!);
	const refused = await runCli(['--headless', '--host', '0.0.0.0', '--port', '0', '--upstream', simulator.url], {SHUNT_HOME: keyHome, SHUNT_CLIENT_KEY: ''});
	assert.equal(refused.code, 1);
	assert.match(refused.stderr, /SHUNT_CLIENT_KEY/);

	const guarded = await startShunt(['--upstream', simulator.url], {SHUNT_HOME: keyHome, SHUNT_CLIENT_KEY: 'proxy-key-123'});
	try {
		const denied = await fetch(`${guarded.url}/v1/messages`, {method: 'POST', body: JSON.stringify(messageBody())});
		assert.equal(denied.status, 401);
		const allowed = await fetch(`${guarded.url}/v1/messages`, {method: 'POST', headers: {'x-api-key': 'proxy-key-123', 'content-type': 'application/json', 'anthropic-version': '2023-06-01'}, body: JSON.stringify(messageBody())});
		assert.equal(allowed.status, 200);
		await allowed.arrayBuffer();
		const seen = simulator.requests.at(-1)!;
		assert.equal(seen.headers['x-api-key'], keys[0], 'the proxy key is not forwarded; the account key is');
	} finally {
		await guarded.stop('SIGKILL');
	}
});

test('--help answers with usage; a bad flag is an error', async () => {
	const help = await runCli(['--help'], {});
	assert.equal(help.code, 0);
	assert.match(help.stdout, /shunt add-account <name> --api-key/);
	const bad = await runCli(['--bogus'], {});
	assert.notEqual(bad.code, 0);
	const version = await runCli(['--version'], {});
	assert.match(version.stdout.trim(), /^\d+\.\d+\.\d+$/);
	const unknown = await runCli(['frobnicate'], {});
	assert.equal(unknown.code, 2);
	assert.match(unknown.stderr, /unknown command "frobnicate"/);
	const badPort = await runCli(['status', '--port', '99999'], {});
	assert.notEqual(badPort.code, 0);
	assert.match(badPort.stderr, /invalid --port "99999"/);
});

test('SIGHUP (the terminal or tmux pane closed) also saves state and exits 0', async () => {
	const hupHome = tempDir();
	const paths = shuntPaths({SHUNT_HOME: hupHome});
	await addApiKeyAccount(paths, 'alpha', keys[0]!);
	const proxy = await startShunt(['--upstream', simulator.url, '--strategy', 'cushion'], {SHUNT_HOME: hupHome});
	const started = await (await fetch(`${proxy.url}/_shunt/status`)).json() as StatusDocument;
	assert.equal(started.strategy, 'cushion', '--strategy sets the starting strategy');
	const pinned = await fetch(`${proxy.url}/_shunt/pin`, {method: 'POST', body: '{"account":"alpha"}'});
	assert.equal(pinned.status, 200);
	const code = await proxy.stop('SIGHUP');
	assert.equal(code, 0, proxy.stderr());
	const state = JSON.parse(readFileSync(paths.stateFile, 'utf8')) as {pinnedAccount: string};
	assert.equal(state.pinnedAccount, 'alpha');
});
