// covers: source/simulator/
// End-to-end tests of the simulator (our fake Anthropic API) over real sockets on 127.0.0.1.
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {createHash} from 'node:crypto';
import {once} from 'node:events';
import http from 'node:http';
import path from 'node:path';
import {describe, test, type TestContext} from 'node:test';
import {fingerprint, Simulator, type SimulatorOptions} from '../source/simulator/index.js';
import {PromptCache} from '../source/simulator/prompt-cache.js';
import {countInput} from '../source/simulator/tokens.js';

const root = path.resolve(import.meta.dirname, '..');

type Reply = {
	status: number;
	headers: http.IncomingHttpHeaders;
	text: string;
	/** The body ended normally (false when the connection was cut). */
	complete: boolean;
	/** Time until the status line arrived, ms. */
	headersAfterMs: number;
};

type Send = {
	method?: string;
	path?: string;
	headers?: Record<string, string>;
	/** Objects are sent as JSON, strings verbatim. */
	body?: unknown;
};

/** A plain node:http request that never rejects on a cut connection: the reply says complete=false. */
async function send(base: string, options: Send = {}): Promise<Reply> {
	const started = performance.now();
	const payload = options.body === undefined ? undefined : (typeof options.body === 'string' ? options.body : JSON.stringify(options.body));
	return new Promise((resolve, reject) => {
		const request = http.request(new URL(options.path ?? '/v1/messages', base), {
			method: options.method ?? 'POST',
			headers: {...(payload === undefined ? {} : {'content-type': 'application/json'}), ...options.headers},
		}, response => {
			const headersAfterMs = performance.now() - started;
			let text = '';
			let complete = false;
			response.setEncoding('utf8');
			response.on('data', (chunk: string) => {
				text += chunk;
			});
			response.on('end', () => {
				complete = true;
			});
			response.on('error', () => {});
			response.on('close', () => {
				resolve({status: response.statusCode ?? 0, headers: response.headers, text, complete: complete && response.complete, headersAfterMs});
			});
		});
		request.on('error', reject);
		request.end(payload);
	});
}

const json = (reply: Reply): any => JSON.parse(reply.text);

type SseEvent = {event: string; data: any};

function parseSse(text: string): SseEvent[] {
	const events: SseEvent[] = [];
	for (const frame of text.split('\n\n')) {
		const lines = frame.split('\n').filter(line => line !== '' && !line.startsWith(':'));
		const event = lines.find(line => line.startsWith('event: '))?.slice(7);
		const data = lines.find(line => line.startsWith('data: '))?.slice(6);
		if (event !== undefined && data !== undefined) {
			events.push({event, data: JSON.parse(data)});
		}
	}

	return events;
}

const keyHeaders = (key: string, extra: Record<string, string> = {}): Record<string, string> =>
	({'x-api-key': key, 'anthropic-version': '2023-06-01', ...extra});

const oauthHeaders = (token: string, extra: Record<string, string> = {}): Record<string, string> =>
	({authorization: `Bearer ${token}`, 'anthropic-beta': 'claude-code-20250219,oauth-2025-04-20', 'anthropic-version': '2023-06-01', ...extra});

const message = (extra: Record<string, unknown> = {}): Record<string, unknown> =>
	({model: 'claude-sonnet-4-6', max_tokens: 100, messages: [{role: 'user', content: 'hi'}], ...extra});

/** "hi" is ceil(2/4) + 3 = 4 input tokens; "Hello from fake claude-sonnet-4-6" is ceil(33/4) = 9 output tokens. */
const hiInputTokens = 4;
const sonnetOutputTokens = 9;

async function start(t: TestContext, options: SimulatorOptions = {}): Promise<Simulator> {
	const simulator = new Simulator(options);
	await simulator.listen();
	t.after(async () => simulator.close());
	return simulator;
}

const requestIdPattern = /^req_011C[1-9A-HJ-NP-Za-km-z]{20}$/;

function assertError(reply: Reply, status: number, type: string, messageText?: string): void {
	assert.equal(reply.status, status, reply.text);
	const body = json(reply);
	assert.deepEqual(Object.keys(body), ['type', 'error', 'request_id']);
	assert.equal(body.type, 'error');
	assert.equal(body.error.type, type);
	if (messageText !== undefined) {
		assert.equal(body.error.message, messageText);
	}

	assert.match(String(reply.headers['request-id']), requestIdPattern);
	assert.equal(body.request_id, reply.headers['request-id']);
}

const unifiedNames = [
	'status', '5h-status', '5h-utilization', '5h-reset', '7d-status', '7d-utilization', '7d-reset',
	'representative-claim', 'reset', 'fallback-percentage', 'overage-status', 'overage-disabled-reason',
].map(name => `anthropic-ratelimit-unified-${name}`);

const keyFamilyNames = ['requests', 'tokens', 'input-tokens', 'output-tokens']
	.flatMap(bucket => ['limit', 'remaining', 'reset'].map(part => `anthropic-ratelimit-${bucket}-${part}`));

const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** Monday 2026-08-03 12:03:00 UTC: its 5h window opens at 12:00, its week resets Thursday 09:00. */
const monday = Date.UTC(2026, 7, 3, 12, 3, 0);
const monday5hReset = Date.UTC(2026, 7, 3, 17, 0, 0) / 1000;
const monday7dReset = Date.UTC(2026, 7, 6, 9, 0, 0) / 1000;

/** Opens a stream and hands back the live response once the first text delta has arrived. */
async function openStream(base: string, headers: Record<string, string>, agent?: http.Agent): Promise<{request: http.ClientRequest; response: http.IncomingMessage; received: () => string}> {
	return new Promise((resolve, reject) => {
		const request = http.request(new URL('/v1/messages', base), {method: 'POST', headers: {...headers, 'content-type': 'application/json'}, agent}, response => {
			let text = '';
			let resolved = false;
			response.setEncoding('utf8');
			response.on('error', () => {});
			response.on('data', (chunk: string) => {
				text += chunk;
				if (!resolved && text.includes('content_block_delta')) {
					resolved = true;
					resolve({request, response, received: () => text});
				}
			});
		});
		request.on('error', error => {
			reject(error);
		});
		request.end(JSON.stringify(message({stream: true})));
	});
}

