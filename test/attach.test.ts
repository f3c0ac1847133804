// covers: source/proxy/snapshot-stream.ts, source/proxy/control-api.ts, source/runtime/attach/attached-store.ts, source/runtime/attach/event-reader.ts, source/monitor/snapshot-check.ts
// An attached monitor (`shunt monitor`) reads a running shunt's snapshots from GET /_shunt/stream
// and sends its actions to the control API. The stream must cost nothing while nobody listens and
// no more than the in-process monitor when someone does (at most two snapshots a second, built
// once for every client); the client must survive whatever answers on the port.
import {Buffer} from 'node:buffer';
import assert from 'node:assert/strict';
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import path from 'node:path';
import {afterEach, test} from 'node:test';
import {actionNames, type StoreSnapshot} from '../source/monitor/contract.js';
import {asStoreSnapshot} from '../source/monitor/snapshot-check.js';
import {snapshotStreams} from '../source/proxy/snapshot-stream.js';
import {attachToShunt, type AttachedStore} from '../source/runtime/attach/attached-store.js';
import {EventReader, EventTooLarge} from '../source/runtime/attach/event-reader.js';
import {Simulator} from '../source/simulator/index.js';
import {message, startHarness, type Harness} from './helpers/proxy-harness.js';
import {tempDir} from './helpers/temp-dir.js';
import {waitFor} from './helpers/wait.js';

let simulator: Simulator | undefined;
let harness: Harness | undefined;
const servers: http.Server[] = [];
const attached: AttachedStore[] = [];
const requests: http.ClientRequest[] = [];

afterEach(async () => {
	for (const store of attached.splice(0)) {
		store.close();
	}

	for (const request of requests.splice(0)) {
		request.destroy();
	}

	await harness?.close();
	await simulator?.close();
	for (const server of servers.splice(0)) {
		server.closeAllConnections();
		await new Promise(resolve => {
			server.close(resolve);
		});
	}

	harness = undefined;
	simulator = undefined;
});

async function setup() {
	simulator = new Simulator();
	await simulator.listen(0);
	const accounts = ['north', 'south'].map(name => {
		simulator!.addAccount({kind: 'apikey', credential: `sk-ant-api03-${name}-key`, name});
		return {name, kind: 'apikey' as const, secret: `sk-ant-api03-${name}-key`};
	});
	harness = await startHarness({upstream: simulator.url, accounts});
	return harness;
}

type Frame = {name: string; data: string; atMs: number};

/** Opens a stream with raw node:http and collects its events. */
async function openStream(url: string, headers: http.OutgoingHttpHeaders = {}): Promise<{status: number; frames: Frame[]; response: http.IncomingMessage; request: http.ClientRequest}> {
	const {port} = new URL(url);
	return new Promise((resolve, reject) => {
		const request = http.get({
			host: '127.0.0.1', port, path: '/_shunt/stream', headers, agent: false,
		}, response => {
			const frames: Frame[] = [];
			const reader = new EventReader((name, data) => {
				frames.push({name, data, atMs: Date.now()});
			}, 64 * 1024 * 1024);
			response.on('data', (chunk: Buffer) => {
				reader.push(chunk);
			});
			resolve({
				status: response.statusCode ?? 0, frames, response, request,
			});
		});
		requests.push(request);
		request.on('error', reject);
	});
}

async function send(h: Harness, count: number): Promise<void> {
	await Promise.all(Array.from({length: count}, async (_, index) => {
		const response = await h.post(message(), {'x-claude-code-session-id': `s-${index}`});
		await response.arrayBuffer();
	}));
}

