// A Messages SSE stream as a Chat Completions stream, translated as it arrives: Anthropic events
// in (framed by the same parser the usage tap uses), OpenAI `data:` chunks out. The order OpenAI
// clients expect: a first chunk with the role, content deltas, tool-call deltas (each call by its
// index, its id and name first, then its arguments piece by piece), a last chunk with the
// finish_reason, the usage chunk when the client asked for it, then `data: [DONE]`. A stream
// that breaks or errors ends with an error chunk instead, which OpenAI's SDKs raise.
import {SseParser} from '../anthropic/sse-parser.js';
import {applyUsage, emptyUsage} from '../anthropic/usage.js';
import type {BodyEnd} from '../proxy/deliver.js';
import {isRecord, type JsonObject} from '../util/json.js';
import {openAiError, openAiErrorBody} from './errors.js';
import {completionId, finishReason, openAiUsage} from './response.js';

export type StreamOptions = {
	/** Epoch seconds, the same on every chunk. */
	created: number;
	/** stream_options.include_usage. */
	includeUsage: boolean;
};

export class ChatStreamTranslator {
	readonly #options: StreamOptions;
	readonly #parser = new SseParser((name, data) => {
		this.#event(name, data);
	});

	#out = '';
	#id = completionId(undefined);
	#model = '';
	#started = false;
	/** message_stop or an error was translated: nothing more goes out. */
	#over = false;
	#stopReason: unknown;
	readonly #usage = emptyUsage();
	/** Content block index → tool call index (calls are numbered from 0 in their order). */
	readonly #toolCalls = new Map<number, number>();

	constructor(options: StreamOptions) {
		this.#options = options;
	}

	/** Whether the stream reached its end (finished or errored) as far as the client is concerned. */
	get over(): boolean {
		return this.#over;
	}

	/** The client's bytes for one upstream chunk ('' when it completed no event worth sending). */
	push(chunk: Uint8Array): string {
		this.#parser.push(chunk);
		const out = this.#out;
		this.#out = '';
		return out;
	}

	/** What ends the client's stream once the upstream's is over. */
	end(ended: BodyEnd, idleTimeoutMs: number): string {
		this.#parser.end();
		if (this.#over) {
			return '';
		}

		this.#over = true;
		const message = ended === 'idle'
			? `the upstream sent nothing for ${Math.round(idleTimeoutMs / 1000)} s; shunt ended the stream`
			: 'the upstream\'s answer broke off before it finished';
		return dataLine(openAiErrorBody(openAiError(ended === 'idle' ? 'timeout_error' : 'api_error', message)));
	}

	#event(name: string, data: string): void {
		if (this.#over) {
			return;
		}

		if (name === 'ping') {
			// A comment keeps the connection visibly alive; OpenAI clients skip it.
			this.#out += ': ping\n\n';
			return;
		}

		let payload: unknown;
		try {
			payload = JSON.parse(data);
		} catch {
			return;
		}

		if (!isRecord(payload)) {
			return;
		}

		switch (name === '' ? payload['type'] : name) {
			case 'message_start': {
				this.#messageStart(payload['message']);
				break;
			}

			case 'content_block_start': {
				this.#blockStart(payload);
				break;
			}

			case 'content_block_delta': {
				this.#blockDelta(payload);
				break;
			}

			case 'message_delta': {
				const delta = isRecord(payload['delta']) ? payload['delta'] : {};
				if (delta['stop_reason'] !== undefined && delta['stop_reason'] !== null) {
					this.#stopReason = delta['stop_reason'];
				}

				if (isRecord(payload['usage'])) {
					applyUsage(this.#usage, payload['usage']);
				}

				break;
			}

			case 'message_stop': {
				this.#finish();
				break;
			}

			case 'error': {
				const error = isRecord(payload['error']) ? payload['error'] : {};
				const type = typeof error['type'] === 'string' ? error['type'] : 'api_error';
				const message = typeof error['message'] === 'string' ? error['message'] : 'the upstream reported an error mid-answer';
				this.#out += dataLine(openAiErrorBody(openAiError(type, message)));
				this.#over = true;
				break;
			}

			default: {
				// content_block_stop needs nothing; new event types are tolerated.
				break;
			}
		}
	}

	#messageStart(message: unknown): void {
		if (isRecord(message)) {
			this.#id = completionId(message['id']);
			if (typeof message['model'] === 'string') {
				this.#model = message['model'];
			}

			if (isRecord(message['usage'])) {
				applyUsage(this.#usage, message['usage']);
			}
		}

		this.#start();
	}

	/** The first chunk, once: the role. */
	#start(): void {
		if (!this.#started) {
			this.#started = true;
			this.#chunk({role: 'assistant', content: '', refusal: null}, null);
		}
	}

	#blockStart(payload: JsonObject): void {
		const block = isRecord(payload['content_block']) ? payload['content_block'] : {};
		const {index} = payload;
		this.#start();
		if (block['type'] === 'text' && typeof block['text'] === 'string' && block['text'] !== '') {
			this.#chunk({content: block['text']}, null);
		} else if (block['type'] === 'tool_use' && typeof index === 'number') {
			const call = this.#toolCalls.size;
			this.#toolCalls.set(index, call);
			this.#chunk({
				tool_calls: [{
					// eslint-disable-next-line @typescript-eslint/no-base-to-string -- the upstream's JSON, as text whatever it holds
					index: call, id: String(block['id'] ?? ''), type: 'function', function: {name: String(block['name'] ?? ''), arguments: ''},
				}],
			}, null);
		}
	}

	#blockDelta(payload: JsonObject): void {
		const delta = isRecord(payload['delta']) ? payload['delta'] : {};
		if (delta['type'] === 'text_delta' && typeof delta['text'] === 'string') {
			this.#start();
			this.#chunk({content: delta['text']}, null);
			return;
		}

		if (delta['type'] === 'input_json_delta' && typeof delta['partial_json'] === 'string' && delta['partial_json'] !== '') {
			const call = typeof payload['index'] === 'number' ? this.#toolCalls.get(payload['index']) : undefined;
			if (call !== undefined) {
				this.#chunk({tool_calls: [{index: call, function: {arguments: delta['partial_json']}}]}, null);
			}
		}
		// Thinking, signature and citation deltas have no place in a chat stream.
	}

	#finish(): void {
		this.#start();
		this.#chunk({}, finishReason(this.#stopReason));
		if (this.#options.includeUsage) {
			this.#out += dataLine(JSON.stringify({...this.#envelope(), choices: [], usage: openAiUsage(this.#usage)}));
		}

		this.#out += 'data: [DONE]\n\n';
		this.#over = true;
	}

	#envelope(): JsonObject {
		return {
			id: this.#id, object: 'chat.completion.chunk', created: this.#options.created, model: this.#model,
		};
	}

	#chunk(delta: JsonObject, finish: string | null): void {
		const chunk: JsonObject = {
			...this.#envelope(), choices: [{
				index: 0, delta, logprobs: null, finish_reason: finish,
			}],
		};
		if (this.#options.includeUsage) {
			// With include_usage, every chunk but the last carries usage: null.
			chunk['usage'] = null;
		}

		this.#out += dataLine(JSON.stringify(chunk));
	}
}

function dataLine(json: string): string {
	return `data: ${json}\n\n`;
}
