// covers: source/openai/door.ts, source/openai/request.ts, source/openai/response.ts, source/openai/stream.ts, source/openai/errors.ts, source/proxy/front-door.ts, source/proxy/server.ts, source/proxy/choose.ts, source/routing/route.ts, source/simulator/tool-use.ts
// The OpenAI front door through the official `openai` package as a real client: shunt in this
// process on 127.0.0.1, the simulator behind it. What the client got, what the simulator was
// sent (the translated Messages request), and what the store recorded.
import assert from 'node:assert/strict';
import {afterEach, test} from 'node:test';
import OpenAI from 'openai';
import {Simulator} from '../source/simulator/index.js';
import type {SimRequestLogEntry} from '../source/simulator/index.js';
import {message, startHarness, type Harness, type HarnessOptions} from './helpers/proxy-harness.js';
import {waitFor} from './helpers/wait.js';

let simulator: Simulator | undefined;
let harness: Harness | undefined;

afterEach(async () => {
	await harness?.close();
	await simulator?.close();
	harness = undefined;
	simulator = undefined;
});

type Setup = {
	/** Accounts in config order; each is added to the simulator with its own credential. */
	accounts?: Array<{name: string; kind: 'apikey' | 'oauth'}>;
	harness?: Partial<HarnessOptions>;
};

async function setup(options: Setup = {}) {
	simulator = new Simulator();
	await simulator.listen();
	const accounts = (options.accounts ?? [{name: 'a', kind: 'apikey'}, {name: 'b', kind: 'apikey'}]).map(account => ({...account, secret: `secret-${account.name}`}));
	for (const account of accounts) {
		simulator.addAccount({kind: account.kind, credential: account.secret, name: account.name});
	}

	harness = await startHarness({upstream: simulator.url, accounts, ...options.harness});
	const client = new OpenAI({baseURL: `${harness.url}/v1`, apiKey: 'not-a-real-key', maxRetries: 0});
	return {simulator, harness, client};
}

function lastRecord(h: Harness) {
	return h.store.freshSnapshot().requests[0]!;
}

function sentBody(entry: SimRequestLogEntry | undefined): Record<string, unknown> {
	assert.ok(entry, 'the simulator saw a request');
	return entry.body as Record<string, unknown>;
}

const weatherTool = {
	type: 'function' as const,
	function: {
		name: 'get_weather',
		description: 'The weather in a city',
		parameters: {type: 'object', properties: {city: {type: 'string'}}, required: ['city']},
	},
};

test('a plain completion: translated on the way up, a chat.completion on the way back, recorded as the OpenAI door\'s', async () => {
	const {simulator, harness, client} = await setup();
	const {data, response, request_id: requestId} = await client.chat.completions.create({
		model: 'gpt-4o',
		messages: [{role: 'system', content: 'Be brief.'}, {role: 'user', content: 'hello'}],
		max_completion_tokens: 100,
		temperature: 0.5,
		stop: ['\n\n'],
	}).withResponse();
	assert.equal(data.object, 'chat.completion');
	assert.equal(data.model, 'claude-sonnet-4-6');
	assert.equal(data.choices.length, 1);
	assert.equal(data.choices[0]!.message.role, 'assistant');
	assert.equal(data.choices[0]!.message.content, 'Hello from fake claude-sonnet-4-6');
	assert.equal(data.choices[0]!.finish_reason, 'stop');
	assert.match(data.id, /^chatcmpl-msg_/);
	assert.equal(response.headers.get('x-shunt-account'), 'a');

	const entry = simulator.requests.at(-1);
	assert.equal(entry?.path, '/v1/messages', 'the upstream got a Messages request');
	assert.equal(requestId, entry?.id, 'the upstream\'s request id reaches the client where the SDK looks for it');
	assert.equal(entry?.headers['anthropic-version'], '2023-06-01');
	assert.equal(Object.keys(entry?.headers ?? {}).some(name => name.startsWith('x-stainless')), false, 'OpenAI\'s SDK headers stay behind');
	assert.equal(entry?.headers['x-api-key'], 'secret-a');
	assert.equal(entry?.headers['authorization'], undefined, 'the client\'s key never goes upstream');
	assert.deepEqual(sentBody(entry), {
		model: 'claude-sonnet-4-6',
		max_tokens: 100,
		system: [{type: 'text', text: 'Be brief.', cache_control: {type: 'ephemeral'}}],
		messages: [{role: 'user', content: [{type: 'text', text: 'hello', cache_control: {type: 'ephemeral'}}]}],
		temperature: 0.5,
		stop_sequences: ['\n\n'],
	});

	const record = lastRecord(harness);
	assert.equal(record.frontDoor, 'openai');
	assert.equal(record.path, '/v1/chat/completions');
	assert.equal(record.model, 'claude-sonnet-4-6');
	assert.equal(record.requestedModel, 'gpt-4o');
	assert.equal(record.account, 'a');
	assert.equal(record.status, 200);
	assert.equal(record.outcome, 'complete');
	assert.equal(data.usage?.prompt_tokens, record.inputTokens + record.cacheReadTokens + record.cacheWriteTokens);
	assert.equal(data.usage?.completion_tokens, record.outputTokens);
	assert.equal(data.usage?.total_tokens, data.usage!.prompt_tokens + data.usage!.completion_tokens);
	assert.ok(record.outputTokens > 0 && record.costUsd > 0);
});

