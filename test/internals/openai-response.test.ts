// covers: source/openai/response.ts, source/openai/stream.ts, source/openai/errors.ts
// Messages responses → Chat Completions responses: the JSON body, the SSE stream event by event
// (split anywhere across chunks), and errors with their status.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {openAiError, openAiStatus, translateErrorBody} from '../../source/openai/errors.js';
import {finishReason, translateResponse} from '../../source/openai/response.js';
import {ChatStreamTranslator} from '../../source/openai/stream.js';

const usage = {input_tokens: 10, cache_creation_input_tokens: 4, cache_read_input_tokens: 30, output_tokens: 7};

test('response: text content, finish reason, usage with cached tokens in prompt_tokens_details', () => {
	const completion = translateResponse({
		id: 'msg_01abc',
		type: 'message',
		role: 'assistant',
		model: 'claude-sonnet-4-6',
		content: [{type: 'text', text: 'Hello'}, {type: 'text', text: ' there'}],
		stop_reason: 'end_turn',
		usage,
	}, {created: 1_700_000_000});
	assert.deepEqual(completion, {
		id: 'chatcmpl-msg_01abc',
		object: 'chat.completion',
		created: 1_700_000_000,
		model: 'claude-sonnet-4-6',
		choices: [{index: 0, message: {role: 'assistant', content: 'Hello there', refusal: null}, logprobs: null, finish_reason: 'stop'}],
		usage: {prompt_tokens: 44, completion_tokens: 7, total_tokens: 51, prompt_tokens_details: {cached_tokens: 30}},
	});
});

test('response: tool_use blocks are tool_calls with JSON-string arguments and their ids; thinking is left out', () => {
	const completion = translateResponse({
		id: 'msg_1',
		model: 'claude-opus-4-8',
		content: [
			{type: 'thinking', thinking: 'hmm', signature: 's'},
			{type: 'tool_use', id: 'toolu_1', name: 'read', input: {path: 'a', n: 2}},
			{type: 'tool_use', id: 'toolu_2', name: 'list', input: {}},
		],
		stop_reason: 'tool_use',
		usage,
	}, {created: 1});
	const [choice] = completion['choices'] as Array<Record<string, unknown>>;
	assert.equal(choice!['finish_reason'], 'tool_calls');
	assert.deepEqual(choice!['message'], {
		role: 'assistant',
		content: null,
		refusal: null,
		tool_calls: [
			{id: 'toolu_1', type: 'function', function: {name: 'read', arguments: '{"path":"a","n":2}'}},
			{id: 'toolu_2', type: 'function', function: {name: 'list', arguments: '{}'}},
		],
	});
});

test('response: a message without usage or content still has the shape', () => {
	const completion = translateResponse({}, {created: 1});
	assert.equal(completion['id'], 'chatcmpl-shunt');
	assert.deepEqual(completion['usage'], {prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, prompt_tokens_details: {cached_tokens: 0}});
	assert.deepEqual((completion['choices'] as Array<Record<string, unknown>>)[0]!['message'], {role: 'assistant', content: '', refusal: null});
});

test('finish_reason for every stop_reason', () => {
	const rows: Array<[unknown, string]> = [
		['end_turn', 'stop'], ['stop_sequence', 'stop'], ['pause_turn', 'stop'], ['max_tokens', 'length'],
		['model_context_window_exceeded', 'length'], ['tool_use', 'tool_calls'], ['refusal', 'content_filter'],
		[null, 'stop'], [undefined, 'stop'], ['something_new', 'stop'], ['__proto__', 'stop'],
	];
	for (const [stop, finish] of rows) {
		assert.equal(finishReason(stop), finish, String(stop));
	}
});