describe('success responses', () => {
	test('JSON reply has the exact Messages shape, deterministic usage and request ids', async t => {
		const simulator = await start(t);
		simulator.addAccount({kind: 'apikey', credential: 'key-a', name: 'alpha'});
		const body = message();
		const reply = await send(simulator.url, {headers: keyHeaders('key-a'), body});
		assert.equal(reply.status, 200);
		assert.equal(reply.headers['content-type'], 'application/json');
		assert.match(String(reply.headers['request-id']), requestIdPattern);
		assert.match(String(reply.headers['anthropic-organization-id']), /^[\da-f]{8}-[\da-f]{4}-4[\da-f]{3}-8[\da-f]{3}-[\da-f]{12}$/);
		const parsed = json(reply);
		assert.deepEqual(Object.keys(parsed), ['id', 'type', 'role', 'model', 'content', 'stop_reason', 'stop_sequence', 'stop_details', 'container', 'usage']);
		assert.match(parsed.id, /^msg_01[1-9A-HJ-NP-Za-km-z]{22}$/);
		assert.deepEqual({...parsed, id: 'x'}, {
			id: 'x',
			type: 'message',
			role: 'assistant',
			model: 'claude-sonnet-4-6',
			content: [{type: 'text', text: 'Hello from fake claude-sonnet-4-6'}],
			stop_reason: 'end_turn',
			stop_sequence: null,
			stop_details: null,
			container: null,
			usage: {
				input_tokens: hiInputTokens,
				cache_creation_input_tokens: 0,
				cache_read_input_tokens: 0,
				cache_creation: {ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0},
				output_tokens: sonnetOutputTokens,
				service_tier: 'standard',
				inference_geo: 'not_available',
			},
		});

		const entry = await simulator.waitFor(request => request.id === reply.headers['request-id']);
		assert.equal(entry.account, 'alpha');
		assert.equal(entry.status, 200);
		assert.equal(entry.stream, false);
		assert.equal(entry.closedEarly, false);
		assert.equal(entry.fault, undefined);
		assert.deepEqual(entry.body, body);
		assert.equal(entry.headers['x-api-key'], 'key-a');
		assert.equal(entry.rawBodySha256, createHash('sha256').update(JSON.stringify(body)).digest('hex'));
	});

	test('input tokens count system, every message (+3 each) and agree with count_tokens', async t => {
		const simulator = await start(t);
		simulator.addAccount({kind: 'apikey', credential: 'key-a'});
		// 14 + 11 + 2 + 5 = 32 bytes → 8 tokens, plus 3 × 3 messages.
		const prompt = {
			system: 'You are terse.',
			messages: [{role: 'user', content: 'hello there'}, {role: 'assistant', content: [{type: 'text', text: 'ok'}]}, {role: 'user', content: 'again'}],
		};
		const reply = await send(simulator.url, {headers: keyHeaders('key-a'), body: message(prompt)});
		assert.equal(json(reply).usage.input_tokens, 17);
		const counted = await send(simulator.url, {path: '/v1/messages/count_tokens', headers: keyHeaders('key-a'), body: {model: 'claude-sonnet-4-6', ...prompt}});
		assert.equal(counted.status, 200);
		assert.deepEqual(json(counted), {input_tokens: 17});
	});

	test('SSE follows the exact event order with one ping and cumulative message_delta usage', async t => {
		const simulator = await start(t);
		simulator.addAccount({kind: 'apikey', credential: 'key-a'});
		const reply = await send(simulator.url, {headers: keyHeaders('key-a'), body: message({stream: true})});
		assert.equal(reply.status, 200);
		assert.equal(reply.headers['content-type'], 'text/event-stream; charset=utf-8');
		assert.equal(reply.headers['cache-control'], 'no-cache');
		assert.ok(reply.complete);
		const events = parseSse(reply.text);
		const names = events.map(event => event.event);
		const deltas = events.filter(event => event.event === 'content_block_delta');
		assert.ok(deltas.length >= 2, 'the reply is split into several deltas');
		assert.deepEqual(names, [
			'message_start', 'content_block_start', 'ping',
			...deltas.map(() => 'content_block_delta'),
			'content_block_stop', 'message_delta', 'message_stop',
		]);
		for (const event of events) {
			assert.equal(event.data.type, event.event);
		}

		const messageStart = events[0]!.data.message;
		assert.equal(messageStart.model, 'claude-sonnet-4-6');
		assert.deepEqual(messageStart.content, []);
		assert.equal(messageStart.stop_reason, null);
		assert.deepEqual(messageStart.usage, {
			input_tokens: hiInputTokens,
			cache_creation_input_tokens: 0,
			cache_read_input_tokens: 0,
			cache_creation: {ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0},
			output_tokens: 1,
			service_tier: 'standard',
		});
		assert.deepEqual(events[1]!.data, {type: 'content_block_start', index: 0, content_block: {type: 'text', text: ''}});
		for (const delta of deltas) {
			assert.equal(delta.data.delta.type, 'text_delta');
			assert.ok(delta.data.delta.text.length >= 3 && delta.data.delta.text.length <= 8, `chunk "${delta.data.delta.text}"`);
		}

		assert.equal(deltas.map(delta => delta.data.delta.text).join(''), 'Hello from fake claude-sonnet-4-6');
		const final = events.find(event => event.event === 'message_delta')!.data;
		assert.deepEqual(final.delta, {stop_reason: 'end_turn', stop_sequence: null});
		assert.deepEqual(final.usage, {input_tokens: hiInputTokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: sonnetOutputTokens});
		const entry = await simulator.waitFor(request => request.id === reply.headers['request-id']);
		assert.equal(entry.stream, true);
		assert.equal(entry.closedEarly, false);
	});

	test('max_tokens caps the reply with stop_reason max_tokens, in JSON and SSE', async t => {
		const simulator = await start(t);
		simulator.addAccount({kind: 'apikey', credential: 'key-a'});
		const plain = json(await send(simulator.url, {headers: keyHeaders('key-a'), body: message({max_tokens: 2})}));
		assert.equal(plain.stop_reason, 'max_tokens');
		assert.equal(plain.usage.output_tokens, 2);
		assert.equal(plain.content[0].text, 'Hello fr');
		const streamed = parseSse((await send(simulator.url, {headers: keyHeaders('key-a'), body: message({max_tokens: 2, stream: true})})).text);
		const final = streamed.find(event => event.event === 'message_delta')!.data;
		assert.equal(final.delta.stop_reason, 'max_tokens');
		assert.equal(final.usage.output_tokens, 2);
	});

	test('scripted tool use: a forced tool, any tool, or a user turn that asks for one gets a tool_use reply, in JSON and SSE', async t => {
		const simulator = await start(t);
		simulator.addAccount({kind: 'apikey', credential: 'key-a'});
		const tools = [
			{name: 'get_weather', input_schema: {type: 'object', properties: {city: {type: 'string'}, days: {type: 'integer'}, metric: {type: 'boolean'}, note: {type: 'string'}}, required: ['city', 'days', 'metric']}},
			{name: 'list_files', input_schema: {type: 'object', properties: {}}},
		];
		const forced = json(await send(simulator.url, {headers: keyHeaders('key-a'), body: message({tools, tool_choice: {type: 'tool', name: 'list_files'}})}));
		assert.equal(forced.stop_reason, 'tool_use');
		assert.equal(forced.content.length, 2);
		assert.deepEqual(forced.content[0], {type: 'text', text: 'I will use list_files.'});
		assert.equal(forced.content[1].type, 'tool_use');
		assert.match(forced.content[1].id, /^toolu_01[1-9A-HJ-NP-Za-km-z]{22}$/);
		assert.deepEqual([forced.content[1].name, forced.content[1].input], ['list_files', {}]);
		const any = json(await send(simulator.url, {headers: keyHeaders('key-a'), body: message({tools, tool_choice: {type: 'any'}})}));
		assert.deepEqual([any.content[1].name, any.content[1].input], ['get_weather', {city: 'sim', days: 1, metric: true}], 'each required property gets a value of its type');
		const asked = json(await send(simulator.url, {headers: keyHeaders('key-a'), body: message({tools, messages: [{role: 'user', content: [{type: 'text', text: 'Please use the LIST_FILES tool.'}]}]})}));
		assert.equal(asked.content[1].name, 'list_files');
		for (const [why, extra] of [
			['auto without asking', {tools}],
			['tool_choice none', {tools, tool_choice: {type: 'none'}, messages: [{role: 'user', content: 'use the list_files tool'}]}],
			['a turn that carries tool results', {tools, messages: [{role: 'user', content: 'use the list_files tool'}, {role: 'assistant', content: [{type: 'tool_use', id: 't', name: 'list_files', input: {}}]}, {role: 'user', content: [{type: 'tool_result', tool_use_id: 't', content: 'use the list_files tool'}]}]}],
			['no tools', {tool_choice: {type: 'any'}}],
		] as const) {
			// eslint-disable-next-line no-await-in-loop
			const plain = json(await send(simulator.url, {headers: keyHeaders('key-a'), body: message(extra)}));
			assert.equal(plain.stop_reason, 'end_turn', why);
			assert.deepEqual(plain.content.map((block: {type: string}) => block.type), ['text'], why);
		}

		const streamed = parseSse((await send(simulator.url, {headers: keyHeaders('key-a'), body: message({tools, tool_choice: {type: 'any'}, stream: true})})).text);
		const toolEvents = streamed.filter(event => event.data.index === 1);
		assert.deepEqual(toolEvents[0]!.data.content_block, {type: 'tool_use', id: toolEvents[0]!.data.content_block.id, name: 'get_weather', input: {}});
		const pieces = toolEvents.filter(event => event.event === 'content_block_delta').map(event => event.data.delta);
		assert.ok(pieces.every(delta => delta.type === 'input_json_delta'));
		assert.equal(pieces[0].partial_json, '', 'the first piece is empty, as the API sends it');
		assert.deepEqual(JSON.parse(pieces.map(delta => delta.partial_json).join('')), {city: 'sim', days: 1, metric: true});
		assert.equal(toolEvents.at(-1)!.event, 'content_block_stop');
		const names = streamed.map(event => event.event);
		assert.ok(names.indexOf('content_block_stop') < names.lastIndexOf('content_block_start'), 'the text block closes before the tool block opens');
		const final = streamed.find(event => event.event === 'message_delta')!.data;
		assert.equal(final.delta.stop_reason, 'tool_use');
		assert.equal(final.usage.output_tokens, Math.ceil(Buffer.byteLength('I will use get_weather.') / 4) + Math.ceil(Buffer.byteLength('{"city":"sim","days":1,"metric":true}') / 4));
		assert.equal(names.at(-1), 'message_stop');
	});

	test('stampEvents writes a timestamp comment before every event', async t => {
		const simulator = await start(t, {stampEvents: true, replyText: 'a somewhat longer scripted reply'});
		simulator.addAccount({kind: 'apikey', credential: 'key-a'});
		const before = performance.timeOrigin + performance.now();
		const reply = await send(simulator.url, {headers: keyHeaders('key-a'), body: message({stream: true})});
		const frames = reply.text.split('\n\n').filter(frame => frame !== '');
		assert.ok(frames.length > 6);
		let previous = before;
		for (const frame of frames) {
			const match = /^: t=(\d+\.\d+)\nevent: /.exec(frame);
			assert.ok(match, `frame without stamp: ${frame}`);
			const stamp = Number(match[1]);
			assert.ok(stamp >= previous && stamp < before + 10_000, 'stamps are ordered wall-clock ms');
			previous = stamp;
		}

		assert.equal(parseSse(reply.text).filter(event => event.event === 'content_block_delta').map(event => event.data.delta.text).join(''), 'a somewhat longer scripted reply');
	});

	test('the log records the path with its query string verbatim', async t => {
		const simulator = await start(t);
		simulator.addAccount({kind: 'apikey', credential: 'key-a'});
		const reply = await send(simulator.url, {path: '/v1/messages?beta=true', headers: keyHeaders('key-a'), body: message()});
		assert.equal(reply.status, 200);
		const entry = await simulator.waitFor(request => request.id === reply.headers['request-id']);
		assert.equal(entry.path, '/v1/messages?beta=true');
		assert.equal(entry.method, 'POST');
	});

	test('models, count_tokens, /api/hello and unknown routes', async t => {
		const simulator = await start(t);
		simulator.addAccount({kind: 'apikey', credential: 'key-a'});
		const first = json(await send(simulator.url, {method: 'GET', path: '/v1/models?limit=2', headers: keyHeaders('key-a')}));
		assert.equal(first.data.length, 2);
		assert.equal(first.has_more, true);
		assert.equal(first.first_id, first.data[0].id);
		const next = json(await send(simulator.url, {method: 'GET', path: `/v1/models?limit=1000&after_id=${first.last_id}`, headers: keyHeaders('key-a')}));
		assert.equal(next.has_more, false);
		const ids = [...first.data, ...next.data].map((model: {id: string}) => model.id);
		for (const id of ['claude-opus-4-8', 'claude-sonnet-4-6', 'claude-haiku-4-5-20251001', 'claude-sonnet-5', 'claude-opus-5']) {
			assert.ok(ids.includes(id), id);
		}

		const one = await send(simulator.url, {method: 'GET', path: '/v1/models/claude-sonnet-4-6', headers: keyHeaders('key-a')});
		assert.deepEqual(json(one), {type: 'model', id: 'claude-sonnet-4-6', display_name: 'Claude Sonnet 4.6', created_at: '2026-01-01T00:00:00Z', max_input_tokens: 1_000_000, max_tokens: 128_000, capabilities: null});
		assertError(await send(simulator.url, {method: 'GET', path: '/v1/models/claude-nope', headers: keyHeaders('key-a')}), 404, 'not_found_error', 'model: claude-nope');
		assertError(await send(simulator.url, {method: 'GET', path: '/v1/models'}), 401, 'authentication_error', 'x-api-key header is required');

		assertError(await send(simulator.url, {path: '/v1/messages/count_tokens', headers: keyHeaders('key-a'), body: message()}), 400, 'invalid_request_error', 'max_tokens: Extra inputs are not permitted');
		assert.equal((await send(simulator.url, {method: 'HEAD', path: '/api/hello'})).status, 200);
		assert.equal((await send(simulator.url, {method: 'GET', path: '/api/hello'})).status, 200);
		assertError(await send(simulator.url, {method: 'GET', path: '/v1/nothing', headers: keyHeaders('key-a')}), 404, 'not_found_error');
		assertError(await send(simulator.url, {method: 'GET', path: '/v1/messages', headers: keyHeaders('key-a')}), 404, 'not_found_error');
		// An undated alias of a dated id is accepted, and echoed back.
		const alias = await send(simulator.url, {headers: keyHeaders('key-a'), body: message({model: 'claude-haiku-4-5'})});
		assert.equal(json(alias).model, 'claude-haiku-4-5');
	});
});