test('a conversation reads its prompt cache from its second turn: the translation marks the system prompt and the last two user turns', async () => {
	const {simulator, client} = await setup();
	const system = 'You review code carefully and answer in one line. '.repeat(300);
	const history: Array<{role: 'user' | 'assistant'; content: string}> = [];
	const cached: number[] = [];
	for (const question of ['first question', 'second question', 'third question']) {
		history.push({role: 'user', content: question});
		// eslint-disable-next-line no-await-in-loop
		const answer = await client.chat.completions.create({model: 'gpt-4o', messages: [{role: 'system', content: system}, ...history]});
		cached.push(answer.usage?.prompt_tokens_details?.cached_tokens ?? 0);
		history.push({role: 'assistant', content: answer.choices[0]!.message.content ?? ''});
	}

	assert.equal(cached[0], 0, 'nothing cached before the first turn');
	assert.ok(cached[1]! > 0, `the second turn reads the first turn's prompt from the cache (read ${cached[1]})`);
	assert.ok(cached[2]! > cached[1]!, `the third reads more: the second turn's prompt too (read ${cached[2]})`);
	const body = sentBody(simulator.requests.at(-1));
	const marked = JSON.stringify(body).split('"cache_control"').length - 1;
	assert.equal(marked, 3, 'three of the four breakpoints Anthropic allows');
});

test('streaming with include_usage: role first, content deltas, a finish chunk, a usage chunk, [DONE]; usage recorded as for /v1/messages', async () => {
	const {harness, client} = await setup();
	const stream = await client.chat.completions.create({
		model: 'claude-sonnet-4-6',
		messages: [{role: 'user', content: 'tell me something'}],
		stream: true,
		stream_options: {include_usage: true},
	});
	const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
	for await (const chunk of stream) {
		chunks.push(chunk);
	}

	assert.ok(chunks.length >= 4, `${chunks.length} chunks`);
	assert.equal(chunks[0]!.choices[0]!.delta.role, 'assistant');
	assert.ok(chunks.every(chunk => chunk.object === 'chat.completion.chunk' && chunk.id === chunks[0]!.id));
	const text = chunks.map(chunk => chunk.choices[0]?.delta.content ?? '').join('');
	assert.equal(text, 'Hello from fake claude-sonnet-4-6');
	const contentChunks = chunks.filter(chunk => chunk.choices[0]?.delta.content);
	assert.ok(contentChunks.length > 1, 'the text arrives in pieces, as it streams');
	const finishes = chunks.filter(chunk => chunk.choices[0]?.finish_reason);
	assert.deepEqual(finishes.map(chunk => chunk.choices[0]!.finish_reason), ['stop'], 'one finish chunk');
	const last = chunks.at(-1)!;
	assert.deepEqual(last.choices, [], 'the usage chunk has no choices');
	assert.ok(last.usage && last.usage.prompt_tokens > 0 && last.usage.completion_tokens > 0);
	assert.ok(chunks.slice(0, -1).every(chunk => chunk.usage === null), 'every other chunk says usage: null');

	const record = lastRecord(harness);
	assert.equal(record.frontDoor, 'openai');
	assert.equal(record.stream, true);
	assert.equal(record.outcome, 'complete');
	assert.equal(record.inputTokens + record.cacheReadTokens + record.cacheWriteTokens, last.usage.prompt_tokens);
	assert.equal(record.outputTokens, last.usage.completion_tokens);
	assert.ok(record.ttftMs !== null);

	// The same request as a Messages client would send it is accounted the same.
	const direct = await harness.post({model: 'claude-sonnet-4-6', max_tokens: 8192, messages: [{role: 'user', content: [{type: 'text', text: 'tell me something', cache_control: {type: 'ephemeral'}}]}], stream: true});
	await direct.text();
	const messagesRecord = lastRecord(harness);
	assert.equal(messagesRecord.frontDoor, 'anthropic');
	// It reads from the cache the translated request wrote: the same tokens, split differently.
	const promptTokens = (entry: typeof record) => entry.inputTokens + entry.cacheReadTokens + entry.cacheWriteTokens;
	assert.deepEqual([promptTokens(messagesRecord), messagesRecord.outputTokens], [promptTokens(record), record.outputTokens]);
	assert.equal(messagesRecord.cacheReadTokens, record.cacheWriteTokens);
});

