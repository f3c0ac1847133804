// A Messages response as a Chat Completions response. Pure: JSON in, JSON out. Text blocks become
// the message content, tool_use blocks its tool_calls (arguments as JSON strings, ids kept),
// the stop reason its finish_reason, and usage OpenAI's counts, cached tokens included.
import {applyUsage, emptyUsage, type Usage} from '../anthropic/usage.js';
import {isRecord, type JsonObject} from '../util/json.js';

// stop_reason → finish_reason. pause_turn (a server tool paused) is a stop as far as the client is concerned.
const finishReasons: Readonly<Record<string, string>> = {
	end_turn: 'stop',
	stop_sequence: 'stop',
	pause_turn: 'stop',
	max_tokens: 'length',
	model_context_window_exceeded: 'length',
	tool_use: 'tool_calls',
	refusal: 'content_filter',
};

export function finishReason(stopReason: unknown): string {
	return typeof stopReason === 'string' && Object.hasOwn(finishReasons, stopReason) ? finishReasons[stopReason]! : 'stop';
}

/** The completion id for a message id: the upstream's id, kept so a request can be traced end to end. */
export function completionId(messageId: unknown): string {
	return `chatcmpl-${typeof messageId === 'string' && /^[\w-]{1,128}$/.test(messageId) ? messageId : 'shunt'}`;
}

/** OpenAI's usage object: prompt tokens count every input token, cached ones included. */
export function openAiUsage(usage: Usage): JsonObject {
	const prompt = usage.inputTokens + usage.cacheCreationInputTokens + usage.cacheReadInputTokens;
	return {
		prompt_tokens: prompt,
		completion_tokens: usage.outputTokens,
		total_tokens: prompt + usage.outputTokens,
		prompt_tokens_details: {cached_tokens: usage.cacheReadInputTokens},
	};
}

export type ResponseContext = {
	/** Epoch seconds. */
	created: number;
};

export function translateResponse(message: JsonObject, context: ResponseContext): JsonObject {
	let text = '';
	const toolCalls: JsonObject[] = [];
	const content = Array.isArray(message['content']) ? message['content'] : [];
	for (const block of content) {
		if (!isRecord(block)) {
			continue;
		}

		if (block['type'] === 'text' && typeof block['text'] === 'string') {
			text += block['text'];
		} else if (block['type'] === 'tool_use') {
			toolCalls.push({
				// eslint-disable-next-line @typescript-eslint/no-base-to-string -- the upstream's JSON, as text whatever it holds
				id: String(block['id'] ?? ''),
				type: 'function',
				// eslint-disable-next-line @typescript-eslint/no-base-to-string -- the upstream's JSON, as text whatever it holds
				function: {name: String(block['name'] ?? ''), arguments: JSON.stringify(block['input'] ?? {})},
			});
		}
		// Thinking and server-tool blocks have no place in a chat message.
	}

	const reply: JsonObject = {role: 'assistant', content: text === '' && toolCalls.length > 0 ? null : text, refusal: null};
	if (toolCalls.length > 0) {
		reply['tool_calls'] = toolCalls;
	}

	const usage = emptyUsage();
	if (isRecord(message['usage'])) {
		applyUsage(usage, message['usage']);
	}

	return {
		id: completionId(message['id']),
		object: 'chat.completion',
		created: context.created,
		model: typeof message['model'] === 'string' ? message['model'] : '',
		choices: [{
			index: 0, message: reply, logprobs: null, finish_reason: finishReason(message['stop_reason']),
		}],
		usage: openAiUsage(usage),
	};
}