describe('validation', () => {
	test('checks run in Anthropic\'s order with the exact messages', async t => {
		const simulator = await start(t, {maxBodyBytes: 2000});
		simulator.addAccount({kind: 'apikey', credential: 'key-a'});
		simulator.addAccount({kind: 'oauth', credential: 'tok-ok'});
		simulator.addAccount({kind: 'oauth', credential: 'tok-old', tokenExpiresAtMs: Date.now() - 1000});
		simulator.addAccount({kind: 'oauth', credential: 'tok-full', utilization5h: 1});
		const bad = '{"model": ';

		// Each request also fails every later check, so only the order explains the answer.
		assertError(await send(simulator.url, {body: 'x'.repeat(3000)}), 413, 'request_too_large');
		assertError(await send(simulator.url, {body: bad}), 401, 'authentication_error', 'x-api-key header is required');
		assertError(await send(simulator.url, {headers: {'x-api-key': 'nope'}, body: bad}), 401, 'authentication_error', 'invalid x-api-key');
		assertError(await send(simulator.url, {headers: {'x-api-key': 'tok-ok'}, body: bad}), 401, 'authentication_error', 'invalid x-api-key');
		assertError(await send(simulator.url, {headers: {authorization: 'Bearer tok-old'}, body: bad}), 401, 'authentication_error', 'OAuth authentication is currently not supported.');
		assertError(await send(simulator.url, {headers: {authorization: 'Bearer tok-old', 'anthropic-beta': 'oauth-2025-04-20'}, body: bad}), 401, 'authentication_error',
			'OAuth token has expired. Please obtain a new token or refresh your existing token.');
		assertError(await send(simulator.url, {headers: {'x-api-key': 'key-a'}, body: bad}), 400, 'invalid_request_error', 'anthropic-version: header is required');
		const anyVersion = {'x-api-key': 'key-a', 'anthropic-version': '2099-12-31'};
		assertError(await send(simulator.url, {headers: anyVersion, body: bad}), 400, 'invalid_request_error');
		assertError(await send(simulator.url, {headers: anyVersion, body: {max_tokens: 1, messages: []}}), 400, 'invalid_request_error', 'model: Field required');
		assertError(await send(simulator.url, {headers: anyVersion, body: {model: 'claude-nope', messages: []}}), 400, 'invalid_request_error', 'max_tokens: Field required');
		assertError(await send(simulator.url, {headers: anyVersion, body: {model: 'claude-nope', max_tokens: 5}}), 400, 'invalid_request_error', 'messages: Field required');
		assertError(await send(simulator.url, {headers: anyVersion, body: message({model: 'claude-nope-9'})}), 404, 'not_found_error', 'model: claude-nope-9');
		// The model check precedes the rate-limit check.
		assertError(await send(simulator.url, {headers: oauthHeaders('tok-full'), body: message({model: 'claude-nope-9'})}), 404, 'not_found_error', 'model: claude-nope-9');
		assertError(await send(simulator.url, {headers: oauthHeaders('tok-full'), body: message()}), 429, 'rate_limit_error');
		// Any anthropic-version value is fine.
		assert.equal((await send(simulator.url, {headers: anyVersion, body: message()})).status, 200);
		assert.equal((await send(simulator.url, {headers: oauthHeaders('tok-ok'), body: message()})).status, 200);
	});
});