test('the raw stream is OpenAI\'s wire format and ends with data: [DONE]', async () => {
	const {harness} = await setup();
	const response = await fetch(`${harness.url}/v1/chat/completions`, {
		method: 'POST',
		headers: {'content-type': 'application/json'},
		body: JSON.stringify({model: 'gpt-4o-mini', messages: [{role: 'user', content: 'hi'}], stream: true}),
	});
	assert.equal(response.status, 200);
	assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
	const body = await response.text();
	const events = body.split('\n\n').filter(event => event !== '' && !event.startsWith(':'));
	assert.ok(events.every(event => event.startsWith('data: ')), body);
	assert.equal(events.at(-1), 'data: [DONE]');
	assert.ok(!body.includes('event:'), 'no Anthropic event lines reach an OpenAI client');
	const chunks = events.slice(0, -1).map(event => JSON.parse(event.slice('data: '.length)) as Record<string, unknown>);
	assert.ok(chunks.every(chunk => !('usage' in chunk)), 'without include_usage no chunk carries usage');
	assert.equal(chunks[0]!['model'], 'claude-haiku-4-5-20251001');
});

test('a tool call and its result round-trip: tool_calls with JSON arguments, then tool messages become tool_result blocks with the ids kept', async () => {
	const {simulator, client} = await setup();
	const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [{role: 'user', content: 'What is the weather in Paris?'}];
	const first = await client.chat.completions.create({
		model: 'gpt-4o',
		messages,
		tools: [weatherTool],
		tool_choice: {type: 'function', function: {name: 'get_weather'}},
	});
	const choice = first.choices[0]!;
	assert.equal(choice.finish_reason, 'tool_calls');
	assert.equal(choice.message.content, 'I will use get_weather.');
	const calls = choice.message.tool_calls ?? [];
	assert.equal(calls.length, 1);
	const call = calls[0]!;
	assert.equal(call.type, 'function');
	assert.match(call.id, /^toolu_/);
	assert.equal(call.type === 'function' && call.function.name, 'get_weather');
	assert.deepEqual(call.type === 'function' && JSON.parse(call.function.arguments), {city: 'sim'});
	const upBody = sentBody(simulator.requests.at(-1));
	assert.deepEqual(upBody['tools'], [{name: 'get_weather', description: 'The weather in a city', input_schema: weatherTool.function.parameters}]);
	assert.deepEqual(upBody['tool_choice'], {type: 'tool', name: 'get_weather'});

	messages.push(choice.message, {role: 'tool', tool_call_id: call.id, content: 'Sunny, 24 °C'});
	const second = await client.chat.completions.create({model: 'gpt-4o', messages, tools: [weatherTool]});
	assert.equal(second.choices[0]!.finish_reason, 'stop');
	assert.equal(second.choices[0]!.message.content, 'Hello from fake claude-sonnet-4-6');
	assert.equal(second.choices[0]!.message.tool_calls, undefined);
	const sent = sentBody(simulator.requests.at(-1))['messages'];
	assert.deepEqual(sent, [
		{role: 'user', content: [{type: 'text', text: 'What is the weather in Paris?', cache_control: {type: 'ephemeral'}}]},
		{role: 'assistant', content: [{type: 'text', text: 'I will use get_weather.'}, {type: 'tool_use', id: call.id, name: 'get_weather', input: {city: 'sim'}}]},
		{role: 'user', content: [{type: 'tool_result', tool_use_id: call.id, content: [{type: 'text', text: 'Sunny, 24 °C'}], cache_control: {type: 'ephemeral'}}]},
	]);
});