test('the stream sends a snapshot at connect, then at most one per 500 ms while requests flow; nothing is built while no monitor is attached', async () => {
	const h = await setup();
	// Count what the streams ask of the store: subscriptions and snapshots.
	let subscribed = 0;
	let snapshots = 0;
	const {subscribe, getSnapshot} = h.store;
	h.store.subscribe = listener => {
		subscribed++;
		const unsubscribe = subscribe(listener);
		return () => {
			subscribed--;
			unsubscribe();
		};
	};

	h.store.getSnapshot = () => {
		snapshots++;
		return getSnapshot();
	};

	await send(h, 10);
	assert.equal(subscribed, 0, 'no monitor attached: the store is not even subscribed');
	assert.equal(snapshots, 0, 'no monitor attached: no snapshot is built');

	const stream = await openStream(h.url);
	assert.equal(stream.status, 200);
	assert.match(String(stream.response.headers['content-type']), /^text\/event-stream/);
	await waitFor(() => stream.frames.length > 0, 'the snapshot at connect');
	const first = JSON.parse(stream.frames[0]!.data) as {protocol: number; seq: number; snapshot: StoreSnapshot};
	assert.equal(first.protocol, 1);
	assert.ok(asStoreSnapshot(first.snapshot), 'a real snapshot passes the client\'s check');
	assert.equal(first.snapshot.requests.length, 10);
	assert.equal(subscribed, 1);

	// Traffic for about two seconds: the store notifies every 10 ms here, the stream batches.
	const until = Date.now() + 2000;
	while (Date.now() < until) {
		await send(h, 4);
	}

	await waitFor(() => JSON.parse(stream.frames.at(-1)!.data).snapshot.requests.length >= 50, 'the last requests in a snapshot', 3000);
	const snapshotsFrames = stream.frames.filter(frame => frame.name === 'snapshot');
	assert.ok(snapshotsFrames.length >= 3, `snapshots kept coming (${snapshotsFrames.length})`);
	assert.ok(snapshotsFrames.length <= 7, `at most two a second (${snapshotsFrames.length} in about 2.5 s)`);
	for (let index = 2; index < snapshotsFrames.length; index++) {
		const gap = snapshotsFrames[index]!.atMs - snapshotsFrames[index - 1]!.atMs;
		// The timer may fire a little early relative to when the previous one was received.
		assert.ok(gap >= 400, `snapshots ${gap} ms apart`);
	}

	const seqs = snapshotsFrames.map(frame => (JSON.parse(frame.data) as {seq: number}).seq);
	assert.deepEqual(seqs, [...seqs].toSorted((a, b) => a - b), 'seq grows');

	stream.request.destroy();
	await waitFor(() => subscribed === 0, 'the last monitor leaving unsubscribes the stream');
	const before = snapshots;
	await send(h, 5);
	await new Promise(resolve => {
		setTimeout(resolve, 700);
	});
	assert.equal(snapshots, before, 'nobody attached: no more snapshots are built');
});

test('several monitors attach at once and get the same bytes, built once', async () => {
	const h = await setup();
	let snapshots = 0;
	const {getSnapshot} = h.store;
	h.store.getSnapshot = () => {
		snapshots++;
		return getSnapshot();
	};

	const [one, two, three] = await Promise.all([openStream(h.url), openStream(h.url), openStream(h.url)]);
	await send(h, 3);
	await waitFor(() => [one, two, three].every(stream => stream.frames.some(frame => JSON.parse(frame.data).snapshot.requests.length === 3)), 'all three see the three requests');
	const last = (stream: typeof one) => stream.frames.find(frame => JSON.parse(frame.data).snapshot.requests.length === 3)!.data;
	assert.equal(last(one), last(two));
	assert.equal(last(two), last(three));
	// One snapshot per broadcast for all three (plus one at each connect at most).
	assert.ok(snapshots <= 6, `${snapshots} snapshots built for three monitors`);
});

test('the stream is behind the same guard as the rest of the control API, and answers GET only', async () => {
	const h = await setup();
	const fromPage = await openStream(h.url, {origin: 'https://evil.example'});
	assert.equal(fromPage.status, 403);
	const rebound = await openStream(h.url, {host: 'evil.example:80'});
	assert.equal(rebound.status, 403);
	const crossSite = await openStream(h.url, {'sec-fetch-site': 'cross-site'});
	assert.equal(crossSite.status, 403);
	const post = await fetch(`${h.url}/_shunt/stream`, {method: 'POST'});
	assert.equal(post.status, 405);
	await post.arrayBuffer();
});

