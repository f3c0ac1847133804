// An OpenAI Chat Completions request as a Messages request. Pure: JSON in, JSON (or a refusal)
// out. What has a Messages equivalent is translated; what has none (n > 1, logprobs, audio,
// penalties, seeds, response formats, …) is refused with a 400 naming the parameter, never
// dropped, so a client never gets an answer to a question it did not ask. Unknown parameters are
// refused too, as OpenAI itself refuses them.
import {isRecord, type JsonObject} from '../util/json.js';
import type {ModelMap} from './model-map.js';
import {openAiError, type OpenAiError} from './errors.js';

export type TranslateOptions = {
	models: ModelMap;
};

export type Translated =
	| {
		ok: true;
		/** The Messages request body. */
		body: JsonObject;
		/** The model the client named. */
		clientModel: string;
		stream: boolean;
		/** stream_options.include_usage: a last chunk carries the usage. */
		includeUsage: boolean;
	}
	| {ok: false; status: number; error: OpenAiError};

/** max_tokens when the client sets none (the Messages API requires one). */
export const defaultMaxTokens = 8192;
const maxMaxTokens = 1_000_000;
const maxStopSequences = 16;
const maxUserIdChars = 256;

class Refused extends Error {
	constructor(readonly param: string, message: string, readonly status = 400, readonly code: string | null = 'unsupported_parameter') {
		super(message);
	}
}

// What shunt does with each top-level parameter: translate it, or accept it only at a value that
// asks for nothing Claude cannot give.
const translated = new Set([
	'model', 'messages', 'max_tokens', 'max_completion_tokens', 'temperature', 'top_p', 'stop', 'stream', 'stream_options',
	'tools', 'tool_choice', 'parallel_tool_calls', 'reasoning_effort', 'user', 'safety_identifier',
]);

/** Accepted when absent, null or this harmless value; refused otherwise, with why. */
const onlyDefault: Readonly<Record<string, {ok: (value: unknown) => boolean; why: string}>> = {
	n: {ok: value => value === 1, why: 'Claude returns one choice per request; n must be 1'},
	logprobs: {ok: value => value === false, why: 'Claude does not return log probabilities'},
	top_logprobs: {ok: value => value === 0, why: 'Claude does not return log probabilities'},
	logit_bias: {ok: value => isRecord(value) && Object.keys(value).length === 0, why: 'Claude does not support logit_bias'},
	frequency_penalty: {ok: value => value === 0, why: 'Claude has no frequency penalty'},
	presence_penalty: {ok: value => value === 0, why: 'Claude has no presence penalty'},
	seed: {ok: () => false, why: 'Claude has no seed for deterministic sampling'},
	audio: {ok: () => false, why: 'audio output is not supported'},
	modalities: {ok: value => Array.isArray(value) && value.every(item => item === 'text'), why: 'only text output is supported'},
	prediction: {ok: () => false, why: 'predicted outputs are not supported'},
	response_format: {ok: value => isRecord(value) && value['type'] === 'text', why: 'only response_format {"type": "text"} is supported; describe the format in the prompt, or use a tool'},
	web_search_options: {ok: () => false, why: 'web search is not supported through this endpoint'},
	functions: {ok: () => false, why: 'the deprecated functions parameter is not supported; use tools'},
	function_call: {ok: () => false, why: 'the deprecated function_call parameter is not supported; use tool_choice'},
	store: {ok: value => value === false, why: 'stored completions are not supported'},
	// Tags for stored completions: without store they change nothing.
	metadata: {ok: value => isRecord(value), why: 'metadata must be an object'},
	service_tier: {ok: value => value === 'auto' || value === 'default', why: 'only the default service tier is available'},
	verbosity: {ok: value => value === 'medium', why: 'Claude has no verbosity setting; ask for the length you want in the prompt'},
	// Caching hints: Claude caches by prompt prefix, so these ask for nothing it does not do anyway.
	prompt_cache_key: {ok: value => typeof value === 'string', why: 'prompt_cache_key must be a string'},
	prompt_cache_retention: {ok: value => value === 'in_memory', why: 'only in-memory prompt caching is available'},
	moderation: {ok: () => false, why: 'moderation is not supported'},
};