test('a streamed tool call arrives as tool-call deltas: id and name first, then the arguments piece by piece', async () => {
	const {client} = await setup();
	const stream = await client.chat.completions.create({
		model: 'gpt-4o',
		messages: [{role: 'user', content: 'Please use the get_weather tool for Paris.'}],
		tools: [weatherTool],
		stream: true,
	});
	const deltas: OpenAI.Chat.Completions.ChatCompletionChunk.Choice.Delta.ToolCall[] = [];
	let finish: string | null | undefined;
	for await (const chunk of stream) {
		deltas.push(...chunk.choices[0]?.delta.tool_calls ?? []);
		finish = chunk.choices[0]?.finish_reason ?? finish;
	}

	assert.equal(finish, 'tool_calls');
	assert.ok(deltas.length >= 2, 'the call opens, then its arguments follow');
	assert.ok(deltas.every(delta => delta.index === 0));
	assert.match(deltas[0]!.id ?? '', /^toolu_/);
	assert.equal(deltas[0]!.function?.name, 'get_weather');
	assert.equal(deltas.slice(1).every(delta => delta.id === undefined), true, 'the id comes once');
	assert.deepEqual(JSON.parse(deltas.map(delta => delta.function?.arguments ?? '').join('')), {city: 'sim'});

	// The SDK's own accumulator puts the same call back together.
	const helper = client.chat.completions.stream({
		model: 'gpt-4o',
		messages: [{role: 'user', content: 'Please use the get_weather tool for Paris.'}],
		tools: [weatherTool],
	});
	const final = await helper.finalChatCompletion();
	const [call] = final.choices[0]!.message.tool_calls ?? [];
	assert.equal(call?.type === 'function' && call.function.arguments, '{"city":"sim"}');
});

test('a 429 on the first account fails over invisibly: the client gets its answer, the try is in the record', async () => {
	const {simulator, harness, client} = await setup();
	simulator.arm('secret-a', {type: 'quota_429', resetInSeconds: 30});
	const {data, response} = await client.chat.completions.create({model: 'gpt-4o', messages: [{role: 'user', content: 'hello'}]}).withResponse();
	assert.equal(data.choices[0]!.message.content, 'Hello from fake claude-sonnet-4-6');
	assert.equal(response.headers.get('x-shunt-account'), 'b');
	assert.deepEqual(simulator.requests.map(entry => [entry.account, entry.status]), [['a', 429], ['b', 200]]);
	const record = lastRecord(harness);
	assert.deepEqual(record.attempts.map(attempt => [attempt.account, attempt.status]), [['a', 429]]);
	assert.equal(record.frontDoor, 'openai');
	assert.ok(harness.store.cooldownUntil('a') > Date.now(), 'the account that refused cools down');
});