describe('unified rate limits (oauth)', () => {
	test('every response carries the unified family; utilization grows with weighted use', async t => {
		const simulator = await start(t);
		simulator.addAccount({kind: 'oauth', credential: 'tok-s', budget5h: 1000, budget7d: 2000});
		simulator.addAccount({kind: 'oauth', credential: 'tok-o', budget5h: 1000});
		simulator.addAccount({kind: 'oauth', credential: 'tok-h', budget5h: 100});
		const first = await send(simulator.url, {headers: oauthHeaders('tok-s'), body: message()});
		assert.equal(first.status, 200);
		for (const name of unifiedNames) {
			assert.ok(first.headers[name] !== undefined, `missing ${name}`);
		}

		// sonnet weight 1 × (4 input + 5 × 9 output) = 49 of 1000.
		assert.equal(first.headers['anthropic-ratelimit-unified-5h-utilization'], '0.04');
		assert.equal(first.headers['anthropic-ratelimit-unified-status'], 'allowed');
		assert.equal(first.headers['anthropic-ratelimit-unified-5h-status'], 'allowed');
		assert.equal(first.headers['anthropic-ratelimit-unified-fallback-percentage'], '0.5');
		assert.equal(first.headers['anthropic-ratelimit-unified-overage-status'], 'rejected');
		assert.equal(first.headers['anthropic-ratelimit-unified-overage-disabled-reason'], 'org_level_disabled');
		assert.equal(first.headers['anthropic-ratelimit-unified-representative-claim'], 'five_hour');
		assert.equal(first.headers['anthropic-ratelimit-unified-reset'], first.headers['anthropic-ratelimit-unified-5h-reset']);
		const second = await send(simulator.url, {headers: oauthHeaders('tok-s'), body: message()});
		assert.equal(second.headers['anthropic-ratelimit-unified-5h-utilization'], '0.09');
		assert.equal(second.headers['anthropic-ratelimit-unified-7d-utilization'], '0.04');

		// opus weighs 5: 5 × (4 + 5 × 8 output tokens for "Hello from fake claude-opus-4-8") = 220.
		const opus = await send(simulator.url, {headers: oauthHeaders('tok-o'), body: message({model: 'claude-opus-4-8'})});
		assert.equal(opus.headers['anthropic-ratelimit-unified-5h-utilization'], '0.22');
		// haiku weighs 0.2: 0.2 × (4 + 5 × 9 capped output tokens) = 9.8 of 100.
		const haiku = await send(simulator.url, {headers: oauthHeaders('tok-h'), body: message({model: 'claude-haiku-4-5-20251001', max_tokens: 9})});
		assert.equal(haiku.headers['anthropic-ratelimit-unified-5h-utilization'], '0.09');

		simulator.setUtilization('tok-s', {fiveHour: 0.8});
		const warm = await send(simulator.url, {headers: oauthHeaders('tok-s'), body: message()});
		assert.equal(warm.headers['anthropic-ratelimit-unified-5h-status'], 'allowed_warning');
		assert.equal(warm.headers['anthropic-ratelimit-unified-5h-surpassed-threshold'], '0.75');
		assert.equal(warm.headers['anthropic-ratelimit-unified-status'], 'allowed_warning');
		simulator.setUtilization('tok-s', {fiveHour: 0.95});
		const hot = await send(simulator.url, {headers: oauthHeaders('tok-s'), body: message()});
		assert.equal(hot.headers['anthropic-ratelimit-unified-5h-surpassed-threshold'], '0.9');

		simulator.setUtilization('tok-s', {fiveHour: 1});
		const refused = await send(simulator.url, {headers: oauthHeaders('tok-s'), body: message()});
		assertError(refused, 429, 'rate_limit_error');
		for (const name of unifiedNames) {
			assert.ok(refused.headers[name] !== undefined, `429 lacks ${name}`);
		}

		assert.equal(refused.headers['anthropic-ratelimit-unified-5h-status'], 'rejected');
		assert.equal(refused.headers['anthropic-ratelimit-unified-status'], 'rejected');
		// API-key headers belong to the other family.
		assert.equal(first.headers['anthropic-ratelimit-requests-limit'], undefined);
	});

	test('an exhausted 5h budget gives a real quota 429 with retry-after to the reset', async t => {
		const simulator = await start(t, {now: () => monday});
		simulator.addAccount({kind: 'oauth', credential: 'tok-a', budget5h: 100});
		const utilization: string[] = [];
		for (let index = 0; index < 3; index++) {
			const reply = await send(simulator.url, {headers: oauthHeaders('tok-a'), body: message()});
			assert.equal(reply.status, 200, 'the request that crosses the budget is still served');
			utilization.push(String(reply.headers['anthropic-ratelimit-unified-5h-utilization']));
		}

		assert.deepEqual(utilization, ['0.49', '0.98', '1.47']);
		const refused = await send(simulator.url, {headers: oauthHeaders('tok-a'), body: message()});
		assertError(refused, 429, 'rate_limit_error');
		assert.equal(refused.headers['retry-after'], String(monday5hReset - (monday / 1000)));
		assert.equal(refused.headers['retry-after'], '17820');
		assert.equal(refused.headers['x-should-retry'], 'true');
		assert.equal(refused.headers['x-robots-tag'], 'none');
		assert.equal(refused.headers['anthropic-ratelimit-unified-5h-status'], 'rejected');
		assert.equal(refused.headers['anthropic-ratelimit-unified-5h-surpassed-threshold'], '1.0');
		assert.equal(refused.headers['anthropic-ratelimit-unified-5h-reset'], String(monday5hReset));
		assert.equal(refused.headers['anthropic-ratelimit-unified-reset'], String(monday5hReset));
		assert.equal(refused.headers['anthropic-ratelimit-unified-7d-reset'], String(monday7dReset));
		assert.equal(refused.headers['anthropic-ratelimit-unified-7d-status'], 'allowed');
		assert.equal(refused.headers['anthropic-ratelimit-unified-representative-claim'], 'five_hour');
		assert.equal(refused.headers['anthropic-ratelimit-unified-status'], 'rejected');
	});

	test('an exhausted weekly window binds with its own reset', async t => {
		const simulator = await start(t, {now: () => monday});
		simulator.addAccount({kind: 'oauth', credential: 'tok-w', utilization7d: 1.2});
		const refused = await send(simulator.url, {headers: oauthHeaders('tok-w'), body: message()});
		assertError(refused, 429, 'rate_limit_error');
		assert.equal(refused.headers['anthropic-ratelimit-unified-7d-status'], 'rejected');
		assert.equal(refused.headers['anthropic-ratelimit-unified-7d-utilization'], '1.2');
		assert.equal(refused.headers['anthropic-ratelimit-unified-representative-claim'], 'seven_day');
		assert.equal(refused.headers['anthropic-ratelimit-unified-reset'], String(monday7dReset));
		assert.equal(refused.headers['retry-after'], String(monday7dReset - (monday / 1000)));
	});

	test('window positions: a 5h window already running and a weekly reset on another day', async t => {
		const simulator = await start(t, {now: () => monday});
		const reset5h = monday + (90 * 60_000);
		const reset7d = Date.UTC(2026, 7, 4, 21, 0, 0);
		simulator.addAccount({kind: 'oauth', credential: 'tok-p', budget5h: 1000, utilization5h: 0.5, reset5hAtMs: reset5h, reset7dAtMs: reset7d, utilization7d: 0.3});
		const first = await send(simulator.url, {headers: oauthHeaders('tok-p'), body: message()});
		assert.equal(first.headers['anthropic-ratelimit-unified-5h-reset'], String(reset5h / 1000));
		assert.equal(first.headers['anthropic-ratelimit-unified-5h-utilization'], '0.54');
		assert.equal(first.headers['anthropic-ratelimit-unified-7d-reset'], String(reset7d / 1000));
		simulator.advanceClock(reset5h - monday);
		const fresh = await send(simulator.url, {headers: oauthHeaders('tok-p'), body: message()});
		assert.equal(fresh.headers['anthropic-ratelimit-unified-5h-utilization'], '0.04', 'the running window ended at its reset');
		simulator.advanceClock(reset7d - reset5h);
		const nextWeek = await send(simulator.url, {headers: oauthHeaders('tok-p'), body: message()});
		assert.equal(nextWeek.headers['anthropic-ratelimit-unified-7d-reset'], String((reset7d / 1000) + (7 * 86_400)));
		assert.equal(nextWeek.headers['anthropic-ratelimit-unified-7d-utilization'], '0', 'sonnet 49 of the default 20M weekly budget');
		const far = await send(simulator.url, {method: 'POST', path: '/__fake/accounts', body: {kind: 'oauth', credential: 'tok-q', reset5hAtMs: 'soon'}});
		assertError(far, 400, 'invalid_request_error');
	});

	test('advancing the clock past the 5h reset opens a fresh window', async t => {
		const simulator = await start(t);
		simulator.addAccount({kind: 'oauth', credential: 'tok-a', budget5h: 1000});
		simulator.setUtilization('tok-a', {fiveHour: 1});
		const refused = await send(simulator.url, {headers: oauthHeaders('tok-a'), body: message()});
		assert.equal(refused.status, 429);
		const oldReset = Number(refused.headers['anthropic-ratelimit-unified-5h-reset']);
		const retryAfter = Number(refused.headers['retry-after']);
		assert.ok(retryAfter > 4 * 3600 && retryAfter <= 5 * 3600, `retry-after ${retryAfter}`);
		simulator.advanceClock((retryAfter + 60) * 1000);
		const fresh = await send(simulator.url, {headers: oauthHeaders('tok-a'), body: message()});
		assert.equal(fresh.status, 200);
		assert.equal(fresh.headers['anthropic-ratelimit-unified-5h-utilization'], '0.04');
		assert.equal(fresh.headers['anthropic-ratelimit-unified-5h-status'], 'allowed');
		assert.ok(Number(fresh.headers['anthropic-ratelimit-unified-5h-reset']) >= oldReset + (4 * 3600));
	});
});

