// covers: source/proxy/server.ts, source/proxy/client-guard.ts, source/proxy/api-surface.ts, source/proxy/upstream-url.ts, source/proxy/forwarded-headers.ts
// Requests an attacker can make: look-alike request targets that would move the credential to
// another host, web pages (cross-site POSTs, DNS rebinding, preflights), and every method and path
// outside the inference surface. Raw sockets where fetch would tidy the request up.
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import {afterEach, test} from 'node:test';
import {
	assertUpstreamOrigin, BadTarget, upstreamOf, upstreamUrlFor,
} from '../source/proxy/upstream-url.js';
import {Simulator} from '../source/simulator/index.js';
import {
	message, startHarness, type Harness, type HarnessOptions,
} from './helpers/proxy-harness.js';

let simulator: Simulator | undefined;
let harness: Harness | undefined;
const servers: http.Server[] = [];

afterEach(async () => {
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

async function setup(options: Partial<HarnessOptions> = {}, listen: {port?: number} = {}) {
	simulator = new Simulator();
	await simulator.listen(listen.port ?? 0);
	simulator.addAccount({kind: 'apikey', credential: 'sk-ant-api03-secret-key', name: 'key'});
	harness = await startHarness({upstream: simulator.url, accounts: [{name: 'key', kind: 'apikey', secret: 'sk-ant-api03-secret-key'}], ...options});
	return {simulator, harness};
}

/** Sends bytes as they are on a fresh connection and returns everything the server answered. */
async function raw(url: string, request: string): Promise<string> {
	const {port} = new URL(url);
	return new Promise((resolve, reject) => {
		const socket = net.connect(Number(port), '127.0.0.1');
		let answer = '';
		socket.setEncoding('latin1');
		socket.on('data', chunk => {
			answer += chunk;
		});
		socket.on('end', () => {
			resolve(answer);
		});
		socket.on('error', reject);
		socket.setTimeout(5000, () => {
			socket.destroy();
			resolve(answer);
		});
		socket.write(request);
	});
}

const statusOf = (answer: string): number => Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0);

async function listenOn(port: number, handler: http.RequestListener): Promise<http.Server | undefined> {
	const server = http.createServer(handler);
	return new Promise(resolve => {
		server.once('error', () => {
			resolve(undefined);
		});
		server.listen(port, '127.0.0.1', () => {
			servers.push(server);
			resolve(server);
		});
	});
}

test('a request target that is not a plain path is answered 400 and reaches no upstream', async () => {
	// Node's parser lets absolute-form targets through ("pany://x/v1/models", "*"). Glued onto
	// https://api.anthropic.com, the first one named the host api.anthropic.company.
	const {simulator, harness} = await setup();
	const host = `Host: ${new URL(harness.url).host}`;
	for (const target of ['pany://x/v1/models', 'http://evil.example/v1/models', 'https://api.anthropic.com.evil.example/v1/models', '*', '/v1/%2e%2e%2fmodels']) {
		const answer = await raw(harness.url, `GET ${target} HTTP/1.1\r\n${host}\r\nanthropic-version: 2023-06-01\r\nConnection: close\r\n\r\n`);
		assert.equal(statusOf(answer), 400, `${target}: ${answer.split('\r\n')[0]}`);
		assert.match(answer, /"invalid_request_error"/);
	}

	assert.equal(simulator.requests.length, 0, 'nothing reached the upstream');
	const plain = await raw(harness.url, `GET /v1/models HTTP/1.1\r\n${host}\r\nanthropic-version: 2023-06-01\r\nConnection: close\r\n\r\n`);
	assert.equal(statusOf(plain), 200, 'a plain path still works');
});

test('the upstream URL keeps the configured origin and base path for any target', () => {
	const bare = upstreamOf(new URL('https://api.anthropic.com'));
	assert.throws(() => upstreamUrlFor(bare, 'pany://x/v1/models'), BadTarget, 'the look-alike host attack');
	assert.doesNotThrow(() => {
		assertUpstreamOrigin(upstreamUrlFor(bare, '/v1/models').url, bare);
	});
	assert.throws(() => {
		assertUpstreamOrigin(new URL('https://api.anthropic.company/v1/models'), bare);
	}, /refusing to send a credential/);
	const upstream = upstreamOf(new URL('https://api.anthropic.com/gateway/'));
	const good = upstreamUrlFor(upstream, '//v1/messages?beta=true');
	assert.equal(good.url.href, 'https://api.anthropic.com/gateway/v1/messages?beta=true');
	assert.equal(good.path, '/v1/messages');
	const climbed = upstreamUrlFor(upstream, '/v1/messages/../../v1/files');
	assert.equal(climbed.url.origin, 'https://api.anthropic.com');
	assert.equal(climbed.path, '/v1/files', 'dot segments are resolved before the path is checked');
	for (const target of ['pany://x/v1/models', 'x/v1', '', '*', '/v1%2Fmessages', '/v1/..%5cfiles', String.raw`/\evil`]) {
		assert.throws(() => upstreamUrlFor(upstream, target), BadTarget, target);
	}

	assert.throws(() => upstreamUrlFor(upstream, '/../../etc'), BadTarget, 'a path may not climb out of the base path');
});

test('a cross-site text/plain POST from a web page is refused and spends nothing', async () => {
	const {simulator, harness} = await setup();
	const response = await fetch(`${harness.url}/v1/messages`, {
		method: 'POST',
		headers: {'content-type': 'text/plain', origin: 'https://evil.example'},
		body: JSON.stringify(message()),
	});
	assert.equal(response.status, 403);
	const body = await response.json() as {type: string; error: {type: string}};
	assert.equal(body.type, 'error');
	assert.equal(body.error.type, 'permission_error');
	assert.equal(simulator.requests.length, 0);
	assert.equal(harness.store.freshSnapshot().requests.length, 0, 'nothing was routed');
});

test('a browser request without an Origin (Sec-Fetch-Site: cross-site) is refused too', async () => {
	const {simulator, harness} = await setup();
	const response = await fetch(`${harness.url}/v1/models`, {headers: {'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors'}});
	assert.equal(response.status, 403);
	assert.equal(simulator.requests.length, 0);
	const typed = await fetch(`${harness.url}/_shunt/health`, {headers: {'sec-fetch-site': 'none'}});
	assert.equal(typed.status, 200, 'the user typing the address into a browser is fine');
});

test('DNS rebinding: a Host that is not shunt\'s own is refused on the proxy and the control API', async () => {
	const {simulator, harness} = await setup();
	const {port} = new URL(harness.url);
	for (const path of ['/v1/messages', '/_shunt/status', '/_shunt/health']) {
		const method = path === '/v1/messages' ? 'POST' : 'GET';
		const payload = method === 'POST' ? JSON.stringify(message()) : '';

		const answer = await raw(harness.url, `${method} ${path} HTTP/1.1\r\nHost: evil.example:${port}\r\nContent-Type: application/json\r\nContent-Length: ${payload.length}\r\nConnection: close\r\n\r\n${payload}`);
		assert.equal(statusOf(answer), 403, path);
		assert.doesNotMatch(answer, /"accounts"/, 'no status document leaks');
	}

	const missing = await raw(harness.url, 'GET /_shunt/status HTTP/1.0\r\n\r\n');
	assert.equal(statusOf(missing), 403, 'no Host at all is not shunt\'s own either');
	assert.equal(simulator.requests.length, 0);
	for (const name of ['localhost', '127.0.0.1', '[::1]', 'LocalHost']) {
		const answer = await raw(harness.url, `GET /_shunt/health HTTP/1.1\r\nHost: ${name}:${port}\r\nConnection: close\r\n\r\n`);
		assert.equal(statusOf(answer), 200, name);
	}
});

test('with SHUNT_CLIENT_KEY the key is the guard: other host names are accepted with the key, Origin still is not', async () => {
	const {simulator, harness} = await setup({clientKey: 'lan-key'});
	const {port} = new URL(harness.url);
	const payload = JSON.stringify(message());
	const answer = await raw(harness.url, `POST /v1/messages HTTP/1.1\r\nHost: my-laptop.lan:${port}\r\nx-api-key: lan-key\r\nanthropic-version: 2023-06-01\r\nContent-Type: application/json\r\nContent-Length: ${payload.length}\r\nConnection: close\r\n\r\n${payload}`);
	assert.equal(statusOf(answer), 200);
	const withoutKey = await raw(harness.url, `GET /v1/models HTTP/1.1\r\nHost: my-laptop.lan:${port}\r\nConnection: close\r\n\r\n`);
	assert.equal(statusOf(withoutKey), 401);
	const page = await fetch(`${harness.url}/v1/models`, {headers: {'x-api-key': 'lan-key', origin: 'https://evil.example'}});
	assert.equal(page.status, 403);
	assert.equal(simulator.requests.length, 1);
});

test('OPTIONS is answered locally and never forwarded; an allowed origin gets CORS headers', async () => {
	const {simulator, harness} = await setup({allowedOrigins: ['http://localhost:3000']});
	const plain = await fetch(`${harness.url}/v1/messages`, {method: 'OPTIONS'});
	assert.equal(plain.status, 204);
	assert.equal(plain.headers.get('access-control-allow-origin'), null);
	const preflight = await fetch(`${harness.url}/v1/messages`, {
		method: 'OPTIONS',
		headers: {origin: 'http://localhost:3000', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, x-api-key'},
	});
	assert.equal(preflight.status, 204);
	assert.equal(preflight.headers.get('access-control-allow-origin'), 'http://localhost:3000');
	assert.equal(preflight.headers.get('access-control-allow-headers'), 'content-type, x-api-key');
	const refused = await fetch(`${harness.url}/v1/messages`, {method: 'OPTIONS', headers: {origin: 'https://evil.example'}});
	assert.equal(refused.status, 403);
	assert.equal(simulator.requests.length, 0, 'no preflight went upstream');

	const served = await harness.post(message(), {origin: 'http://localhost:3000'});
	assert.equal(served.status, 200);
	assert.equal(served.headers.get('access-control-allow-origin'), 'http://localhost:3000');
	await served.arrayBuffer();
});

test('the upstream\'s access-control-* headers never reach the client', async () => {
	const upstream = await listenOn(0, (_request, response) => {
		response.writeHead(200, {'content-type': 'application/json', 'access-control-allow-origin': '*', 'access-control-allow-credentials': 'true'});
		response.end('{"data":[],"has_more":false}');
	});
	const address = upstream!.address() as net.AddressInfo;
	harness = await startHarness({upstream: `http://127.0.0.1:${address.port}`, accounts: [{name: 'key', kind: 'apikey', secret: 'sk-ant-api03-x'}]});
	const response = await fetch(`${harness.url}/v1/models`);
	assert.equal(response.status, 200);
	assert.equal(response.headers.get('access-control-allow-origin'), null);
	assert.equal(response.headers.get('access-control-allow-credentials'), null);
	assert.equal(response.headers.get('x-shunt-account'), 'key');
});

test('only the inference surface is forwarded; every other method and path is answered locally with 404', async () => {
	const {simulator, harness} = await setup();
	const host = `Host: ${new URL(harness.url).host}`;
	for (const [method, path] of [['TRACE', '/v1/messages'], ['DELETE', '/v1/files/file_1'], ['PUT', '/v1/messages'], ['GET', '/v1/files'], ['POST', '/v1/messages/batches'], ['GET', '/v1/messages'], ['POST', '/v1/organizations/x/api_keys'], ['GET', '/'], ['GET', '/v1/messages/../files']]) {
		const answer = await raw(harness.url, `${method} ${path} HTTP/1.1\r\n${host}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
		assert.equal(statusOf(answer), 404, `${method} ${path}`);
		assert.match(answer, /"type":"error".*"not_found_error"/, `${method} ${path}: Anthropic's error shape`);
	}

	assert.equal(simulator.requests.length, 0, 'nothing reached the upstream');
	for (const [method, path] of [['GET', '/v1/models'], ['GET', '/v1/models/claude-sonnet-4-6'], ['HEAD', '/api/hello']]) {
		const response = await fetch(`${harness.url}${path}`, {method, headers: {'anthropic-version': '2023-06-01'}});
		assert.equal(response.status, 200, `${method} ${path}`);
		await response.arrayBuffer();
	}

	const counted = await harness.post({model: 'claude-sonnet-4-6', messages: [{role: 'user', content: 'hi'}]}, {}, '/v1/messages/count_tokens');
	assert.equal(counted.status, 200);
	const messages = await harness.post(message(), {}, '/v1/messages?beta=true');
	assert.equal(messages.status, 200);
	await messages.arrayBuffer();
	assert.equal(simulator.requests.length, 5);
});

test('extraForwardedPaths opts more paths in, and nothing else', async () => {
	const {simulator, harness} = await setup({extraForwardedPaths: ['GET /v1/files/*', 'POST /v1/messages/batches']});
	const file = await fetch(`${harness.url}/v1/files/file_1`);
	await file.arrayBuffer();
	assert.equal(simulator.requests.at(-1)?.path, '/v1/files/file_1', 'forwarded (the simulator itself has no such route)');
	const listing = await fetch(`${harness.url}/v1/files`);
	assert.equal(listing.status, 404);
	assert.match(await listing.text(), /does not forward/);
	const deletion = await fetch(`${harness.url}/v1/files/file_1`, {method: 'DELETE'});
	assert.equal(deletion.status, 404);
	await deletion.arrayBuffer();
	assert.equal(simulator.requests.length, 1);
});
