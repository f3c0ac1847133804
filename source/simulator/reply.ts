// The scripted answer to a successful /v1/messages request, and its JSON rendering.
import type {AccountState, Consumption} from './accounts.js';
import {messageId, toolUseId} from './ids.js';
import {modelWeight} from './models.js';
import type {MessagesBody} from './request-body.js';
import {capReply, countInput, outputTokens} from './tokens.js';
import {scriptedToolCall, type ToolCall} from './tool-use.js';

export type Reply = {
	id: string;
	model: string;
	text: string;
	/** A scripted tool call after the text (see tool-use.ts). */
	toolUse?: ToolCall;
	stopReason: 'end_turn' | 'max_tokens' | 'tool_use';
	inputTokens: number;
	cacheRead: number;
	cacheWrite5m: number;
	cacheWrite1h: number;
	outputTokens: number;
};

/** Counts the prompt, consults the account's prompt cache (which records this prompt), and scripts the answer. */
export function planReply(body: MessagesBody, account: AccountState, replyText: string | undefined, nowMs: number): Reply {
	const input = countInput(body);
	const cache = account.cache.use(input.breakpoints, nowMs);
	const call = scriptedToolCall(body);
	const answer = capReply(call ? `I will use ${call.name}.` : (replyText ?? `Hello from fake ${body.model}`), body.max_tokens);
	// A tool call that fits after its text; a reply cut at max_tokens has none.
	const toolUse = call && answer.stopReason !== 'max_tokens' ? {id: toolUseId(), ...call} : undefined;
	return {
		id: messageId(),
		model: body.model,
		text: answer.text,
		...(toolUse ? {toolUse} : {}),
		stopReason: toolUse ? 'tool_use' : answer.stopReason,
		inputTokens: input.total - cache.read - cache.write5m - cache.write1h,
		cacheRead: cache.read,
		cacheWrite5m: cache.write5m,
		cacheWrite1h: cache.write1h,
		outputTokens: answer.outputTokens + (toolUse ? outputTokens(JSON.stringify(toolUse.input)) : 0),
	};
}

/** What the reply costs the account: weight × (input + cache writes + 0.1 × cache reads + 5 × output). */
export function consumption(reply: Reply): Consumption {
	const writes = reply.cacheWrite5m + reply.cacheWrite1h;
	const weighted = modelWeight(reply.model) * (reply.inputTokens + writes + (0.1 * reply.cacheRead) + (5 * reply.outputTokens));
	return {model: reply.model, inputTokens: reply.inputTokens + writes, outputTokens: reply.outputTokens, weighted};
}

/** The input side of usage, identical in the JSON body, message_start and message_delta. */
export function inputUsage(reply: Reply): Record<string, number> {
	return {
		input_tokens: reply.inputTokens,
		cache_creation_input_tokens: reply.cacheWrite5m + reply.cacheWrite1h,
		cache_read_input_tokens: reply.cacheRead,
	};
}

const cacheCreation = (reply: Reply) => ({
	ephemeral_5m_input_tokens: reply.cacheWrite5m,
	ephemeral_1h_input_tokens: reply.cacheWrite1h,
});

export function messageStartUsage(reply: Reply): Record<string, unknown> {
	return {...inputUsage(reply), cache_creation: cacheCreation(reply), output_tokens: 1, service_tier: 'standard'};
}

export function messageJson(reply: Reply): Record<string, unknown> {
	return {
		id: reply.id,
		type: 'message',
		role: 'assistant',
		model: reply.model,
		content: [
			...(reply.text === '' && reply.toolUse ? [] : [{type: 'text', text: reply.text}]),
			...(reply.toolUse ? [{type: 'tool_use', id: reply.toolUse.id, name: reply.toolUse.name, input: reply.toolUse.input}] : []),
		],
		stop_reason: reply.stopReason,
		stop_sequence: null,
		stop_details: null,
		container: null,
		usage: {
			...inputUsage(reply),
			cache_creation: cacheCreation(reply),
			output_tokens: reply.outputTokens,
			service_tier: 'standard',
			inference_geo: 'not_available',
		},
	};
}