describe('API-key rate limits', () => {
	test('the anthropic-ratelimit-* family with RFC 3339 resets, and a 429 when a bucket runs dry', async t => {
		const simulator = await start(t, {now: () => monday});
		simulator.addAccount({kind: 'apikey', credential: 'key-a', rpm: 3, itpm: 100_000, otpm: 50_000});
		const first = await send(simulator.url, {headers: keyHeaders('key-a'), body: message()});
		assert.equal(first.status, 200);
		for (const name of keyFamilyNames) {
			assert.ok(first.headers[name] !== undefined, `missing ${name}`);
		}

		for (const name of keyFamilyNames.filter(name => name.endsWith('-reset'))) {
			assert.match(String(first.headers[name]), rfc3339, name);
		}

		assert.equal(first.headers['anthropic-ratelimit-requests-limit'], '3');
		assert.equal(first.headers['anthropic-ratelimit-requests-remaining'], '2');
		// One request of three per minute refills in 20 s.
		assert.equal(first.headers['anthropic-ratelimit-requests-reset'], new Date(monday + 20_000).toISOString().replace('.000Z', 'Z'));
		assert.equal(first.headers['anthropic-ratelimit-input-tokens-limit'], '100000');
		assert.equal(first.headers['anthropic-ratelimit-input-tokens-remaining'], '99000');
		assert.equal(first.headers['anthropic-ratelimit-output-tokens-remaining'], '49000');
		assert.equal(first.headers['anthropic-ratelimit-tokens-limit'], '150000');
		assert.equal(first.headers['anthropic-ratelimit-tokens-remaining'], '149000');
		assert.equal(first.headers['anthropic-ratelimit-unified-status'], undefined);

		await send(simulator.url, {headers: keyHeaders('key-a'), body: message()});
		const third = await send(simulator.url, {headers: keyHeaders('key-a'), body: message()});
		assert.equal(third.headers['anthropic-ratelimit-requests-remaining'], '0');
		const refused = await send(simulator.url, {headers: keyHeaders('key-a'), body: message()});
		assertError(refused, 429, 'rate_limit_error');
		assert.equal(refused.headers['retry-after'], '20');
		assert.equal(refused.headers['x-should-retry'], 'true');
		assert.equal(refused.headers['anthropic-ratelimit-requests-remaining'], '0');
		simulator.advanceClock(20_000);
		const after = await send(simulator.url, {headers: keyHeaders('key-a'), body: message()});
		assert.equal(after.status, 200);
	});
});

