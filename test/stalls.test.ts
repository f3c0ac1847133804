// covers: source/proxy/attempt.ts, source/proxy/deliver.ts, source/proxy/read-body.ts, source/util/idle-watch.ts, source/accounts/settings.ts
// Peers that stop talking: an upstream that goes silent mid-answer, a client that stops sending
// its body, an upstream that never answers any account. Every wait ends, and the client hears why.
import assert from 'node:assert/strict';
import net from 'node:net';
import {afterEach, test} from 'node:test';
import {defaultSettings} from '../source/accounts/settings.js';
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

async function setup(options: Partial<HarnessOptions> = {}, names = ['a'], simulatorOptions: ConstructorParameters<typeof Simulator>[0] = {}) {
	simulator = new Simulator(simulatorOptions);
	await simulator.listen();
	for (const name of names) {
		simulator.addAccount({kind: 'apikey', credential: `key-${name}`, name});
	}

	harness = await startHarness({upstream: simulator.url, accounts: names.map(name => ({name, kind: 'apikey' as const, secret: `key-${name}`})), ...options});
	return {simulator, harness};
}

const lastRecord = (h: Harness) => h.store.freshSnapshot().requests[0];

test('a stream that goes silent after message_start ends with an SSE error event and is recorded truncated', async () => {
	const {simulator, harness} = await setup({upstreamIdleTimeoutMs: 300});
	simulator.arm('key-a', {
		type: 'stall', afterDeltas: 0, ms: 60_000, silent: true,
	});
	const started = Date.now();
	const response = await harness.post(message({stream: true}));
	assert.equal(response.status, 200);
	const text = await response.text();
	assert.ok(Date.now() - started < 10_000, 'the client is not left waiting for the upstream');
	assert.match(text, /event: message_start/);
	assert.match(text, /event: error\ndata: \{"type":"error","error":\{"type":"timeout_error"/);
	const record = await waitFor(() => lastRecord(harness), 'the request record');
	assert.equal(record.outcome, 'truncated');
	assert.equal(harness.store.inFlightCount, 0);
});

test('pings keep a slow stream alive: only silence counts', async () => {
	const {simulator, harness} = await setup({upstreamIdleTimeoutMs: 400}, ['a'], {pingIntervalMs: 100});
	simulator.arm('key-a', {type: 'stall', afterDeltas: 1, ms: 1500});
	const response = await harness.post(message({stream: true}));
	const text = await response.text();
	assert.match(text, /event: message_stop/);
	assert.doesNotMatch(text, /event: error/);
	assert.equal((await waitFor(() => lastRecord(harness), 'the record')).outcome, 'complete');
});

test('a plain body that stops after 6 bytes is cut off, not left hanging, and recorded truncated', async () => {
	const {simulator, harness} = await setup({upstreamIdleTimeoutMs: 300});
	simulator.arm('key-a', {type: 'body_stall', afterBytes: 6, ms: 60_000});
	const started = Date.now();
	const response = await harness.post(message());
	assert.equal(response.status, 200);
	await assert.rejects(response.text(), 'the client sees a broken body, not a complete one');
	assert.ok(Date.now() - started < 10_000);
	const record = await waitFor(() => lastRecord(harness), 'the request record');
	assert.equal(record.outcome, 'truncated');
});

test('half-sent request bodies are cut off after the client idle timeout', async () => {
	const {simulator, harness} = await setup({clientIdleTimeoutMs: 300});
	const {port} = new URL(harness.url);
	const count = 200;
	const closed: Array<Promise<string>> = [];
	for (let index = 0; index < count; index++) {
		const socket = net.connect(Number(port), '127.0.0.1');
		let answer = '';
		socket.setEncoding('latin1');
		socket.on('data', chunk => {
			answer += chunk;
		});
		closed.push(new Promise(resolve => {
			socket.on('close', () => {
				resolve(answer);
			});
			socket.on('error', () => undefined);
		}));
		socket.write(`POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"model":`);
	}

	const answers = await Promise.race([
		Promise.all(closed),
		new Promise<never>((_resolve, reject) => {
			setTimeout(() => {
				reject(new Error('sockets still open after 20 s'));
			}, 20_000);
		}),
	]);
	assert.equal(answers.length, count);
	assert.ok(answers.every(answer => answer.startsWith('HTTP/1.1 408')), answers.find(answer => !answer.startsWith('HTTP/1.1 408')));
	assert.equal(simulator.requests.length, 0);
	await waitFor(() => harness.store.inFlightCount === 0, 'nothing left in flight');
});

test('no account answering: a streaming request is given up at its deadline, across failovers, with a 504', async () => {
	const {simulator, harness} = await setup({firstByteTimeoutMs: 400, requestDeadlineMs: 1000}, ['a', 'b', 'c', 'd']);
	for (const name of ['a', 'b', 'c', 'd']) {
		simulator.arm(`key-${name}`, {type: 'slow_first_byte', ms: 30_000});
	}

	const started = Date.now();
	const response = await harness.post(message({stream: true}));
	const elapsed = Date.now() - started;
	assert.equal(response.status, 504);
	const body = await response.json() as {error: {type: string}};
	assert.equal(body.error.type, 'timeout_error');
	assert.ok(elapsed < 5000, `answered after ${elapsed} ms`);
	// Three tries fit the deadline (400 + 400 + the 200 left); the fourth account is never tried.
	assert.ok(lastRecord(harness)!.attempts.length <= 3, JSON.stringify(lastRecord(harness)!.attempts));
});

test('a non-streaming request may wait its whole answer out: the first-byte timeout does not apply to it', async () => {
	const {simulator, harness} = await setup({firstByteTimeoutMs: 200, nonStreamingTimeoutMs: 5000});
	simulator.arm('key-a', {type: 'slow_first_byte', ms: 700});
	const response = await harness.post(message());
	assert.equal(response.status, 200);
	await response.arrayBuffer();
	assert.equal(lastRecord(harness)!.attempts.length, 0);
});

test('the default waits all end under Claude Code\'s 300 s stream watchdog', () => {
	assert.ok(defaultSettings.requestDeadlineSeconds < 300);
	assert.ok(defaultSettings.firstByteTimeoutSeconds < defaultSettings.requestDeadlineSeconds);
	assert.ok(defaultSettings.maxHoldSeconds < defaultSettings.requestDeadlineSeconds);
	assert.ok(defaultSettings.upstreamIdleTimeoutSeconds < 300);
});