test('every control endpoint answers GET with its current value, the same shape a POST answers', async () => {
	const h = await setup();
	const get = async (path: string) => (await fetch(`${h.url}/_shunt/${path}`)).json() as Promise<Record<string, unknown>>;
	const post = async (path: string, body: unknown) => (await fetch(`${h.url}/_shunt/${path}`, {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify(body)})).json() as Promise<Record<string, unknown>>;
	const cases: Array<[string, unknown, Record<string, unknown>, Record<string, unknown>]> = [
		['pin', {account: 'south'}, {pinnedAccount: null}, {pinnedAccount: 'south'}],
		['strategy', {strategy: 'carousel'}, {strategy: 'maximus', overridden: false}, {strategy: 'carousel', overridden: true}],
		['alerts', {muted: true}, {alertsMuted: false}, {alertsMuted: true}],
		['model', {model: 'claude-haiku-4-5'}, {modelOverride: null}, {modelOverride: 'claude-haiku-4-5'}],
		['effort', {effort: 'high'}, {effortOverride: null}, {effortOverride: 'high'}],
		['burst-limit', {limit: 0}, {burstRpmLimit: 10, overridden: false}, {burstRpmLimit: 0, overridden: true}],
		['fallback', {model: 'off'}, {fallbackModel: null}, {fallbackModel: 'off'}],
		['pause', {account: 'north', paused: true}, {pausedAccounts: []}, {pausedAccounts: ['north']}],
	];
	for (const [path, body, before, after] of cases) {
		assert.deepEqual(await get(path), before, `GET ${path} before`);

		await post(path, body);

		assert.deepEqual(await get(path), after, `GET ${path} after`);
	}

	const put = await fetch(`${h.url}/_shunt/pin`, {method: 'PUT'});
	assert.equal(put.status, 405);
	assert.equal(put.headers.get('allow'), 'GET, POST');
	await put.arrayBuffer();
});

test('a monitor that stops reading holds at most one frame, not a pile of them, and is dropped when it stays stuck', async () => {
	// A snapshot of about 100 kB that changes all the time.
	let counter = 0;
	const listeners = new Set<() => void>();
	const big = 'x'.repeat(100_000);
	const source = {
		subscribe(listener: () => void) {
			listeners.add(listener);
			return () => listeners.delete(listener);
		},
		getSnapshot: () => ({n: counter, big, requests: []}) as unknown as StoreSnapshot,
	};
	const ticker = setInterval(() => {
		counter++;
		for (const listener of listeners) {
			listener();
		}
	}, 5);
	try {
		const streams = snapshotStreams(source, {everyMs: 10, heartbeatMs: 50, stuckMs: 1000});
		// What this process holds for the client: the response's own unsent bytes after each write.
		let writes = 0;
		let maxBacklog = 0;
		const server = http.createServer((request, response) => {
			const write = response.write.bind(response) as (chunk: string) => boolean;
			response.write = ((chunk: string) => {
				const result = write(chunk);
				writes++;
				maxBacklog = Math.max(maxBacklog, response.writableLength);
				return result;
			}) as typeof response.write;
			streams.attach(request, response);
		});
		servers.push(server);
		await new Promise<void>(resolve => {
			server.listen(0, '127.0.0.1', resolve);
		});
		const {port} = server.address() as AddressInfo;
		const request = http.get({
			host: '127.0.0.1', port, path: '/', agent: false,
		});
		requests.push(request);
		const response = await new Promise<http.IncomingMessage>(resolve => {
			request.once('response', resolve);
		});
		// Not read for a second and more: a hundred frames are offered meanwhile (10 MB).
		response.pause();
		await waitFor(() => streams.clients === 0, 'the stuck monitor to be dropped', 10_000);
		// The kernel's socket buffers take some frames; once they are full, at most one more waits here.
		assert.ok(maxBacklog <= 250_000, `${maxBacklog} bytes were held for a monitor that read nothing`);
		assert.ok(writes < 100, `${writes} frames written for a monitor that read nothing`);
	} finally {
		clearInterval(ticker);
	}
});

test('the attached store draws the instance\'s snapshots and every one of its actions changes the instance', async () => {
	const h = await setup();
	const port = Number(new URL(h.url).port);
	const store = attachToShunt({target: {host: '127.0.0.1', port}});
	attached.push(store);
	await waitFor(() => store.getConnection().status === 'connected', 'connected');
	assert.deepEqual(store.monitor.getSnapshot().accounts.map(account => account.name), ['north', 'south']);

	let notified = 0;
	store.monitor.subscribe(() => {
		notified++;
	});
	await send(h, 2);
	await waitFor(() => store.monitor.getSnapshot().requests.length === 2, 'the requests reach the attached store');
	assert.ok(notified >= 1);

	const {monitor} = store;
	monitor.pin('south');
	monitor.setStrategy('reaper');
	monitor.setAlertsMuted(true);
	monitor.setModelOverride('claude-haiku-4-5');
	monitor.setEffortOverride('low');
	monitor.setBurstRpmLimit(5);
	monitor.setPaused('north', true);
	// The history pane's window goes to the instance too (this one keeps no history: see below).
	monitor.setHistoryWindow('6h');
	// Every action the monitor has is one of the calls above.
	assert.equal(actionNames.length, 8);
	await waitFor(() => h.store.pinnedAccount === 'south' && h.store.overrides.strategy === 'reaper' && h.store.overrides.alertsMuted
		&& h.store.overrides.model === 'claude-haiku-4-5' && h.store.overrides.effort === 'low' && h.store.overrides.burstRpmLimit === 5 && h.store.isPaused('north'), 'every action applied to the instance');
	await waitFor(() => {
		const snapshot = monitor.getSnapshot();
		return snapshot.pinnedAccount === 'south' && snapshot.overrides.alertsMuted && snapshot.accounts[0]!.state === 'paused';
	}, 'the next snapshot shows them');
});