function sse(events: Array<[string, unknown]>): string {
	return events.map(([name, data]) => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`).join('');
}

const toolStream = sse([
	['message_start', {type: 'message_start', message: {id: 'msg_9', model: 'claude-sonnet-4-6', content: [], usage: {input_tokens: 12, cache_read_input_tokens: 5, cache_creation_input_tokens: 0, output_tokens: 1}}}],
	['content_block_start', {type: 'content_block_start', index: 0, content_block: {type: 'text', text: ''}}],
	['ping', {type: 'ping'}],
	['content_block_delta', {type: 'content_block_delta', index: 0, delta: {type: 'text_delta', text: 'Let me '}}],
	['content_block_delta', {type: 'content_block_delta', index: 0, delta: {type: 'text_delta', text: 'look.'}}],
	['content_block_stop', {type: 'content_block_stop', index: 0}],
	['content_block_start', {type: 'content_block_start', index: 1, content_block: {type: 'thinking', thinking: ''}}],
	['content_block_delta', {type: 'content_block_delta', index: 1, delta: {type: 'thinking_delta', thinking: 'secret'}}],
	['content_block_stop', {type: 'content_block_stop', index: 1}],
	['content_block_start', {type: 'content_block_start', index: 2, content_block: {type: 'tool_use', id: 'toolu_a', name: 'read', input: {}}}],
	['content_block_delta', {type: 'content_block_delta', index: 2, delta: {type: 'input_json_delta', partial_json: ''}}],
	['content_block_delta', {type: 'content_block_delta', index: 2, delta: {type: 'input_json_delta', partial_json: '{"pa'}}],
	['content_block_delta', {type: 'content_block_delta', index: 2, delta: {type: 'input_json_delta', partial_json: 'th":"a"}'}}],
	['content_block_stop', {type: 'content_block_stop', index: 2}],
	['content_block_start', {type: 'content_block_start', index: 3, content_block: {type: 'tool_use', id: 'toolu_b', name: 'list', input: {}}}],
	['content_block_delta', {type: 'content_block_delta', index: 3, delta: {type: 'input_json_delta', partial_json: '{}'}}],
	['content_block_stop', {type: 'content_block_stop', index: 3}],
	['message_delta', {type: 'message_delta', delta: {stop_reason: 'tool_use', stop_sequence: null}, usage: {input_tokens: 12, cache_read_input_tokens: 5, cache_creation_input_tokens: 0, output_tokens: 40}}],
	['message_stop', {type: 'message_stop'}],
]);

/** The translator's output for a stream fed in pieces of `size` bytes, as data lines. */
function run(text: string, size: number, includeUsage: boolean, ended: 'end' | 'error' | 'idle' = 'end'): string[] {
	const translator = new ChatStreamTranslator({created: 5, includeUsage});
	const bytes = Buffer.from(text);
	let out = '';
	for (let at = 0; at < bytes.length; at += size) {
		out += translator.push(bytes.subarray(at, at + size));
	}

	out += translator.end(ended, 120_000);
	return out.split('\n\n').filter(line => line !== '');
}

const parsed = (lines: string[]) => lines.filter(line => line.startsWith('data: {')).map(line => JSON.parse(line.slice(6)) as Record<string, any>);

test('stream: role first, text deltas, tool-call deltas by index with id and name first, the finish chunk, usage, [DONE]', () => {
	const lines = run(toolStream, 1 << 20, true);
	assert.equal(lines.at(-1), 'data: [DONE]');
	assert.ok(lines.includes(': ping'), 'a ping is kept as a comment');
	const chunks = parsed(lines);
	const deltas = chunks.map(chunk => chunk['choices'][0]?.delta);
	assert.deepEqual(deltas, [
		{role: 'assistant', content: '', refusal: null},
		{content: 'Let me '},
		{content: 'look.'},
		{tool_calls: [{index: 0, id: 'toolu_a', type: 'function', function: {name: 'read', arguments: ''}}]},
		{tool_calls: [{index: 0, function: {arguments: '{"pa'}}]},
		{tool_calls: [{index: 0, function: {arguments: 'th":"a"}'}}]},
		{tool_calls: [{index: 1, id: 'toolu_b', type: 'function', function: {name: 'list', arguments: ''}}]},
		{tool_calls: [{index: 1, function: {arguments: '{}'}}]},
		{},
		undefined,
	]);
	assert.deepEqual(chunks.map(chunk => chunk['choices'][0]?.finish_reason ?? null), [null, null, null, null, null, null, null, null, 'tool_calls', null]);
	assert.ok(chunks.every(chunk => chunk['id'] === 'chatcmpl-msg_9' && chunk['object'] === 'chat.completion.chunk' && chunk['created'] === 5 && chunk['model'] === 'claude-sonnet-4-6'));
	const last = chunks.at(-1)!;
	assert.deepEqual(last['choices'], []);
	assert.deepEqual(last['usage'], {prompt_tokens: 17, completion_tokens: 40, total_tokens: 57, prompt_tokens_details: {cached_tokens: 5}});
	assert.ok(chunks.slice(0, -1).every(chunk => chunk['usage'] === null));
});

test('stream: the same output whatever the chunking (one byte at a time, CRLF framing)', () => {
	const whole = run(toolStream, 1 << 20, false);
	assert.deepEqual(run(toolStream, 1, false), whole);
	assert.deepEqual(run(toolStream, 7, false), whole);
	assert.deepEqual(run(toolStream.replaceAll('\n', '\r\n'), 3, false), whole);
	assert.ok(parsed(whole).every(chunk => !('usage' in chunk)), 'no usage field without include_usage');
	assert.equal(parsed(whole).length, 9, 'no usage chunk without include_usage');
});

test('stream: stop reasons map on the finish chunk', () => {
	for (const [stop, finish] of [['end_turn', 'stop'], ['max_tokens', 'length'], ['stop_sequence', 'stop']] as const) {
		const text = sse([
			['message_start', {type: 'message_start', message: {id: 'm', model: 'x', usage: {input_tokens: 1, output_tokens: 1}}}],
			['message_delta', {type: 'message_delta', delta: {stop_reason: stop}, usage: {output_tokens: 3}}],
			['message_stop', {type: 'message_stop'}],
		]);
		const chunks = parsed(run(text, 64, false));
		assert.equal(chunks.at(-1)!['choices'][0].finish_reason, finish, stop);
	}
});

test('stream: an upstream error event becomes an error chunk, and nothing after it goes out', () => {
	const text = sse([
		['message_start', {type: 'message_start', message: {id: 'm', model: 'x', usage: {input_tokens: 1, output_tokens: 1}}}],
		['content_block_delta', {type: 'content_block_delta', index: 0, delta: {type: 'text_delta', text: 'par'}}],
		['error', {type: 'error', error: {type: 'overloaded_error', message: 'Overloaded'}}],
		['content_block_delta', {type: 'content_block_delta', index: 0, delta: {type: 'text_delta', text: 'tial'}}],
	]);
	const lines = run(text, 16, true);
	assert.ok(!lines.includes('data: [DONE]'));
	const chunks = parsed(lines);
	assert.deepEqual(chunks.at(-1), {error: {message: 'Overloaded', type: 'server_error', param: null, code: 'overloaded'}});
	assert.equal(chunks.filter(chunk => chunk['choices']?.[0]?.delta?.content === 'tial').length, 0);
});

test('stream: a stream that breaks or goes silent ends with an error chunk, not a made-up finish', () => {
	const partial = sse([
		['message_start', {type: 'message_start', message: {id: 'm', model: 'x', usage: {input_tokens: 1, output_tokens: 1}}}],
		['content_block_delta', {type: 'content_block_delta', index: 0, delta: {type: 'text_delta', text: 'par'}}],
	]);
	const broken = parsed(run(partial, 16, false, 'error'));
	assert.equal(broken.at(-1)!['error'].type, 'server_error');
	assert.match(broken.at(-1)!['error'].message, /broke off/);
	const silent = parsed(run(partial, 16, false, 'idle'));
	assert.deepEqual(silent.at(-1)!['error'], {message: 'the upstream sent nothing for 120 s; shunt ended the stream', type: 'server_error', param: null, code: 'timeout'});
	const endedEarly = parsed(run(partial, 16, false, 'end'));
	assert.ok(endedEarly.at(-1)!['error'], 'an end without message_stop is not a finished answer');
	assert.equal(run(toolStream, 64, false, 'end').at(-1), 'data: [DONE]', 'a finished stream gets nothing more at its end');
});

test('stream: hostile events (not JSON, not objects, unknown types, a tool delta for no block) are skipped', () => {
	const text = 'event: message_start\ndata: {not json\n\nevent: content_block_delta\ndata: [1,2]\n\n'
		+ sse([
			['something_new', {type: 'something_new'}],
			['content_block_delta', {type: 'content_block_delta', index: 9, delta: {type: 'input_json_delta', partial_json: '{"x":1}'}}],
			['message_stop', {type: 'message_stop'}],
		]);
	const chunks = parsed(run(text, 5, false));
	assert.deepEqual(chunks.map(chunk => chunk['choices'][0].delta), [{role: 'assistant', content: '', refusal: null}, {}]);
	assert.equal(chunks[0]!['id'], 'chatcmpl-shunt');
});

test('errors: Anthropic types become OpenAI types and codes; 529 becomes 503', () => {
	const rows: Array<[string, string, string | null]> = [
		['invalid_request_error', 'invalid_request_error', null],
		['authentication_error', 'authentication_error', 'invalid_api_key'],
		['permission_error', 'permission_error', null],
		['not_found_error', 'invalid_request_error', 'not_found'],
		['rate_limit_error', 'rate_limit_error', 'rate_limit_exceeded'],
		['request_too_large', 'invalid_request_error', 'request_too_large'],
		['billing_error', 'insufficient_quota', 'insufficient_quota'],
		['api_error', 'server_error', null],
		['overloaded_error', 'server_error', 'overloaded'],
		['timeout_error', 'server_error', 'timeout'],
		['brand_new_error', 'server_error', null],
		['__proto__', 'server_error', null],
	];
	for (const [anthropic, type, code] of rows) {
		const error = openAiError(anthropic, 'm');
		assert.deepEqual([error.type, error.code, error.param, error.message], [type, code, null, 'm'], anthropic);
	}

	assert.equal(openAiError('not_found_error', 'model: claude-x').code, 'model_not_found');
	assert.deepEqual([400, 401, 404, 429, 500, 503, 504, 529].map(status => openAiStatus(status)), [400, 401, 404, 429, 500, 503, 504, 503]);
});

test('errors: an upstream body is read for its type and message, whatever it is', () => {
	assert.deepEqual(translateErrorBody(400, Buffer.from('{"type":"error","error":{"type":"invalid_request_error","message":"max_tokens: Field required"},"request_id":"req_1"}')), {message: 'max_tokens: Field required', type: 'invalid_request_error', param: null, code: null});
	assert.deepEqual(translateErrorBody(502, '<html>bad gateway</html>'), {message: 'the upstream answered 502', type: 'server_error', param: null, code: null});
	assert.equal(translateErrorBody(429, '').type, 'rate_limit_error');
	assert.equal(translateErrorBody(401, '{}').type, 'authentication_error');
	assert.equal(translateErrorBody(413, '{"error": "too big"}').type, 'invalid_request_error');
	assert.equal(translateErrorBody(500, JSON.stringify({error: {type: 'api_error', message: 'x'.repeat(10_000)}})).message.length, 4096, 'a huge message is cut');
});
