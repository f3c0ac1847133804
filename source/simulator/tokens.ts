// A deterministic stand-in tokenizer: tokens = ceil(UTF-8 bytes / 4), plus 3 per message.
// Tests can compute every count by hand, and cache breakpoints fall on exact token offsets.
import {Buffer} from 'node:buffer';
import {createHash, type Hash} from 'node:crypto';

const defaultTtlMs = 5 * 60_000;
const longTtlMs = 60 * 60_000;
const tokensPerMessage = 3;

/** A cache_control block: the prompt up to and including it can be cached. */
export type Breakpoint = {
	/** Hash of the model plus everything up to the block; the cache key. */
	key: string;
	/** Tokens from the start of the prompt to the end of the block. */
	tokens: number;
	ttlMs: number;
};

export type InputCount = {
	total: number;
	/** In prompt order; the prefixes they cover grow. */
	breakpoints: Breakpoint[];
};

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

function withoutCacheControl(block: Json): Json {
	const {cache_control: _ignored, ...rest} = block;
	return rest;
}

/** What a block contributes to the byte count: its text, or its JSON for anything else. */
function blockText(block: unknown): string {
	if (typeof block === 'string') {
		return block;
	}

	if (isObject(block) && block['type'] === 'text' && typeof block['text'] === 'string') {
		return block['text'];
	}

	return JSON.stringify(isObject(block) ? withoutCacheControl(block) : block) ?? '';
}

function ttlOf(block: unknown): number | undefined {
	if (!isObject(block) || !isObject(block['cache_control'])) {
		return undefined;
	}

	return block['cache_control']['ttl'] === '1h' ? longTtlMs : defaultTtlMs;
}

/** Walks tools → system → messages (the order Anthropic caches in), counting as it goes. */
class PromptWalker {
	bytes = 0;
	messages = 0;
	readonly breakpoints: Breakpoint[] = [];
	readonly #hash: Hash;

	constructor(model: string) {
		this.#hash = createHash('sha256').update(model);
	}

	get tokens(): number {
		return Math.ceil(this.bytes / 4) + (tokensPerMessage * this.messages);
	}

	startMessage(role: unknown): void {
		this.messages++;
		this.#hash.update(`\u0000message:${String(role)}`);
	}

	add(section: string, block: unknown): void {
		const text = blockText(block);
		this.bytes += Buffer.byteLength(text);
		this.#hash.update(`\u0000${section}:`).update(text);
		const ttlMs = ttlOf(block);
		if (ttlMs !== undefined) {
			this.breakpoints.push({key: this.#hash.copy().digest('hex'), tokens: this.tokens, ttlMs});
		}
	}
}

const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : (value === undefined ? [] : [value]));

export function countInput(body: Json): InputCount {
	const walker = new PromptWalker(String(body['model']));
	for (const tool of asList(body['tools'])) {
		walker.add('tool', tool);
	}

	for (const block of asList(body['system'])) {
		walker.add('system', block);
	}

	for (const message of asList(body['messages'])) {
		const role = isObject(message) ? message['role'] : undefined;
		walker.startMessage(role);
		for (const block of asList(isObject(message) ? message['content'] : message)) {
			walker.add('content', block);
		}
	}

	return {total: walker.tokens, breakpoints: walker.breakpoints};
}

export const outputTokens = (text: string): number => Math.ceil(Buffer.byteLength(text) / 4);

export type ReplyText = {
	text: string;
	outputTokens: number;
	stopReason: 'end_turn' | 'max_tokens';
};

/** Caps the scripted reply at max_tokens, cutting on code points so no character is split. */
export function capReply(text: string, maxTokens: number): ReplyText {
	if (outputTokens(text) <= maxTokens) {
		return {text, outputTokens: outputTokens(text), stopReason: 'end_turn'};
	}

	let kept = '';
	for (const char of text) {
		if (Buffer.byteLength(kept + char) > maxTokens * 4) {
			break;
		}

		kept += char;
	}

	return {text: kept, outputTokens: maxTokens, stopReason: 'max_tokens'};
}

const chunkSizes = [3, 5, 8, 4, 7, 6];

/** Splits text into 3–8 character deltas (fewer only when the whole text is shorter than 3). */
export function chunkText(text: string): string[] {
	const chars = [...text];
	const chunks: string[] = [];
	let at = 0;
	while (at < chars.length) {
		const left = chars.length - at;
		let size = chunkSizes[chunks.length % chunkSizes.length] ?? 3;
		if (left <= 8) {
			size = left;
		} else if (left - size < 3) {
			// Never leave a tail shorter than 3 characters.
			size = left - 3;
		}

		chunks.push(chars.slice(at, at + size).join(''));
		at += size;
	}

	return chunks;
}