test('an attached monitor chooses the history pane\'s window on the instance, at connect (1h) and with its keys; the endpoint answers GET too', async () => {
	simulator = new Simulator();
	await simulator.listen(0);
	simulator.addAccount({kind: 'apikey', credential: 'sk-ant-api03-north-key', name: 'north'});
	harness = await startHarness({upstream: simulator.url, accounts: [{name: 'north', kind: 'apikey', secret: 'sk-ant-api03-north-key'}], historyFile: path.join(tempDir(), 'history.db')});
	const h = harness;
	assert.equal(h.store.freshSnapshot().history, undefined, 'a headless instance reads nothing for a pane nobody draws');
	const store = attachToShunt({target: {host: '127.0.0.1', port: Number(new URL(h.url).port)}});
	attached.push(store);
	await waitFor(() => store.getConnection().status === 'connected', 'connected');
	await waitFor(() => store.monitor.getSnapshot().history?.window === '1h', 'the pane\'s data for 1h, as the in-process monitor starts with', 10_000);
	store.monitor.setHistoryWindow('24h');
	await waitFor(() => store.monitor.getSnapshot().history?.window === '24h', 'the window the key chose', 10_000);
	assert.deepEqual(await (await fetch(`${h.url}/_shunt/history-window`)).json(), {historyWindow: '24h'});
	const refused = await fetch(`${h.url}/_shunt/history-window`, {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify({window: '2y'})});
	assert.equal(refused.status, 400);
	await refused.arrayBuffer();
});

test('a snapshot with the history pane\'s data, an account\'s scoped windows and the team view passes the check when it is shunt\'s, and not when it is out of shape or bounds', async () => {
	const h = await setup();
	const snapshot = h.store.getSnapshot();
	const burn = {perHour: 0.2, spentInMs: 3_600_000, resetsInMs: null};
	const history = {
		window: '1h', bucketMs: 60_000, computedMs: snapshot.nowMs,
		buckets: [{startMs: snapshot.nowMs - 60_000, perAccount: {north: 1200}}, {startMs: snapshot.nowMs, perAccount: {}}],
		sparklines: {north: [null, 0.4], south: [null, null]},
		burn: {accounts: {north: {...burn, sevenDay: burn}}, pool: {...burn, sevenDay: {...burn, perHour: null}}},
	};
	// As the stream carries it: through JSON.
	const carried = (value: unknown) => asStoreSnapshot(JSON.parse(JSON.stringify(value)));
	assert.ok(carried({...snapshot, history}), 'the history view passes');
	assert.ok(carried(snapshot), 'and so does a snapshot without one');
	for (const [name, broken] of [
		['a window that is not one', {...history, window: '2y'}],
		['a count that is text', {...history, buckets: [{startMs: 1, perAccount: {north: 'lots'}}]}],
		['too many buckets', {...history, buckets: Array.from({length: 2001}, (_, index) => ({startMs: index, perAccount: {}}))}],
		['too many accounts', {...history, sparklines: Object.fromEntries(Array.from({length: 1001}, (_, index) => [`a${index}`, []]))}],
		['a burn rate without its 7-day half', {...history, burn: {accounts: {}, pool: burn}}],
	] as const) {
		assert.equal(carried({...snapshot, history: broken}), undefined, name);
	}

	const scoped = {
		window: '7d_opus', label: 'weekly opus', utilization: 0.93, reset: Math.round(snapshot.nowMs / 1000) + 3600, status: 'allowed_warning', spent: false,
	};
	const withAccount = (fields: Record<string, unknown>) => ({...snapshot, accounts: [{...snapshot.accounts[0]!, ...fields}, ...snapshot.accounts.slice(1)]});
	assert.ok(carried(withAccount({cacheHitRate: 0.62, scopedWindows: [scoped]})), 'scoped windows and a cache hit rate pass');
	assert.equal(carried(withAccount({scopedWindows: [{...scoped, spent: 'yes'}]})), undefined, 'a scoped window out of shape');
	assert.equal(carried(withAccount({scopedWindows: Array.from({length: 101}, () => scoped)})), undefined, 'too many scoped windows');
	assert.equal(carried(withAccount({cacheHitRate: 'high'})), undefined, 'a cache hit rate that is text');

	// Team mode: the other instances' requests and events, each with the instance it happened on.
	await send(h, 1);
	await waitFor(() => h.store.getSnapshot().requests.length === 1, 'the request in the snapshot');
	const [request] = h.store.getSnapshot().requests;
	const team = {
		self: 'laptop', instances: [{name: 'laptop', self: true}, {name: 'desk', self: false}], redis: 'connected', requests: [{...request, instance: 'desk'}], events: [{
			tsMs: 1, kind: 'info', message: 'joined', instance: 'desk',
		}],
	};
	assert.ok(carried({...snapshot, team}), 'the team view passes');
	assert.equal(carried({...snapshot, team: {...team, redis: 'maybe'}}), undefined, 'a Redis state that is not one');
	assert.equal(carried({...snapshot, team: {...team, requests: [request]}}), undefined, 'a remote request without its instance');
	assert.equal(carried({
		...snapshot, team: {
			...team, events: [{
				tsMs: 1, kind: 'info', message: 'x'.repeat(5000), instance: 'desk',
			}],
		},
	}), undefined, 'a remote event too long');
});