test('upstream errors come back in OpenAI\'s shape with their status', async () => {
	const {simulator, client} = await setup({accounts: [{name: 'a', kind: 'apikey'}]});
	simulator.arm('secret-a', {type: 'bad_request'});
	const bad = await client.chat.completions.create({model: 'gpt-4o', messages: [{role: 'user', content: 'hello'}]}).catch((error: unknown) => error);
	assert.ok(bad instanceof OpenAI.BadRequestError, String(bad));
	assert.equal(bad.status, 400);
	assert.equal(bad.type, 'invalid_request_error');
	assert.match(bad.message, /roles must alternate/);
	assert.equal(bad.headers?.get('x-shunt-account'), 'a');

	simulator.arm('secret-a', {type: 'api_error'});
	const failed = await client.chat.completions.create({model: 'gpt-4o', messages: [{role: 'user', content: 'hello'}], stream: true}).catch((error: unknown) => error);
	assert.ok(failed instanceof OpenAI.InternalServerError, String(failed));
	assert.equal(failed.status, 500);
	assert.equal(failed.type, 'server_error');

	simulator.arm('secret-a', {type: 'overloaded'});
	const overloaded = await client.chat.completions.create({model: 'gpt-4o', messages: [{role: 'user', content: 'hello'}]}).catch((error: unknown) => error);
	assert.ok(overloaded instanceof OpenAI.APIError, String(overloaded));
	assert.equal(overloaded.status, 503, 'a 529 reaches OpenAI clients as the 503 they know');
	assert.equal(overloaded.code, 'overloaded');
});

test('shunt\'s own 429 when every account is out of quota: OpenAI\'s shape, the real wait in retry-after', async () => {
	const {simulator, client} = await setup({accounts: [{name: 'a', kind: 'apikey'}], harness: {maxHoldMs: 0}});
	simulator.arm('secret-a', {type: 'quota_429', resetInSeconds: 600});
	const error = await client.chat.completions.create({model: 'gpt-4o', messages: [{role: 'user', content: 'hello'}]}).catch((caught: unknown) => caught);
	assert.ok(error instanceof OpenAI.RateLimitError, String(error));
	assert.equal(error.type, 'rate_limit_error');
	assert.equal(error.code, 'rate_limit_exceeded');
	const retryAfter = Number(error.headers?.get('retry-after'));
	assert.ok(retryAfter >= 590 && retryAfter <= 602, `retry-after ${retryAfter}: the account's own wait`);
});

test('unsupported parameters are refused with a 400 naming them, and nothing reaches the upstream', async () => {
	const {simulator, harness, client} = await setup();
	const cases: Array<[Record<string, unknown>, string]> = [
		[{n: 2}, 'n'],
		[{logprobs: true}, 'logprobs'],
		[{audio: {voice: 'alloy', format: 'mp3'}, modalities: ['text', 'audio']}, 'audio'],
		[{response_format: {type: 'json_object'}}, 'response_format'],
		[{seed: 7}, 'seed'],
		[{temperature: 1.5}, 'temperature'],
	];
	for (const [extra, param] of cases) {
		// eslint-disable-next-line no-await-in-loop
		const error = await client.chat.completions.create({model: 'gpt-4o', messages: [{role: 'user', content: 'hello'}], ...extra} as OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming).catch((caught: unknown) => caught);
		assert.ok(error instanceof OpenAI.BadRequestError, `${param}: ${String(error)}`);
		assert.equal(error.param, param);
		assert.equal(error.type, 'invalid_request_error');
		assert.match(error.message, new RegExp(param));
	}

	const unknown = await fetch(`${harness.url}/v1/chat/completions`, {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify({model: 'gpt-4o', messages: [{role: 'user', content: 'hi'}], frobnicate: true})});
	assert.equal(unknown.status, 400);
	assert.deepEqual(await unknown.json(), {error: {message: 'Unrecognized request argument supplied: frobnicate', type: 'invalid_request_error', param: 'frobnicate', code: 'unknown_parameter'}});

	const unmapped = await client.chat.completions.create({model: 'text-davinci-003', messages: [{role: 'user', content: 'hello'}]}).catch((caught: unknown) => caught);
	assert.ok(unmapped instanceof OpenAI.NotFoundError, String(unmapped));
	assert.equal(unmapped.code, 'model_not_found');
	assert.match(unmapped.message, /openaiModelMap/);

	const notJson = await fetch(`${harness.url}/v1/chat/completions`, {method: 'POST', headers: {'content-type': 'application/json'}, body: '{"model": '});
	assert.equal(notJson.status, 400);
	assert.equal(((await notJson.json()) as {error: {type: string}}).error.type, 'invalid_request_error');

	assert.equal(simulator.requests.length, 0, 'no refused request reached the upstream');
	const record = lastRecord(harness);
	assert.equal(record.account, null);
	assert.equal(record.frontDoor, 'openai');
	assert.equal(record.status, 400);
	assert.equal(record.shuntReason, 'not JSON');
});

