// An OpenAI Chat Completions request as a Messages request. Pure: JSON in, JSON (or a refusal)
// out. What has a Messages equivalent is translated; what has none (n > 1, logprobs, audio,
// penalties, seeds, response formats, …) is refused with a 400 naming the parameter, never
// dropped, so a client never gets an answer to a question it did not ask. Unknown parameters are
// refused too, as OpenAI itself refuses them.
import {isRecord, type JsonObject} from '../util/json.js';
import type {ModelMap} from './model-map.js';
import {openAiError, type OpenAiError} from './errors.js';
import {printable, Refused} from './refused.js';
import {translateMessages} from './request-messages.js';
import {markCachePoints} from './cache-points.js';
import {translateTools} from './request-tools.js';

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
	// Caching hints: shunt marks what to cache itself (cache-points.ts), so these change nothing.
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
	markCachePoints(system, messages);
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