test('an alert the instance raises reaches the attached monitor', async () => {
	const h = await setup();
	const streams = snapshotStreams(h.store);
	const server = http.createServer((request, response) => {
		streams.attach(request, response);
	});
	servers.push(server);
	await new Promise<void>(resolve => {
		server.listen(0, '127.0.0.1', resolve);
	});
	const rung: string[] = [];
	const store = attachToShunt({
		target: {host: '127.0.0.1', port: (server.address() as AddressInfo).port},
		onAlert(title, body) {
			rung.push(`${title}: ${body}`);
		},
	});
	attached.push(store);
	await waitFor(() => store.getConnection().status === 'connected', 'connected');
	streams.alert('shunt: rate limited', 'north hit its 5h limit');
	await waitFor(() => rung.length === 1, 'the alert');
	assert.deepEqual(rung, ['shunt: rate limited: north hit its 5h limit']);
});

/** A server on a port of its own that answers the stream as `handler` says, counting connections. */
async function impostor(handler: http.RequestListener, port = 0): Promise<{port: number; connections: () => number; server: http.Server}> {
	let connections = 0;
	const server = http.createServer((request, response) => {
		connections++;
		handler(request, response);
	});
	servers.push(server);
	await new Promise<void>(resolve => {
		server.listen(port, '127.0.0.1', resolve);
	});
	return {port: (server.address() as AddressInfo).port, connections: () => connections, server};
}

const eventStream = {'content-type': 'text/event-stream'};