export function translateRequest(input: unknown, options: TranslateOptions): Translated {
	try {
		return translate(input, options);
	} catch (error) {
		if (error instanceof Refused) {
			return {ok: false, status: error.status, error: {...openAiError('invalid_request_error', error.message, error.param), code: error.code}};
		}

		throw error;
	}
}

function translate(input: unknown, options: TranslateOptions): Translated {
	if (!isRecord(input)) {
		throw new Refused('', 'The request body must be a JSON object.', 400, null);
	}

	for (const [key, value] of Object.entries(input)) {
		if (translated.has(key) || value === null || value === undefined) {
			continue;
		}

		const rule = Object.hasOwn(onlyDefault, key) ? onlyDefault[key] : undefined;
		if (!rule) {
			throw new Refused(key, `Unrecognized request argument supplied: ${printable(key)}`, 400, 'unknown_parameter');
		}

		if (!rule.ok(value)) {
			throw new Refused(key, `${key} is not supported: ${rule.why}.`);
		}
	}

	const clientModel = input['model'];
	if (typeof clientModel !== 'string' || clientModel.trim() === '' || clientModel.length > 256) {
		throw new Refused('model', 'model is required: a model name such as "gpt-4o" or a Claude model id.', 400, null);
	}

	const model = options.models(clientModel);
	if (model === undefined) {
		throw new Refused('model', `The model \`${printable(clientModel)}\` is not mapped to a Claude model: use a Claude model id (claude-sonnet-4-6), or map it with the openaiModelMap setting.`, 404, 'model_not_found');
	}

	const stream = optionalBoolean(input, 'stream') ?? false;
	const body: JsonObject = {model, max_tokens: maxTokens(input)};
	const {system, messages} = translateMessages(input['messages']);
	if (system.length > 0) {
		body['system'] = system;
	}

	body['messages'] = messages;
	const temperature = optionalNumber(input, 'temperature', 0, 2);
	if (temperature !== undefined) {
		if (temperature > 1) {
			throw new Refused('temperature', 'temperature above 1 is not supported: Claude accepts 0 to 1.');
		}

		body['temperature'] = temperature;
	}

	const topP = optionalNumber(input, 'top_p', 0, 1);
	if (topP !== undefined) {
		body['top_p'] = topP;
	}

	const stop = stopSequences(input['stop']);
	if (stop) {
		body['stop_sequences'] = stop;
	}

	Object.assign(body, translateTools(input));
	const effort = effortFor(input['reasoning_effort'], model);
	if (effort) {
		body['output_config'] = {effort};
	}

	const user = input['user'] ?? input['safety_identifier'];
	if (user !== undefined && user !== null) {
		if (typeof user !== 'string' || user.length > maxUserIdChars) {
			throw new Refused('user', `user must be a string of at most ${maxUserIdChars} characters.`, 400, null);
		}

		body['metadata'] = {user_id: user};
	}

	let includeUsage = false;
	const streamOptions = input['stream_options'];
	if (streamOptions !== undefined && streamOptions !== null) {
		if (!stream) {
			throw new Refused('stream_options', 'stream_options is only allowed when stream is true.', 400, null);
		}

		if (!isRecord(streamOptions)) {
			throw new Refused('stream_options', 'stream_options must be an object.', 400, null);
		}

		includeUsage = streamOptions['include_usage'] === true;
	}

	if (stream) {
		body['stream'] = true;
	}

	return {ok: true, body, clientModel, stream, includeUsage};
}

function maxTokens(input: JsonObject): number {
	for (const key of ['max_completion_tokens', 'max_tokens']) {
		const value = input[key];
		if (value === undefined || value === null) {
			continue;
		}

		if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > maxMaxTokens) {
			throw new Refused(key, `${key} must be a whole number from 1 to ${maxMaxTokens}.`, 400, null);
		}

		return value as number;
	}

	return defaultMaxTokens;
}

function optionalBoolean(input: JsonObject, key: string): boolean | undefined {
	const value = input[key];
	if (value === undefined || value === null) {
		return undefined;
	}

	if (typeof value !== 'boolean') {
		throw new Refused(key, `${key} must be true or false.`, 400, null);
	}

	return value;
}

function optionalNumber(input: JsonObject, key: string, minimum: number, maximum: number): number | undefined {
	const value = input[key];
	if (value === undefined || value === null) {
		return undefined;
	}

	if (typeof value !== 'number' || !Number.isFinite(value) || value < minimum || value > maximum) {
		throw new Refused(key, `${key} must be a number from ${minimum} to ${maximum}.`, 400, null);
	}

	return value;
}