describe('prompt cache', () => {
	const system = [{type: 'text', text: 'S'.repeat(400), cache_control: {type: 'ephemeral'}}];

	test('first sighting writes the prefix, a repeat reads it, another account does not share it', async t => {
		const simulator = await start(t);
		simulator.addAccount({kind: 'apikey', credential: 'key-a'});
		simulator.addAccount({kind: 'apikey', credential: 'key-b'});
		const body = message({system});
		const first = json(await send(simulator.url, {headers: keyHeaders('key-a'), body})).usage;
		// 400 bytes of system → 100 cached tokens; "hi" and its message overhead stay uncached.
		assert.deepEqual([first.input_tokens, first.cache_creation_input_tokens, first.cache_read_input_tokens], [hiInputTokens, 100, 0]);
		assert.deepEqual(first.cache_creation, {ephemeral_5m_input_tokens: 100, ephemeral_1h_input_tokens: 0});
		const repeat = json(await send(simulator.url, {headers: keyHeaders('key-a'), body: {...body, messages: [{role: 'user', content: 'different'}]}})).usage;
		assert.deepEqual([repeat.cache_creation_input_tokens, repeat.cache_read_input_tokens], [0, 100]);
		assert.deepEqual(repeat.cache_creation, {ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0});
		const elsewhere = json(await send(simulator.url, {headers: keyHeaders('key-b'), body})).usage;
		assert.deepEqual([elsewhere.cache_creation_input_tokens, elsewhere.cache_read_input_tokens], [100, 0]);
		const streamed = parseSse((await send(simulator.url, {headers: keyHeaders('key-a'), body: {...body, stream: true}})).text);
		assert.equal(streamed[0]!.data.message.usage.cache_read_input_tokens, 100);
		assert.equal(streamed.find(event => event.event === 'message_delta')!.data.usage.cache_read_input_tokens, 100);
	});

	test('peek says what a prompt would cost on an account without recording it', () => {
		const cache = new PromptCache();
		const body = message({system, messages: [{role: 'user', content: [{type: 'text', text: 'U'.repeat(200), cache_control: {type: 'ephemeral'}}]}]});
		const {breakpoints} = countInput(body);
		assert.deepEqual(cache.peek(breakpoints, monday), {read: 0, write5m: breakpoints.at(-1)!.tokens, write1h: 0});
		assert.deepEqual(cache.peek(breakpoints, monday), cache.use(breakpoints, monday), 'peeking changed nothing');
		assert.deepEqual(cache.peek(breakpoints, monday + 1000), {read: breakpoints.at(-1)!.tokens, write5m: 0, write1h: 0});
		assert.equal(cache.peek(breakpoints, monday + (5 * 60_000) + 1).read, 0, 'expired after its TTL');
	});

	test('1h and 5m breakpoints split the write and expire separately', async t => {
		const simulator = await start(t, {now: () => monday});
		simulator.addAccount({kind: 'apikey', credential: 'key-a'});
		const tool = {name: 'lookup', description: 'D'.repeat(300), input_schema: {type: 'object'}};
		const body = message({tools: [{...tool, cache_control: {type: 'ephemeral', ttl: '1h'}}], system});
		const toolBytes = Buffer.byteLength(JSON.stringify(tool));
		const toolTokens = Math.ceil(toolBytes / 4);
		const bothTokens = Math.ceil((toolBytes + 400) / 4);
		const first = json(await send(simulator.url, {headers: keyHeaders('key-a'), body})).usage;
		assert.deepEqual(first.cache_creation, {ephemeral_5m_input_tokens: bothTokens - toolTokens, ephemeral_1h_input_tokens: toolTokens});
		assert.equal(first.cache_creation_input_tokens, bothTokens);
		simulator.advanceClock(6 * 60_000);
		const later = json(await send(simulator.url, {headers: keyHeaders('key-a'), body})).usage;
		assert.equal(later.cache_read_input_tokens, toolTokens, 'the 1h prefix survives six minutes');
		assert.deepEqual(later.cache_creation, {ephemeral_5m_input_tokens: bothTokens - toolTokens, ephemeral_1h_input_tokens: 0});
	});
});