test('hostile or broken senders: each is "down" with what is wrong, and it keeps trying', async () => {
	const cases: Array<{name: string; handler: http.RequestListener; problem: RegExp; options?: {maxEventBytes?: number; silenceMs?: number; answerTimeoutMs?: number}}> = [
		{
			name: 'a snapshot of the wrong shape',
			handler(_request, response) {
				response.writeHead(200, eventStream);
				response.write(`event: snapshot\ndata: ${JSON.stringify({protocol: 1, seq: 1, snapshot: {accounts: 'all of them'}})}\n\n`);
			},
			problem: /not shaped like shunt's/,
		},
		{
			name: 'a snapshot whose strings are too long',
			handler(_request, response) {
				response.writeHead(200, eventStream);
				response.write(`event: snapshot\ndata: ${JSON.stringify({protocol: 1, seq: 1, snapshot: {version: 'x'.repeat(10_000)}})}\n\n`);
			},
			problem: /not shaped like shunt's/,
		},
		{
			name: 'an event larger than the bound',
			handler(_request, response) {
				response.writeHead(200, eventStream);
				response.write(`event: snapshot\ndata: ${'x'.repeat(5000)}`);
			},
			problem: /larger than 1000 bytes/,
			options: {maxEventBytes: 1000},
		},
		{
			name: 'not JSON',
			handler(_request, response) {
				response.writeHead(200, eventStream);
				response.write('event: snapshot\ndata: <html>\n\n');
			},
			problem: /not shunt's/,
		},
		{
			name: 'another protocol version',
			handler(_request, response) {
				response.writeHead(200, eventStream);
				response.write(`event: snapshot\ndata: ${JSON.stringify({protocol: 2, snapshot: {}})}\n\n`);
			},
			problem: /protocol 2, this one 1/,
		},
		{
			name: 'no stream at all (an older shunt)',
			handler(_request, response) {
				response.writeHead(404, {'content-type': 'application/json'});
				response.end('{}');
			},
			problem: /has no monitor stream/,
		},
		{
			name: 'a web page',
			handler(_request, response) {
				response.writeHead(200, {'content-type': 'text/html'});
				response.end('<html></html>');
			},
			problem: /answered 200 instead of a monitor stream/,
		},
		{
			name: 'a stream that goes silent',
			handler(_request, response) {
				response.writeHead(200, eventStream);
				response.write(': hello\n\n');
			},
			problem: /went silent/,
			options: {silenceMs: 200},
		},
		{
			name: 'a server that never answers',
			handler() {
				// Holds the request.
			},
			problem: /did not answer/,
			options: {answerTimeoutMs: 200},
		},
	];

	for (const {name, handler, problem, options} of cases) {
		const fake = await impostor(handler);
		const store = attachToShunt({
			target: {host: '127.0.0.1', port: fake.port}, firstRetryMs: 20, maxRetryMs: 50, ...options,
		});
		attached.push(store);

		await waitFor(() => {
			const connection = store.getConnection();
			return connection.status === 'down' && problem.test(connection.problem);
		}, () => `${name}: down with ${problem} (now ${JSON.stringify(store.getConnection())})`);

		await waitFor(() => fake.connections() >= 3, `${name}: it tries again`);
		assert.equal(store.getView().snapshot, undefined, `${name}: nothing to draw`);
		store.close();
		fake.server.closeAllConnections();
	}
});

test('when the instance goes away the store says so, and it reconnects when the instance is back', async () => {
	const source = {subscribe: () => () => undefined, getSnapshot: () => undefined as unknown as StoreSnapshot};
	const h = await setup();
	source.getSnapshot = () => h.store.getSnapshot();
	const streams = snapshotStreams(source);
	const first = await impostor((request, response) => {
		streams.attach(request, response);
	});
	const store = attachToShunt({target: {host: '127.0.0.1', port: first.port}, firstRetryMs: 20, maxRetryMs: 100});
	attached.push(store);
	await waitFor(() => store.getConnection().status === 'connected', 'connected');

	streams.closeAll();
	first.server.closeAllConnections();
	await new Promise(resolve => {
		first.server.close(resolve);
	});
	await waitFor(() => {
		const connection = store.getConnection();
		return connection.status === 'down' && connection.problem === `shunt is not running on http://127.0.0.1:${first.port}`;
	}, () => `the not-running state (now ${JSON.stringify(store.getConnection())})`);

	const again = await impostor((request, response) => {
		streams.attach(request, response);
	}, first.port);
	await waitFor(() => store.getConnection().status === 'connected', 'connected again', 5000);
	assert.ok(again.connections() >= 1);
	assert.equal(store.monitor.getSnapshot().accounts.length, 2);
});

test('the event reader takes any valid framing and refuses an event past its bound', () => {
	const events: Array<[string, string]> = [];
	const reader = new EventReader((name, data) => {
		events.push([name, data]);
	}, 100);
	reader.push(Buffer.from(': comment\r\nevent: a\r\ndata: one\r\ndata: two\r\n\r\nevent: b\ndata:x'));
	reader.push(Buffer.from('y\n\n'));
	// A multi-byte character split across chunks.
	const euro = Buffer.from('data: €\n\n');
	reader.push(euro.subarray(0, 7));
	reader.push(euro.subarray(7));
	assert.deepEqual(events, [['a', 'one\ntwo'], ['b', 'xy'], ['', '€']]);
	assert.throws(() => {
		reader.push(Buffer.from(`data: ${'z'.repeat(200)}`));
	}, EventTooLarge);
});