test('a pool of subscriptions only: a clear error saying the OpenAI door serves API keys and how to opt in; the setting opts in', async () => {
	const first = await setup({accounts: [{name: 'sub', kind: 'oauth'}]});
	const {simulator, client} = first;
	let {harness: current} = first;
	const error = await client.chat.completions.create({model: 'gpt-4o', messages: [{role: 'user', content: 'hello'}]}).catch((caught: unknown) => caught);
	assert.ok(error instanceof OpenAI.APIError, String(error));
	assert.equal(error.status, 503);
	assert.match(error.message, /API-key accounts only/);
	assert.match(error.message, /openaiAllowSubscriptions/);
	assert.match(error.message, /shunt add-account <name> --api-key/);
	assert.equal(simulator.requests.length, 0);
	const record = lastRecord(current);
	assert.equal(record.shuntReason, 'no account for this client');
	assert.deepEqual(record.decision?.candidates.map(candidate => [candidate.account, candidate.eligible, candidate.why]), [['sub', false, 'subscription: not for this client']]);

	// The Messages API still uses it.
	const messages = await current.post(message());
	assert.equal(messages.status, 200);
	await messages.arrayBuffer();

	await current.close();
	current = await startHarness({upstream: simulator.url, accounts: [{name: 'sub', kind: 'oauth', secret: 'secret-sub'}], openai: {allowSubscriptions: true}});
	harness = current;
	const optedIn = new OpenAI({baseURL: `${current.url}/v1`, apiKey: 'x', maxRetries: 0});
	const {response} = await optedIn.chat.completions.create({model: 'gpt-4o', messages: [{role: 'user', content: 'hello'}]}).withResponse();
	assert.equal(response.headers.get('x-shunt-account'), 'sub');
});

test('in a mixed pool the OpenAI door uses the API key even when the subscription is pinned, and the Messages API keeps the pin', async () => {
	const {simulator, harness, client} = await setup({accounts: [{name: 'sub', kind: 'oauth'}, {name: 'key', kind: 'apikey'}]});
	harness.store.pin('sub');
	const {response} = await client.chat.completions.create({model: 'gpt-4o', messages: [{role: 'user', content: 'hello'}]}).withResponse();
	assert.equal(response.headers.get('x-shunt-account'), 'key');
	const record = lastRecord(harness);
	assert.deepEqual(record.decision?.candidates.map(candidate => [candidate.account, candidate.why]), [['sub', 'subscription: not for this client'], ['key', 'chosen']]);
	const direct = await harness.post(message());
	assert.equal(direct.headers.get('x-shunt-account'), 'sub');
	await direct.arrayBuffer();
	assert.deepEqual(simulator.requests.map(entry => entry.account), ['key', 'sub']);
});

test('the model map: defaults, a setting over them, Claude ids as they are', async () => {
	const {simulator, client} = await setup({harness: {openai: {modelMap: {'gpt-4o': 'claude-opus-4-8', 'my-model': 'claude-haiku-4-5-20251001'}}}});
	for (const [asked, sent] of [['gpt-4o', 'claude-opus-4-8'], ['my-model', 'claude-haiku-4-5-20251001'], ['gpt-4o-mini-2024-07-18', 'claude-haiku-4-5-20251001'], ['o3', 'claude-opus-4-8'], ['claude-sonnet-4-6', 'claude-sonnet-4-6']] as const) {
		// eslint-disable-next-line no-await-in-loop
		const completion = await client.chat.completions.create({model: asked, messages: [{role: 'user', content: 'hello'}]});
		assert.equal(completion.model, sent, asked);
		assert.equal(sentBody(simulator.requests.at(-1))['model'], sent, asked);
	}
});