describe('faults', () => {
	test('windowless_429 carries no rate-limit header at all, then the account serves again', async t => {
		const simulator = await start(t);
		simulator.addAccount({kind: 'oauth', credential: 'tok-a'});
		simulator.arm('tok-a', {type: 'windowless_429'});
		const refused = await send(simulator.url, {headers: oauthHeaders('tok-a'), body: message()});
		assertError(refused, 429, 'rate_limit_error');
		assert.deepEqual(Object.keys(refused.headers).filter(name => name.startsWith('anthropic-ratelimit')), []);
		assert.equal(refused.headers['x-should-retry'], 'true');
		assert.equal(refused.headers['x-robots-tag'], 'none');
		assert.equal(refused.headers['retry-after'], undefined);
		const entry = await simulator.waitFor(request => request.id === refused.headers['request-id']);
		assert.equal(entry.fault, 'windowless_429');
		const next = await send(simulator.url, {headers: oauthHeaders('tok-a'), body: message()});
		assert.equal(next.status, 200);
		assert.equal(next.headers['anthropic-ratelimit-unified-status'], 'allowed');
	});

	test('times counts matching requests; Infinity sticks until cleared', async t => {
		const simulator = await start(t);
		simulator.addAccount({kind: 'apikey', credential: 'key-a'});
		simulator.arm('key-a', {type: 'overloaded', times: 2});
		const first = await send(simulator.url, {headers: keyHeaders('key-a'), body: message()});
		assertError(first, 529, 'overloaded_error', 'Overloaded');
		assert.equal(first.headers['x-should-retry'], 'true');
		assert.equal((await send(simulator.url, {headers: keyHeaders('key-a'), body: message()})).status, 529);
		assert.equal((await send(simulator.url, {headers: keyHeaders('key-a'), body: message()})).status, 200);
		simulator.arm('key-a', {type: 'api_error', times: Number.POSITIVE_INFINITY});
		for (let index = 0; index < 4; index++) {
			assertError(await send(simulator.url, {headers: keyHeaders('key-a'), body: message()}), 500, 'api_error');
		}

		simulator.clearFaults('key-a');
		assert.equal((await send(simulator.url, {headers: keyHeaders('key-a'), body: message()})).status, 200);
	});

	test('error faults answer with the right status, type and message', async t => {
		const simulator = await start(t);
		simulator.addAccount({kind: 'oauth', credential: 'tok-a'});
		const cases = [
			{type: 'bad_request', status: 400, error: 'invalid_request_error'},
			{type: 'expired_token', status: 401, error: 'authentication_error', message: 'OAuth token has expired. Please obtain a new token or refresh your existing token.'},
			{type: 'invalid_key', status: 401, error: 'authentication_error', message: 'invalid x-api-key'},
			{type: 'revoked', status: 403, error: 'permission_error'},
			{type: 'api_error', status: 500, error: 'api_error'},
		] as const;
		for (const item of cases) {
			simulator.arm('tok-a', {type: item.type});
			const reply = await send(simulator.url, {headers: oauthHeaders('tok-a'), body: message()});
			assertError(reply, item.status, item.error, 'message' in item ? item.message : undefined);
			assert.equal((await simulator.waitFor(request => request.id === reply.headers['request-id'])).fault, item.type);
		}

		// Auth faults act at the auth step: before the anthropic-version check.
		simulator.arm('tok-a', {type: 'expired_token'});
		const {'anthropic-version': _dropped, ...noVersion} = oauthHeaders('tok-a');
		assertError(await send(simulator.url, {headers: noVersion, body: message()}), 401, 'authentication_error');
		assert.equal((await send(simulator.url, {headers: oauthHeaders('tok-a'), body: message()})).status, 200);
	});

	test('quota_429 fakes a rejected window (oauth) or an empty request bucket (api key)', async t => {
		const simulator = await start(t);
		simulator.addAccount({kind: 'oauth', credential: 'tok-a'});
		simulator.addAccount({kind: 'apikey', credential: 'key-a'});
		simulator.arm('tok-a', {type: 'quota_429', window: '7d', resetInSeconds: 120});
		const weekly = await send(simulator.url, {headers: oauthHeaders('tok-a'), body: message()});
		assertError(weekly, 429, 'rate_limit_error');
		assert.equal(weekly.headers['retry-after'], '120');
		assert.equal(weekly.headers['x-should-retry'], 'true');
		assert.equal(weekly.headers['anthropic-ratelimit-unified-7d-status'], 'rejected');
		assert.ok(Number(weekly.headers['anthropic-ratelimit-unified-7d-utilization']) >= 1);
		assert.equal(weekly.headers['anthropic-ratelimit-unified-5h-status'], 'allowed');
		assert.equal(weekly.headers['anthropic-ratelimit-unified-status'], 'rejected');
		assert.equal(weekly.headers['anthropic-ratelimit-unified-representative-claim'], 'seven_day');
		const resetIn = Number(weekly.headers['anthropic-ratelimit-unified-7d-reset']) - (Date.now() / 1000);
		assert.ok(resetIn > 110 && resetIn <= 121, `7d reset in ${resetIn}s`);
		assert.equal((await send(simulator.url, {headers: oauthHeaders('tok-a'), body: message()})).status, 200);

		simulator.arm('tok-a', {type: 'quota_429'});
		const session = await send(simulator.url, {headers: oauthHeaders('tok-a'), body: message()});
		assert.equal(session.headers['anthropic-ratelimit-unified-5h-status'], 'rejected');
		const untilReset = Number(session.headers['anthropic-ratelimit-unified-5h-reset']) - (Date.now() / 1000);
		assert.ok(Math.abs(Number(session.headers['retry-after']) - untilReset) <= 1, 'retry-after runs to the real 5h reset');

		simulator.arm('key-a', {type: 'quota_429', resetInSeconds: 30});
		const keyed = await send(simulator.url, {headers: keyHeaders('key-a'), body: message()});
		assertError(keyed, 429, 'rate_limit_error');
		assert.equal(keyed.headers['retry-after'], '30');
		assert.equal(keyed.headers['anthropic-ratelimit-requests-remaining'], '0');
		assert.match(String(keyed.headers['anthropic-ratelimit-requests-reset']), rfc3339);
	});

	test('out_of_credits refuses only the matching model', async t => {
		const simulator = await start(t);
		simulator.addAccount({kind: 'oauth', credential: 'tok-a'});
		simulator.arm('tok-a', {type: 'out_of_credits', model: 'opus', times: Number.POSITIVE_INFINITY});
		assert.equal((await send(simulator.url, {headers: oauthHeaders('tok-a'), body: message()})).status, 200);
		for (let index = 0; index < 2; index++) {
			const refused = await send(simulator.url, {headers: oauthHeaders('tok-a'), body: message({model: 'claude-opus-4-8'})});
			assertError(refused, 429, 'rate_limit_error');
			assert.equal(refused.headers['anthropic-ratelimit-unified-overage-disabled-reason'], 'out_of_credits');
		}

		assert.equal((await send(simulator.url, {headers: oauthHeaders('tok-a'), body: message({model: 'claude-sonnet-5'})})).status, 200);
		simulator.clearFaults();
		assert.equal((await send(simulator.url, {headers: oauthHeaders('tok-a'), body: message({model: 'claude-opus-4-8'})})).status, 200);
	});

	test('midstream_error ends the stream with an error event after K deltas', async t => {
		const simulator = await start(t);
		simulator.addAccount({kind: 'apikey', credential: 'key-a'});
		simulator.arm('key-a', {type: 'midstream_error', afterDeltas: 2});
		// A JSON request does not spend a stream fault.
		assert.equal((await send(simulator.url, {headers: keyHeaders('key-a'), body: message()})).status, 200);
		const reply = await send(simulator.url, {headers: keyHeaders('key-a'), body: message({stream: true})});
		assert.equal(reply.status, 200);
		assert.ok(reply.complete, 'the response ends cleanly');
		const events = parseSse(reply.text);
		assert.deepEqual(events.map(event => event.event), ['message_start', 'content_block_start', 'ping', 'content_block_delta', 'content_block_delta', 'error']);
		assert.deepEqual(events.at(-1)!.data, {type: 'error', error: {type: 'overloaded_error', message: 'Overloaded'}});
		const entry = await simulator.waitFor(request => request.id === reply.headers['request-id']);
		assert.equal(entry.fault, 'midstream_error');
		assert.equal(entry.closedEarly, false);
	});

	test('drop cuts the connection mid-stream without message_stop', async t => {
		const simulator = await start(t);
		simulator.addAccount({kind: 'apikey', credential: 'key-a'});
		simulator.arm('key-a', {type: 'drop', afterDeltas: 1});
		const reply = await send(simulator.url, {headers: keyHeaders('key-a'), body: message({stream: true})});
		assert.equal(reply.status, 200);
		assert.equal(reply.complete, false);
		const events = parseSse(reply.text);
		assert.deepEqual(events.map(event => event.event), ['message_start', 'content_block_start', 'ping', 'content_block_delta']);
		const entry = await simulator.waitFor(request => request.id === reply.headers['request-id']);
		assert.equal(entry.fault, 'drop');
		assert.equal(entry.closedEarly, false, 'the simulator cut it, not the client');
	});

	test('stall pauses after K deltas with pings, then finishes', async t => {
		const simulator = await start(t, {pingIntervalMs: 50});
		simulator.addAccount({kind: 'apikey', credential: 'key-a'});
		simulator.arm('key-a', {type: 'stall', afterDeltas: 1, ms: 300});
		const started = performance.now();
		const reply = await send(simulator.url, {headers: keyHeaders('key-a'), body: message({stream: true})});
		assert.ok(performance.now() - started >= 290, 'the stall held the stream');
		const names = parseSse(reply.text).map(event => event.event);
		const firstDelta = names.indexOf('content_block_delta');
		const pingsAfter = names.slice(firstDelta).filter(name => name === 'ping').length;
		assert.ok(pingsAfter >= 3, `${pingsAfter} pings during the stall`);
		assert.equal(names.at(-1), 'message_stop');
		assert.ok(reply.complete);
	});

	test('slow_first_byte delays the response headers', async t => {
		const simulator = await start(t);
		simulator.addAccount({kind: 'apikey', credential: 'key-a'});
		simulator.arm('key-a', {type: 'slow_first_byte', ms: 250});
		const slow = await send(simulator.url, {headers: keyHeaders('key-a'), body: message()});
		assert.equal(slow.status, 200);
		assert.ok(slow.headersAfterMs >= 240, `headers after ${slow.headersAfterMs} ms`);
		assert.equal((await simulator.waitFor(request => request.id === slow.headers['request-id'])).fault, 'slow_first_byte');
		const fast = await send(simulator.url, {headers: keyHeaders('key-a'), body: message()});
		assert.equal((await simulator.waitFor(request => request.id === fast.headers['request-id'])).fault, undefined, 'only one request was slowed');
	});
});

describe('connections and lifecycle', () => {
	test('a client abort mid-stream fires client-closed at once and marks closedEarly', async t => {
		const simulator = await start(t);
		simulator.addAccount({kind: 'apikey', credential: 'key-a'});
		simulator.arm('key-a', {type: 'stall', afterDeltas: 1, ms: 120_000});
		const closed = once(simulator, 'client-closed', {signal: AbortSignal.timeout(5000)});
		const stream = await openStream(simulator.url, keyHeaders('key-a'));
		stream.request.destroy();
		const [entry] = await closed;
		assert.equal(entry.closedEarly, true);
		assert.equal(entry.status, 200);
		assert.equal(entry.stream, true);
		assert.ok(simulator.requests.includes(entry));
	});

	test('close() resolves with a stalled stream and an idle keep-alive socket open', async t => {
		const simulator = new Simulator();
		await simulator.listen();
		t.after(async () => simulator.close());
		simulator.addAccount({kind: 'apikey', credential: 'key-a'});
		const agent = new http.Agent({keepAlive: true});
		t.after(() => agent.destroy());
		await new Promise<void>(resolve => {
			http.get(new URL('/api/hello', simulator.url), {agent}, response => {
				response.resume();
				response.on('end', () => resolve());
			});
		});
		simulator.arm('key-a', {type: 'stall', afterDeltas: 1, ms: 120_000});
		const stream = await openStream(simulator.url, keyHeaders('key-a'), agent);
		// Not events.once: it would reject on the 'error' the cut connection raises.
		const ended = new Promise(resolve => stream.response.once('close', resolve));
		let timer: NodeJS.Timeout | undefined;
		const outcome = await Promise.race([
			simulator.close().then(() => 'closed'),
			new Promise(resolve => {
				timer = setTimeout(() => resolve('hung'), 5000);
			}),
		]);
		clearTimeout(timer);
		assert.equal(outcome, 'closed');
		await ended;
		assert.equal(stream.received().includes('message_stop'), false);
	});

	test('the request log is a bounded ring and waitFor sees old and new entries', async t => {
		const simulator = await start(t, {logLimit: 3});
		simulator.addAccount({kind: 'apikey', credential: 'key-a'});
		for (let index = 1; index <= 5; index++) {
			await send(simulator.url, {path: `/v1/messages?n=${index}`, headers: keyHeaders('key-a'), body: message()});
		}

		await simulator.waitFor(request => request.path.endsWith('n=5'));
		assert.deepEqual(simulator.requests.map(request => request.path), ['/v1/messages?n=3', '/v1/messages?n=4', '/v1/messages?n=5']);
		const future = simulator.waitFor(request => request.path.endsWith('n=6'));
		await send(simulator.url, {path: '/v1/messages?n=6', headers: keyHeaders('key-a'), body: message()});
		assert.equal((await future).status, 200);
		await assert.rejects(simulator.waitFor(request => request.path.endsWith('n=7'), 50), /waitFor/);
	});
});