function stopSequences(stop: unknown): string[] | undefined {
	if (stop === undefined || stop === null) {
		return undefined;
	}

	const list = typeof stop === 'string' ? [stop] : stop;
	if (!Array.isArray(list) || list.length > maxStopSequences || !list.every(item => typeof item === 'string' && item !== '')) {
		throw new Refused('stop', `stop must be a non-empty string or a list of at most ${maxStopSequences} of them.`, 400, null);
	}

	return list.length === 0 ? undefined : list as string[];
}

// OpenAI's reasoning effort → Claude's effort. Haiku takes no effort setting, so it gets none.
const efforts: Readonly<Record<string, string>> = {
	none: 'low',
	minimal: 'low',
	low: 'low',
	medium: 'medium',
	high: 'high',
	xhigh: 'max',
};

function effortFor(value: unknown, model: string): string | undefined {
	if (value === undefined || value === null) {
		return undefined;
	}

	if (typeof value !== 'string' || !Object.hasOwn(efforts, value)) {
		throw new Refused('reasoning_effort', `reasoning_effort must be one of ${Object.keys(efforts).join(', ')}.`, 400, null);
	}

	return model.toLowerCase().includes('haiku') ? undefined : efforts[value];
}

// ---------------------------------------------------------------- messages

type Block = JsonObject;
type Turn = {role: 'user' | 'assistant'; content: Block[]};

function translateMessages(raw: unknown): {system: Block[]; messages: Turn[]} {
	if (!Array.isArray(raw) || raw.length === 0) {
		throw new Refused('messages', 'messages must be a non-empty list.', 400, null);
	}

	const system: Block[] = [];
	const turns: Turn[] = [];
	// Consecutive messages of one role become one turn, as the Messages API alternates roles;
	// tool results join the user turn that carries them, ahead of any text in it.
	const add = (role: Turn['role'], blocks: Block[]) => {
		if (blocks.length === 0) {
			return;
		}

		const last = turns.at(-1);
		if (last?.role === role) {
			last.content.push(...blocks);
		} else {
			turns.push({role, content: blocks});
		}
	};

	for (const [index, message] of raw.entries()) {
		const where = `messages[${index}]`;
		if (!isRecord(message)) {
			throw new Refused(where, `${where} must be an object.`, 400, null);
		}

		switch (message['role']) {
			case 'system':
			case 'developer': {
				system.push(...textBlocks(message['content'], `${where}.content`));
				break;
			}

			case 'user': {
				add('user', userBlocks(message['content'], `${where}.content`));
				break;
			}

			case 'assistant': {
				add('assistant', assistantBlocks(message, where));
				break;
			}

			case 'tool': {
				add('user', [toolResult(message, where)]);
				break;
			}

			case 'function': {
				throw new Refused(`${where}.role`, 'function messages (the deprecated functions API) are not supported; use tools and tool messages.');
			}

			default: {
				throw new Refused(`${where}.role`, `${where}.role must be system, developer, user, assistant or tool.`, 400, null);
			}
		}
	}

	if (turns.length === 0) {
		throw new Refused('messages', 'messages must hold at least one user or assistant message with content.', 400, null);
	}

	return {system, messages: turns};
}

/** String content, or a list of text parts (system, developer and tool messages). */
function textBlocks(content: unknown, where: string): Block[] {
	if (typeof content === 'string') {
		return content === '' ? [] : [{type: 'text', text: content}];
	}

	if (!Array.isArray(content)) {
		throw new Refused(where, `${where} must be a string or a list of text parts.`, 400, null);
	}

	return content.flatMap((part, index) => {
		if (!isRecord(part) || part['type'] !== 'text' || typeof part['text'] !== 'string') {
			throw new Refused(`${where}[${index}]`, `${where}[${index}] must be a text part here.`, 400, null);
		}

		return part['text'] === '' ? [] : [{type: 'text', text: part['text']}];
	});
}