test('with SHUNT_CLIENT_KEY the OpenAI client authenticates with its api key, and a wrong one is refused in OpenAI\'s shape', async () => {
	const {harness} = await setup({harness: {clientKey: 'team-key'}});
	const good = new OpenAI({baseURL: `${harness.url}/v1`, apiKey: 'team-key', maxRetries: 0});
	const completion = await good.chat.completions.create({model: 'gpt-4o', messages: [{role: 'user', content: 'hello'}]});
	assert.equal(completion.choices[0]!.finish_reason, 'stop');
	const wrong = new OpenAI({baseURL: `${harness.url}/v1`, apiKey: 'guess', maxRetries: 0});
	const error = await wrong.chat.completions.create({model: 'gpt-4o', messages: [{role: 'user', content: 'hello'}]}).catch((caught: unknown) => caught);
	assert.ok(error instanceof OpenAI.AuthenticationError, String(error));
	assert.equal(error.type, 'authentication_error');
});

test('mid-stream: an upstream error event reaches the SDK as an error, and the request is recorded as one', async () => {
	const {simulator, harness, client} = await setup({accounts: [{name: 'a', kind: 'apikey'}]});
	simulator.arm('secret-a', {type: 'midstream_error', afterDeltas: 2});
	const stream = await client.chat.completions.create({model: 'gpt-4o', messages: [{role: 'user', content: 'hello'}], stream: true});
	let text = '';
	const error = await (async () => {
		for await (const chunk of stream) {
			text += chunk.choices[0]?.delta.content ?? '';
		}
	})().catch((caught: unknown) => caught);
	assert.ok(error instanceof OpenAI.APIError, String(error));
	assert.match(error.message, /Overloaded/);
	assert.ok(text.length > 0 && text.length < 'Hello from fake claude-sonnet-4-6'.length, `partial text "${text}"`);
	assert.equal(lastRecord(harness).outcome, 'error');
});

test('an upstream that goes silent mid-answer: a stream ends with an error chunk, a whole answer with a 504, both recorded truncated', async () => {
	const {simulator, harness, client} = await setup({accounts: [{name: 'a', kind: 'apikey'}], harness: {upstreamIdleTimeoutMs: 300}});
	simulator.arm('secret-a', {type: 'stall', afterDeltas: 1, ms: 5000, silent: true});
	const stream = await client.chat.completions.create({model: 'gpt-4o', messages: [{role: 'user', content: 'hello'}], stream: true});
	const error = await (async () => {
		for await (const _chunk of stream) {
			// Read until it ends.
		}
	})().catch((caught: unknown) => caught);
	assert.ok(error instanceof OpenAI.APIError, String(error));
	assert.match(error.message, /the upstream sent nothing/);
	assert.equal(lastRecord(harness).outcome, 'truncated');

	simulator.arm('secret-a', {type: 'body_stall', afterBytes: 10, ms: 5000});
	const whole = await client.chat.completions.create({model: 'gpt-4o', messages: [{role: 'user', content: 'hello'}]}).catch((caught: unknown) => caught);
	assert.ok(whole instanceof OpenAI.APIError, String(whole));
	assert.equal(whole.status, 504);
	assert.equal(whole.code, 'timeout');
	assert.equal(lastRecord(harness).outcome, 'truncated');
});

test('a client that leaves mid-stream is recorded as cancelled and the upstream request is cut', async () => {
	simulator = new Simulator({chunkDelayMs: 50});
	await simulator.listen();
	simulator.addAccount({kind: 'apikey', credential: 'secret-a', name: 'a'});
	harness = await startHarness({upstream: simulator.url, accounts: [{name: 'a', kind: 'apikey', secret: 'secret-a'}]});
	const client = new OpenAI({baseURL: `${harness.url}/v1`, apiKey: 'x', maxRetries: 0});
	const stream = await client.chat.completions.create({model: 'gpt-4o', messages: [{role: 'user', content: 'hello'}], stream: true});
	for await (const chunk of stream) {
		if (chunk.choices[0]?.delta.content) {
			break;
		}
	}

	const h = harness;
	const record = await waitFor(() => h.store.freshSnapshot().requests[0], 'the request is recorded');
	assert.equal(record.outcome, 'client-cancelled');
	assert.equal(record.frontDoor, 'openai');
	await waitFor(() => simulator?.requests.at(-1)?.closedEarly, 'the upstream request was cut');
});
