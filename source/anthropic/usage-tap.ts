// Watches the bytes of a streamed Messages response on their way to the client and keeps just
// what accounting needs: usage, model, a mid-stream error, and whether message_stop arrived.
import {isRecord} from '../util/json.js';
import {SseParser} from './sse-parser.js';
import {applyUsage, emptyUsage, type Usage} from './usage.js';

// Events whose payload matters here; the rest (deltas, pings, block starts) are never decoded.
const wantedEvents = new Set(['message_start', 'message_delta', 'message_stop', 'error']);

export class SseUsageTap {
	#usage: Usage | undefined;
	#model: string | undefined;
	#error: {type: string; message: string} | undefined;
	#sawMessageStop = false;
	readonly #parser = new SseParser((name, data) => {
		this.#event(name, data);
	}, name => wantedEvents.has(name));

	get usage(): Usage | undefined {
		return this.#usage;
	}

	get model(): string | undefined {
		return this.#model;
	}

	get error(): {type: string; message: string} | undefined {
		return this.#error;
	}

	get sawMessageStop(): boolean {
		return this.#sawMessageStop;
	}

	/** Content deltas so far: a live estimate of output tokens (a delta carries a token or a few). */
	get deltas(): number {
		return this.#parser.skipped('content_block_delta');
	}

	push(chunk: Uint8Array): void {
		this.#parser.push(chunk);
	}

	/** The upstream body is over. An event without its closing blank line is discarded, as the client discards it. */
	end(): void {
		this.#parser.end();
	}

	#event(name: string, data: string): void {
		let payload: unknown;
		try {
			payload = JSON.parse(data);
		} catch {
			return;
		}

		if (!isRecord(payload)) {
			return;
		}

		// The event: line is what clients dispatch on; the JSON type only stands in when it is missing.
		const type = name === '' ? payload['type'] : name;
		switch (type) {
			case 'message_start': {
				const {message} = payload;
				if (isRecord(message)) {
					if (typeof message['model'] === 'string') {
						this.#model = message['model'];
					}

					this.#takeUsage(message['usage']);
				}

				break;
			}

			case 'message_delta': {
				this.#takeUsage(payload['usage']);
				break;
			}

			case 'message_stop': {
				this.#sawMessageStop = true;
				break;
			}

			case 'error': {
				const error = isRecord(payload['error']) ? payload['error'] : {};
				this.#error = {
					type: typeof error['type'] === 'string' ? error['type'] : 'unknown_error',
					message: typeof error['message'] === 'string' ? error['message'] : '',
				};
				break;
			}

			default: {
				break;
			}
		}
	}

	// Stream usage figures are running totals: a later value replaces the earlier one, never adds to it.
	#takeUsage(raw: unknown): void {
		if (!isRecord(raw)) {
			return;
		}

		const usage: Usage = this.#usage ?? emptyUsage();
		if (applyUsage(usage, raw)) {
			this.#usage = usage;
		}
	}
}