function userBlocks(content: unknown, where: string): Block[] {
	if (typeof content === 'string') {
		return content === '' ? [] : [{type: 'text', text: content}];
	}

	if (!Array.isArray(content)) {
		throw new Refused(where, `${where} must be a string or a list of content parts.`, 400, null);
	}

	return content.flatMap((part, index): Block[] => {
		const at = `${where}[${index}]`;
		if (!isRecord(part)) {
			throw new Refused(at, `${at} must be an object.`, 400, null);
		}

		switch (part['type']) {
			case 'text': {
				if (typeof part['text'] !== 'string') {
					throw new Refused(`${at}.text`, `${at}.text must be a string.`, 400, null);
				}

				return part['text'] === '' ? [] : [{type: 'text', text: part['text']}];
			}

			case 'image_url': {
				return [imageBlock(part['image_url'], `${at}.image_url`)];
			}

			case 'input_audio': {
				throw new Refused(at, 'audio input is not supported.');
			}

			case 'file': {
				throw new Refused(at, 'file parts are not supported; send text or images.');
			}

			default: {
				throw new Refused(`${at}.type`, `${at}.type must be text or image_url.`, 400, null);
			}
		}
	});
}

// data:<media type>;base64,<data>
const dataUrl = /^data:(image\/(?:png|jpeg|gif|webp));base64,([A-Za-z\d+/=\s]+)$/;

function imageBlock(image: unknown, where: string): Block {
	const url = isRecord(image) ? image['url'] : undefined;
	if (typeof url !== 'string') {
		throw new Refused(where, `${where}.url must be a string.`, 400, null);
	}

	if (url.startsWith('data:')) {
		const match = dataUrl.exec(url);
		if (!match) {
			throw new Refused(`${where}.url`, 'an image data URL must be base64 PNG, JPEG, GIF or WebP (data:image/png;base64,…).', 400, null);
		}

		return {type: 'image', source: {type: 'base64', media_type: match[1], data: match[2]!.replaceAll(/\s/g, '')}};
	}

	if (!/^https?:\/\//i.test(url)) {
		throw new Refused(`${where}.url`, 'an image URL must be http(s) or a base64 data URL.', 400, null);
	}

	// Fetched by the API itself, never by shunt.
	return {type: 'image', source: {type: 'url', url}};
}

function assistantBlocks(message: JsonObject, where: string): Block[] {
	for (const key of ['audio', 'function_call']) {
		if (message[key] !== undefined && message[key] !== null) {
			throw new Refused(`${where}.${key}`, `${where}.${key} is not supported.`);
		}
	}

	const blocks: Block[] = [];
	const content = message['content'];
	if (typeof content === 'string') {
		if (content !== '') {
			blocks.push({type: 'text', text: content});
		}
	} else if (Array.isArray(content)) {
		for (const [index, part] of content.entries()) {
			const at = `${where}.content[${index}]`;
			if (!isRecord(part) || (part['type'] !== 'text' && part['type'] !== 'refusal')) {
				throw new Refused(at, `${at} must be a text or refusal part.`, 400, null);
			}

			const text = part['type'] === 'text' ? part['text'] : part['refusal'];
			if (typeof text !== 'string') {
				throw new Refused(at, `${at} must carry a string.`, 400, null);
			}

			if (text !== '') {
				blocks.push({type: 'text', text});
			}
		}
	} else if (content !== undefined && content !== null) {
		throw new Refused(`${where}.content`, `${where}.content must be a string, a list of parts, or null.`, 400, null);
	}

	const calls = message['tool_calls'];
	if (calls !== undefined && calls !== null) {
		if (!Array.isArray(calls)) {
			throw new Refused(`${where}.tool_calls`, `${where}.tool_calls must be a list.`, 400, null);
		}

		for (const [index, call] of calls.entries()) {
			blocks.push(toolUse(call, `${where}.tool_calls[${index}]`));
		}
	}

	return blocks;
}

function toolUse(call: unknown, where: string): Block {
	if (!isRecord(call) || typeof call['id'] !== 'string' || call['id'] === '') {
		throw new Refused(where, `${where} must be an object with an id.`, 400, null);
	}

	if (call['type'] !== 'function' || !isRecord(call['function'])) {
		throw new Refused(`${where}.type`, 'only function tool calls are supported.');
	}

	const fn = call['function'];
	if (typeof fn['name'] !== 'string' || fn['name'] === '') {
		throw new Refused(`${where}.function.name`, `${where}.function.name must be a non-empty string.`, 400, null);
	}

	const args = fn['arguments'];
	let input: unknown = {};
	if (typeof args === 'string' && args.trim() !== '') {
		try {
			input = JSON.parse(args);
		} catch {
			throw new Refused(`${where}.function.arguments`, `${where}.function.arguments must be a JSON object in a string.`, 400, null);
		}
	} else if (args !== undefined && args !== null && args !== '') {
		throw new Refused(`${where}.function.arguments`, `${where}.function.arguments must be a string.`, 400, null);
	}

	if (!isRecord(input)) {
		throw new Refused(`${where}.function.arguments`, `${where}.function.arguments must be a JSON object.`, 400, null);
	}

	return {type: 'tool_use', id: call['id'], name: fn['name'], input};
}