describe('control surface', () => {
	test('/__fake/ endpoints add accounts, arm faults, set utilization, move the clock and list requests', async t => {
		const simulator = await start(t);
		const control = async (route: string, body?: unknown) => send(simulator.url, {method: body === undefined ? 'GET' : 'POST', path: `/__fake/${route}`, body});
		const added = await control('accounts', [{kind: 'oauth', credential: 'tok-x', name: 'x', budget5h: 1000}, {kind: 'apikey', credential: 'key-y'}]);
		assert.deepEqual(json(added), {ok: true, accounts: 2});
		assert.equal((await send(simulator.url, {headers: oauthHeaders('tok-x'), body: message()})).status, 200);

		assert.equal((await control('arm', {credential: 'key-y', fault: {type: 'overloaded', times: 'Infinity'}})).status, 200);
		assert.equal((await send(simulator.url, {headers: keyHeaders('key-y'), body: message()})).status, 529);
		assert.equal((await send(simulator.url, {headers: keyHeaders('key-y'), body: message()})).status, 529);
		assert.equal((await control('clear-faults', {credential: 'key-y'})).status, 200);
		assert.equal((await send(simulator.url, {headers: keyHeaders('key-y'), body: message()})).status, 200);

		assert.equal((await control('utilization', {credential: 'tok-x', fiveHour: 1})).status, 200);
		assert.equal((await send(simulator.url, {headers: oauthHeaders('tok-x'), body: message()})).status, 429);
		const clock = await control('clock', {advance_ms: (5 * 3600 * 1000) + 60_000});
		assert.ok(json(clock).now_ms > Date.now() + (5 * 3600 * 1000));
		assert.equal((await send(simulator.url, {headers: oauthHeaders('tok-x'), body: message()})).status, 200);

		assertError(await control('arm', {fault: {type: 'overloaded'}}), 400, 'invalid_request_error');
		assertError(await control('accounts', {kind: 'weird'}), 400, 'invalid_request_error');

		const listed = await control('requests');
		const {requests} = json(listed);
		assert.deepEqual(requests.map((request: {status: number}) => request.status), [200, 529, 529, 200, 429, 200], 'control calls stay out of the log');
		assert.equal(requests[0].account, 'x');
		assert.equal(requests[0].headers.authorization, `redacted:${fingerprint('tok-x')}`);
		assert.equal(requests[1].headers['x-api-key'], `redacted:${fingerprint('key-y')}`);
		assert.equal(listed.text.includes('key-y'), false, 'no credential leaves the process');
		assert.equal(listed.text.includes('tok-x'), false);
	});
});

describe('request log accounting', () => {
	test('a served request logs its usage and charge; every entry logs the headers it was answered with', async t => {
		const simulator = await start(t);
		simulator.addAccount({kind: 'oauth', credential: 'tok-a', name: 'a', budget5h: 1000});
		simulator.addAccount({kind: 'apikey', credential: 'key-b', name: 'b'});
		const system = [{type: 'text', text: 'S'.repeat(400), cache_control: {type: 'ephemeral'}}];
		const first = await send(simulator.url, {headers: oauthHeaders('tok-a'), body: message({system})});
		assert.equal(first.status, 200);
		const second = await send(simulator.url, {headers: oauthHeaders('tok-a'), body: message({system, stream: true})});
		assert.equal(second.status, 200);
		await send(simulator.url, {headers: keyHeaders('key-b'), body: message()});
		simulator.setUtilization('tok-a', {fiveHour: 1});
		const refused = await send(simulator.url, {headers: oauthHeaders('tok-a'), body: message()});
		assert.equal(refused.status, 429);
		await simulator.waitFor(entry => entry.status === 429);

		const [served, streamed, keyed, rejected] = simulator.requests;
		// 100 system tokens written, then read; sonnet weighs 1: 4 + 100 + 5 × 9 = 149, then 4 + 10 + 45 = 59.
		assert.deepEqual(served!.usage, {model: 'claude-sonnet-4-6', inputTokens: hiInputTokens, cacheReadTokens: 0, cacheWriteTokens: 100, outputTokens: sonnetOutputTokens, weighted: 149});
		assert.deepEqual(streamed!.usage, {model: 'claude-sonnet-4-6', inputTokens: hiInputTokens, cacheReadTokens: 100, cacheWriteTokens: 0, outputTokens: sonnetOutputTokens, weighted: 59});
		assert.equal(keyed!.usage?.weighted, 0, 'API keys have no unified windows to charge');
		assert.equal(rejected!.usage, undefined, 'a refused request consumed nothing');
		assert.equal(served!.responseHeaders['anthropic-ratelimit-unified-5h-utilization'], first.headers['anthropic-ratelimit-unified-5h-utilization']);
		assert.equal(served!.responseHeaders['content-type'], 'application/json');
		assert.equal(streamed!.responseHeaders['content-type'], 'text/event-stream; charset=utf-8');
		assert.equal(rejected!.responseHeaders['anthropic-ratelimit-unified-5h-status'], 'rejected');
		assert.equal(rejected!.responseHeaders['retry-after'], refused.headers['retry-after']);
		assert.equal(rejected!.responseHeaders['request-id'], rejected!.id);
		assert.equal(keyed!.responseHeaders['anthropic-ratelimit-requests-limit'], '4000');
	});
});

describe('bench/simulator-process.ts (the simulator as its own process, for the benchmark)', () => {
	test('prints its JSON line, serves the sim-key accounts and exits 0 on SIGTERM', async t => {
		const child = spawn(process.execPath, ['--import=tsx', 'bench/simulator-process.ts', '--port', '0', '--accounts', '2'], {cwd: root, stdio: ['ignore', 'pipe', 'pipe']});
		t.after(() => {
			if (child.exitCode === null) {
				child.kill('SIGKILL');
			}
		});
		let stderr = '';
		child.stderr.on('data', (chunk: Buffer) => {
			stderr += chunk.toString();
		});
		const line = await new Promise<string>((resolve, reject) => {
			let stdout = '';
			child.stdout.on('data', (chunk: Buffer) => {
				stdout += chunk.toString();
				const newline = stdout.indexOf('\n');
				if (newline >= 0) {
					resolve(stdout.slice(0, newline));
				}
			});
			child.once('exit', code => reject(new Error(`exited ${code} before printing: ${stderr}`)));
		});
		const started = JSON.parse(line);
		assert.match(started.url, /^http:\/\/127\.0\.0\.1:\d+$/);
		assert.deepEqual(started.credentials, ['sim-key-1', 'sim-key-2']);
		const reply = await send(started.url, {headers: keyHeaders('sim-key-2'), body: message()});
		assert.equal(reply.status, 200);
		const exited = once(child, 'exit');
		child.kill('SIGTERM');
		const [code, signal] = await exited;
		assert.equal(signal, null);
		assert.equal(code, 0, stderr);
	});
});
