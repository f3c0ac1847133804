// covers: source/openai/request.ts, source/openai/cache-points.ts, source/openai/request-messages.ts, source/openai/request-tools.ts, source/openai/refused.ts, source/openai/model-map.ts
// Chat Completions requests → Messages requests, row by row: what each OpenAI field becomes, and
// what is refused (with the parameter named) instead of being dropped.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {defaultOpenAiModelMap, modelMap} from '../../source/openai/model-map.js';
import {defaultMaxTokens, translateRequest} from '../../source/openai/request.js';

const models = modelMap();
const user = {role: 'user', content: 'hi'};
const translate = (body: Record<string, unknown>) => translateRequest({model: 'claude-sonnet-4-6', messages: [user], ...body}, {models});

function sent(body: Record<string, unknown>): Record<string, unknown> {
	const result = translate(body);
	assert.ok(result.ok, result.ok ? '' : `refused: ${result.error.message}`);
	return result.body;
}

type Row = {name: string; body: Record<string, unknown>; expect: Record<string, unknown>};

// Each row: the OpenAI request (over a one-message default) and the fields of the Messages request it must produce.
const rows: Row[] = [
	{name: 'the minimum: a default max_tokens, the user text as a block', body: {}, expect: {model: 'claude-sonnet-4-6', max_tokens: defaultMaxTokens, messages: [{role: 'user', content: [{type: 'text', text: 'hi'}]}]}},
	{name: 'max_completion_tokens wins over max_tokens', body: {max_tokens: 10, max_completion_tokens: 20}, expect: {max_tokens: 20}},
	{name: 'max_tokens alone', body: {max_tokens: 10}, expect: {max_tokens: 10}},
	{
		name: 'system and developer messages, in order, become system blocks',
		body: {messages: [{role: 'system', content: 'one'}, {role: 'developer', content: [{type: 'text', text: 'two'}]}, user]},
		expect: {system: [{type: 'text', text: 'one'}, {type: 'text', text: 'two'}]},
	},
	{name: 'temperature and top_p pass', body: {temperature: 0, top_p: 0.9}, expect: {temperature: 0, top_p: 0.9}},
	{name: 'a stop string becomes one stop sequence', body: {stop: 'END'}, expect: {stop_sequences: ['END']}},
	{name: 'a stop list becomes stop sequences', body: {stop: ['a', 'b']}, expect: {stop_sequences: ['a', 'b']}},
	{name: 'stream passes', body: {stream: true, stream_options: {include_usage: true}}, expect: {stream: true}},
	{name: 'stream false is not sent', body: {stream: false}, expect: {stream: undefined}},
	{name: 'reasoning_effort becomes the effort setting', body: {reasoning_effort: 'high'}, expect: {output_config: {effort: 'high'}}},
	{name: 'xhigh is Claude\'s max', body: {reasoning_effort: 'xhigh'}, expect: {output_config: {effort: 'max'}}},
	{name: 'minimal is Claude\'s low', body: {reasoning_effort: 'minimal'}, expect: {output_config: {effort: 'low'}}},
	{name: 'Haiku takes no effort setting', body: {model: 'claude-haiku-4-5-20251001', reasoning_effort: 'high'}, expect: {output_config: undefined}},
	{name: 'user becomes metadata.user_id', body: {user: 'u-42'}, expect: {metadata: {user_id: 'u-42'}}},
	{name: 'an OpenAI model name is mapped', body: {model: 'gpt-4o-mini'}, expect: {model: 'claude-haiku-4-5-20251001'}},
	{name: 'defaults that change nothing are accepted', body: {n: 1, logprobs: false, frequency_penalty: 0, presence_penalty: 0, store: false, service_tier: 'auto', response_format: {type: 'text'}, seed: null, metadata: {a: 'b'}, prompt_cache_key: 'k'}, expect: {n: undefined, logprobs: undefined, metadata: undefined}},
	{
		name: 'user content parts: text and images (data URL and http URL)',
		body: {messages: [{role: 'user', content: [
			{type: 'text', text: 'look'},
			{type: 'image_url', image_url: {url: 'data:image/png;base64,iVBORw0KGgo='}},
			{type: 'image_url', image_url: {url: 'https://example.com/cat.jpg', detail: 'high'}},
		]}]},
		expect: {messages: [{role: 'user', content: [
			{type: 'text', text: 'look'},
			{type: 'image', source: {type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo='}},
			{type: 'image', source: {type: 'url', url: 'https://example.com/cat.jpg'}},
		]}]},
	},
	{
		name: 'assistant tool_calls become tool_use blocks (arguments parsed, ids kept); tool messages become tool_result blocks, consecutive ones merged into one user turn',
		body: {messages: [
			user,
			{role: 'assistant', content: null, tool_calls: [
				{id: 'call_1', type: 'function', function: {name: 'read', arguments: '{"path":"a"}'}},
				{id: 'call_2', type: 'function', function: {name: 'read', arguments: ''}},
			]},
			{role: 'tool', tool_call_id: 'call_1', content: 'A'},
			{role: 'tool', tool_call_id: 'call_2', content: [{type: 'text', text: 'B'}]},
			{role: 'user', content: 'and now?'},
		]},
		expect: {messages: [
			{role: 'user', content: [{type: 'text', text: 'hi'}]},
			{role: 'assistant', content: [
				{type: 'tool_use', id: 'call_1', name: 'read', input: {path: 'a'}},
				{type: 'tool_use', id: 'call_2', name: 'read', input: {}},
			]},
			{role: 'user', content: [
				{type: 'tool_result', tool_use_id: 'call_1', content: [{type: 'text', text: 'A'}]},
				{type: 'tool_result', tool_use_id: 'call_2', content: [{type: 'text', text: 'B'}]},
				{type: 'text', text: 'and now?'},
			]},
		]},
	},
	{name: 'an empty tool result has no content', body: {messages: [user, {role: 'assistant', tool_calls: [{id: 'c', type: 'function', function: {name: 't', arguments: '{}'}}]}, {role: 'tool', tool_call_id: 'c', content: ''}]}, expect: {messages: [
		{role: 'user', content: [{type: 'text', text: 'hi'}]},
		{role: 'assistant', content: [{type: 'tool_use', id: 'c', name: 't', input: {}}]},
		{role: 'user', content: [{type: 'tool_result', tool_use_id: 'c'}]},
	]}},
	{name: 'assistant text and refusal parts become text; a trailing assistant turn is a prefill', body: {messages: [user, {role: 'assistant', content: [{type: 'text', text: 'Sure'}, {type: 'refusal', refusal: 'no'}]}]}, expect: {messages: [
		{role: 'user', content: [{type: 'text', text: 'hi'}]},
		{role: 'assistant', content: [{type: 'text', text: 'Sure'}, {type: 'text', text: 'no'}]},
	]}},
	{name: 'consecutive user messages become one turn', body: {messages: [user, {role: 'user', content: 'again'}]}, expect: {messages: [{role: 'user', content: [{type: 'text', text: 'hi'}, {type: 'text', text: 'again'}]}]}},
	{
		name: 'tools: function tools with their schema; a tool without parameters gets an empty object schema',
		body: {tools: [
			{type: 'function', function: {name: 'a', description: 'A', parameters: {type: 'object', properties: {x: {type: 'number'}}}, strict: true}},
			{type: 'function', function: {name: 'b'}},
		]},
		expect: {tools: [
			{name: 'a', description: 'A', input_schema: {type: 'object', properties: {x: {type: 'number'}}}},
			{name: 'b', input_schema: {type: 'object', properties: {}}},
		]},
	},
	{name: 'tool_choice auto', body: {tools: [{type: 'function', function: {name: 'a'}}], tool_choice: 'auto'}, expect: {tool_choice: {type: 'auto'}}},
	{name: 'tool_choice none', body: {tools: [{type: 'function', function: {name: 'a'}}], tool_choice: 'none'}, expect: {tool_choice: {type: 'none'}}},
	{name: 'tool_choice required is any', body: {tools: [{type: 'function', function: {name: 'a'}}], tool_choice: 'required'}, expect: {tool_choice: {type: 'any'}}},
	{name: 'a named function is that tool', body: {tools: [{type: 'function', function: {name: 'a'}}], tool_choice: {type: 'function', function: {name: 'a'}}}, expect: {tool_choice: {type: 'tool', name: 'a'}}},
	{name: 'parallel_tool_calls false disables parallel tool use', body: {tools: [{type: 'function', function: {name: 'a'}}], parallel_tool_calls: false}, expect: {tool_choice: {type: 'auto', disable_parallel_tool_use: true}}},
	{name: 'parallel_tool_calls false with a forced tool', body: {tools: [{type: 'function', function: {name: 'a'}}], tool_choice: 'required', parallel_tool_calls: false}, expect: {tool_choice: {type: 'any', disable_parallel_tool_use: true}}},
	{name: 'tool_choice none without tools sends nothing', body: {tool_choice: 'none'}, expect: {tool_choice: undefined, tools: undefined}},
];

/** The body without its cache marks, which have their own test below. */
function unmarked(value: unknown): unknown {
	if (Array.isArray(value)) {
		return value.map(entry => unmarked(entry));
	}

	if (typeof value === 'object' && value !== null) {
		return Object.fromEntries(Object.entries(value).filter(([key]) => key !== 'cache_control').map(([key, entry]) => [key, unmarked(entry)]));
	}

	return value;
}

for (const row of rows) {
	test(`request: ${row.name}`, () => {
		const body = unmarked(sent(row.body)) as Record<string, unknown>;
		for (const [key, value] of Object.entries(row.expect)) {
			assert.deepEqual(body[key], value, key);
		}
	});
}

test('request: stream and include_usage are reported for the response side', () => {
	const result = translate({stream: true, stream_options: {include_usage: true}});
	assert.ok(result.ok);
	assert.equal(result.stream, true);
	assert.equal(result.includeUsage, true);
	assert.equal(result.clientModel, 'claude-sonnet-4-6');
	const plain = translate({});
	assert.ok(plain.ok);
	assert.deepEqual([plain.stream, plain.includeUsage], [false, false]);
});

type Refusal = {name: string; body: unknown; param: string; status?: number; message?: RegExp};

const refusals: Refusal[] = [
	{name: 'n above 1', body: {n: 2}, param: 'n', message: /one choice/},
	{name: 'logprobs', body: {logprobs: true}, param: 'logprobs'},
	{name: 'top_logprobs', body: {top_logprobs: 3}, param: 'top_logprobs'},
	{name: 'audio output', body: {audio: {voice: 'alloy', format: 'wav'}}, param: 'audio'},
	{name: 'audio modality', body: {modalities: ['text', 'audio']}, param: 'modalities'},
	{name: 'a frequency penalty', body: {frequency_penalty: 0.5}, param: 'frequency_penalty'},
	{name: 'a presence penalty', body: {presence_penalty: -1}, param: 'presence_penalty'},
	{name: 'logit_bias', body: {logit_bias: {50256: -100}}, param: 'logit_bias'},
	{name: 'a seed', body: {seed: 1}, param: 'seed'},
	{name: 'JSON mode', body: {response_format: {type: 'json_object'}}, param: 'response_format'},
	{name: 'a JSON schema response format', body: {response_format: {type: 'json_schema', json_schema: {name: 'x'}}}, param: 'response_format'},
	{name: 'predicted outputs', body: {prediction: {type: 'content', content: 'x'}}, param: 'prediction'},
	{name: 'web search', body: {web_search_options: {}}, param: 'web_search_options'},
	{name: 'stored completions', body: {store: true}, param: 'store'},
	{name: 'the deprecated functions', body: {functions: [{name: 'f'}]}, param: 'functions'},
	{name: 'a flex service tier', body: {service_tier: 'flex'}, param: 'service_tier'},
	{name: 'an unknown parameter', body: {frobnicate: 1}, param: 'frobnicate', message: /Unrecognized request argument/},
	{name: 'temperature above 1', body: {temperature: 1.2}, param: 'temperature', message: /0 to 1/},
	{name: 'temperature out of range', body: {temperature: 3}, param: 'temperature'},
	{name: 'max_tokens not a whole number', body: {max_tokens: 1.5}, param: 'max_tokens'},
	{name: 'max_tokens absurd', body: {max_completion_tokens: 1e12}, param: 'max_completion_tokens'},
	{name: 'a bad reasoning effort', body: {reasoning_effort: 'extreme'}, param: 'reasoning_effort'},
	{name: 'stream_options without stream', body: {stream_options: {include_usage: true}}, param: 'stream_options'},
	{name: 'an unmapped model', body: {model: 'davinci'}, param: 'model', status: 404, message: /openaiModelMap/},
	{name: 'no model', body: {model: ''}, param: 'model'},
	{name: 'no messages', body: {messages: []}, param: 'messages'},
	{name: 'only a system message', body: {messages: [{role: 'system', content: 'x'}]}, param: 'messages'},
	{name: 'a function message', body: {messages: [{role: 'function', name: 'f', content: 'x'}]}, param: 'messages[0].role'},
	{name: 'an unknown role', body: {messages: [{role: 'robot', content: 'x'}]}, param: 'messages[0].role'},
	{name: 'audio input', body: {messages: [{role: 'user', content: [{type: 'input_audio', input_audio: {data: '', format: 'wav'}}]}]}, param: 'messages[0].content[0]'},
	{name: 'a file part', body: {messages: [{role: 'user', content: [{type: 'file', file: {file_id: 'f'}}]}]}, param: 'messages[0].content[0]'},
	{name: 'an image that is not an image data URL', body: {messages: [{role: 'user', content: [{type: 'image_url', image_url: {url: 'data:text/html;base64,PGI+'}}]}]}, param: 'messages[0].content[0].image_url.url'},
	{name: 'an image from a file: URL', body: {messages: [{role: 'user', content: [{type: 'image_url', image_url: {url: 'file:///etc/passwd'}}]}]}, param: 'messages[0].content[0].image_url.url'},
	{name: 'tool call arguments that are not JSON', body: {messages: [user, {role: 'assistant', tool_calls: [{id: 'c', type: 'function', function: {name: 't', arguments: '{oops'}}]}]}, param: 'messages[1].tool_calls[0].function.arguments'},
	{name: 'tool call arguments that are not an object', body: {messages: [user, {role: 'assistant', tool_calls: [{id: 'c', type: 'function', function: {name: 't', arguments: '[1]'}}]}]}, param: 'messages[1].tool_calls[0].function.arguments'},
	{name: 'a tool message without its call id', body: {messages: [user, {role: 'tool', content: 'x'}]}, param: 'messages[1].tool_call_id'},
	{name: 'a custom tool', body: {tools: [{type: 'custom', custom: {name: 'x'}}]}, param: 'tools[0].type'},
	{name: 'a tool with a bad name', body: {tools: [{type: 'function', function: {name: 'has space'}}]}, param: 'tools[0].function.name'},
	{name: 'allowed_tools tool choice', body: {tools: [{type: 'function', function: {name: 'a'}}], tool_choice: {type: 'allowed_tools', allowed_tools: {mode: 'auto', tools: []}}}, param: 'tool_choice'},
	{name: 'tool_choice required without tools', body: {tool_choice: 'required'}, param: 'tool_choice'},
	{name: 'a user id too long', body: {user: 'u'.repeat(300)}, param: 'user'},
	{name: 'a body that is not an object', body: [1, 2], param: ''},
];

for (const row of refusals) {
	test(`refused: ${row.name}`, () => {
		const input = Array.isArray(row.body) ? row.body : {model: 'claude-sonnet-4-6', messages: [user], ...(row.body as Record<string, unknown>)};
		const result = translateRequest(input, {models});
		assert.equal(result.ok, false, 'refused');
		assert.ok(!result.ok);
		assert.equal(result.status, row.status ?? 400);
		assert.equal(result.error.param, row.param);
		assert.equal(result.error.type, 'invalid_request_error');
		if (row.message) {
			assert.match(result.error.message, row.message);
		}

		assert.ok(!/[\u0000-\u001F]/.test(result.error.message), 'one line');
	});
}

test('refused: a hostile parameter name is shown printable and short', () => {
	const result = translateRequest({model: 'gpt-4o', messages: [user], [`\u001B]0;pwned\u0007${'x'.repeat(500)}`]: 1}, {models});
	assert.ok(!result.ok);
	assert.ok(!/[\u0000-\u001F]/.test(result.error.message));
	assert.ok(result.error.message.length < 200);
});

test('model map: defaults, dated snapshots, Claude ids, the user\'s entries over the defaults, and "*"', () => {
	assert.equal(models('gpt-4o'), 'claude-sonnet-4-6');
	assert.equal(models('GPT-4o'), 'claude-sonnet-4-6');
	assert.equal(models('gpt-4o-mini'), 'claude-haiku-4-5-20251001');
	assert.equal(models('gpt-4o-2024-08-06'), 'claude-sonnet-4-6');
	assert.equal(models('gpt-4o-mini-2024-07-18'), 'claude-haiku-4-5-20251001');
	assert.equal(models('o3-mini-2025-01-31'), 'claude-sonnet-4-6');
	for (const name of ['o1', 'o3', 'gpt-5']) {
		assert.equal(models(name), 'claude-opus-4-8', name);
	}

	assert.equal(models('claude-opus-4-7'), 'claude-opus-4-7');
	assert.equal(models('davinci'), undefined);
	const custom = modelMap({'gpt-4o': 'claude-opus-4-8', 'My-Model': 'claude-sonnet-4-6', '*': 'claude-haiku-4-5-20251001'});
	assert.equal(custom('gpt-4o'), 'claude-opus-4-8');
	assert.equal(custom('my-model'), 'claude-sonnet-4-6');
	assert.equal(custom('davinci'), 'claude-haiku-4-5-20251001');
	assert.equal(custom('claude-sonnet-4-6'), 'claude-sonnet-4-6', 'Claude ids still pass');
	assert.equal(custom('gpt-4o-mini'), 'claude-haiku-4-5-20251001');
	for (const target of Object.values(defaultOpenAiModelMap)) {
		assert.match(target, /^claude-(opus|sonnet|haiku)-/);
	}
});

test('request: cache marks on the end of the system prompt and of the last two user turns, never on an empty text or an assistant turn', () => {
	const marks = (body: Record<string, unknown>) => {
		const found: string[] = [];
		for (const [index, block] of ((body['system'] ?? []) as Array<Record<string, unknown>>).entries()) {
			if (block['cache_control']) {
				found.push(`system[${index}]`);
			}
		}

		for (const [turn, message] of (body['messages'] as Array<{role: string; content: Array<Record<string, unknown>>}>).entries()) {
			for (const [index, block] of message.content.entries()) {
				if (block['cache_control']) {
					assert.deepEqual(block['cache_control'], {type: 'ephemeral'});
					found.push(`${message.role}${turn}[${index}]`);
				}
			}
		}

		return found;
	};

	assert.deepEqual(marks(sent({})), ['user0[0]']);
	assert.deepEqual(marks(sent({messages: [
		{role: 'system', content: 'one'},
		{role: 'system', content: 'two'},
		{role: 'user', content: 'a'},
		{role: 'assistant', content: 'b'},
		{role: 'user', content: [{type: 'text', text: 'c'}, {type: 'text', text: 'd'}]},
		{role: 'assistant', content: 'e'},
		{role: 'user', content: [{type: 'text', text: 'f'}, {type: 'text', text: ''}]},
	]})), ['system[1]', 'user2[1]', 'user4[0]']);
	assert.deepEqual(marks(sent({messages: [user, {role: 'assistant', content: 'prefill'}]})), ['user0[0]']);
});