function toolResult(message: JsonObject, where: string): Block {
	const id = message['tool_call_id'];
	if (typeof id !== 'string' || id === '') {
		throw new Refused(`${where}.tool_call_id`, `${where}.tool_call_id must be the id of the tool call it answers.`, 400, null);
	}

	const content = textBlocks(message['content'], `${where}.content`);
	return content.length === 0 ? {type: 'tool_result', tool_use_id: id} : {type: 'tool_result', tool_use_id: id, content};
}

// ---------------------------------------------------------------- tools

function translateTools(input: JsonObject): JsonObject {
	const rawTools = input['tools'];
	const result: JsonObject = {};
	if (rawTools !== undefined && rawTools !== null) {
		if (!Array.isArray(rawTools)) {
			throw new Refused('tools', 'tools must be a list.', 400, null);
		}

		if (rawTools.length > 0) {
			result['tools'] = rawTools.map((tool, index) => translateTool(tool, `tools[${index}]`));
		}
	}

	const hasTools = result['tools'] !== undefined;
	const choice = toolChoice(input['tool_choice'], hasTools);
	const parallel = input['parallel_tool_calls'];
	if (parallel !== undefined && parallel !== null && typeof parallel !== 'boolean') {
		throw new Refused('parallel_tool_calls', 'parallel_tool_calls must be true or false.', 400, null);
	}

	if (parallel === false && hasTools && choice?.['type'] !== 'none') {
		result['tool_choice'] = {...choice ?? {type: 'auto'}, disable_parallel_tool_use: true};
	} else if (choice) {
		result['tool_choice'] = choice;
	}

	return result;
}

function translateTool(tool: unknown, where: string): Block {
	if (!isRecord(tool) || tool['type'] !== 'function' || !isRecord(tool['function'])) {
		throw new Refused(`${where}.type`, 'only function tools are supported.');
	}

	const fn = tool['function'];
	if (typeof fn['name'] !== 'string' || !/^[\w-]{1,128}$/.test(fn['name'])) {
		throw new Refused(`${where}.function.name`, `${where}.function.name must be 1 to 128 letters, digits, _ or -.`, 400, null);
	}

	const parameters = fn['parameters'] ?? {type: 'object', properties: {}};
	if (!isRecord(parameters)) {
		throw new Refused(`${where}.function.parameters`, `${where}.function.parameters must be a JSON schema object.`, 400, null);
	}

	// `strict` asks OpenAI to enforce the schema; Claude follows the schema without that promise.
	const block: Block = {name: fn['name'], input_schema: parameters};
	if (typeof fn['description'] === 'string' && fn['description'] !== '') {
		block['description'] = fn['description'];
	}

	return block;
}

function toolChoice(choice: unknown, hasTools: boolean): JsonObject | undefined {
	if (choice === undefined || choice === null) {
		return undefined;
	}

	if (choice === 'none') {
		return hasTools ? {type: 'none'} : undefined;
	}

	if (!hasTools) {
		throw new Refused('tool_choice', 'tool_choice needs tools.', 400, null);
	}

	if (choice === 'auto') {
		return {type: 'auto'};
	}

	if (choice === 'required') {
		return {type: 'any'};
	}

	if (isRecord(choice) && choice['type'] === 'function' && isRecord(choice['function']) && typeof choice['function']['name'] === 'string') {
		return {type: 'tool', name: choice['function']['name']};
	}

	throw new Refused('tool_choice', 'tool_choice must be none, auto, required, or {"type": "function", "function": {"name": …}}.');
}

// Names from a client end up in error messages, which end up on terminals.
function printable(text: string): string {
	return text.slice(0, 100).replaceAll(/[^\x20-\x7E]/g, '?');
}
