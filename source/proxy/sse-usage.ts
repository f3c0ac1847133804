// Watches the bytes of a streamed Messages response on their way to the client and keeps just
// what accounting needs: usage, model, a mid-stream error, and whether message_stop arrived.
// It never holds more than the current line and the current event's data, and each byte is
// looked at once, so a long stream costs time proportional to its length.
import type {Usage} from '../types.js';

// A line longer than this is dropped (and the event it belongs to with it) so a hostile or
// broken upstream cannot make the tap hold an unbounded buffer.
const maxLineBytes = 1024 * 1024;
const maxEventDataChars = maxLineBytes;
const initialLineCapacity = 1024;
// A line buffer grown past this for one long line is given back afterwards.
const keptLineCapacity = 64 * 1024;

const lineFeed = 0x0A;
const carriageReturn = 0x0D;

// Events whose payload matters here; the rest (deltas, pings, block starts) are never parsed.
const wantedEvents = new Set(['message_start', 'message_delta', 'message_stop', 'error']);

export class SseUsageTap {
	#usage: Usage | undefined;
	#model: string | undefined;
	#error: {type: string; message: string} | undefined;
	#sawMessageStop = false;

	readonly #decoder = new TextDecoder('utf-8');
	// The unfinished line carried over from earlier chunks, in a buffer that grows by doubling.
	#line = new Uint8Array(initialLineCapacity);
	#lineBytes = 0;
	#lineTooLong = false;
	// A CR ended the last line; a LF right after it (maybe in the next chunk) is the same ending.
	#afterCarriageReturn = false;

	#eventName = '';
	#dataLines: string[] = [];
	#dataChars = 0;
	#eventBroken = false;
	#ended = false;

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

	push(chunk: Uint8Array): void {
		if (this.#ended) {
			return;
		}

		let start = 0;
		for (let i = 0; i < chunk.length; i++) {
			const byte = chunk[i];
			if (byte !== lineFeed && byte !== carriageReturn) {
				continue;
			}

			if (byte === lineFeed && this.#afterCarriageReturn && i === start && this.#lineBytes === 0) {
				// The LF of a CRLF whose CR ended the previous line.
				this.#afterCarriageReturn = false;
				start = i + 1;
				continue;
			}

			this.#finishLine(chunk.subarray(start, i));
			this.#afterCarriageReturn = byte === carriageReturn;
			start = i + 1;
		}

		if (start < chunk.length) {
			this.#afterCarriageReturn = false;
			this.#append(chunk.subarray(start));
		}
	}

	/** The upstream body is over. An event without its closing blank line is discarded, as the client discards it. */
	end(): void {
		this.#ended = true;
		this.#line = new Uint8Array(0);
		this.#lineBytes = 0;
		this.#resetEvent();
	}

	#append(bytes: Uint8Array): void {
		if (this.#lineTooLong) {
			return;
		}

		const needed = this.#lineBytes + bytes.length;
		if (needed > maxLineBytes) {
			this.#lineTooLong = true;
			this.#lineBytes = 0;
			return;
		}

		if (needed > this.#line.length) {
			let capacity = Math.max(initialLineCapacity, this.#line.length * 2);
			while (capacity < needed) {
				capacity *= 2;
			}

			const grown = new Uint8Array(capacity);
			grown.set(this.#line.subarray(0, this.#lineBytes));
			this.#line = grown;
		}

		this.#line.set(bytes, this.#lineBytes);
		this.#lineBytes = needed;
	}

	#finishLine(tail: Uint8Array): void {
		let bytes = tail;
		if (this.#lineBytes > 0 || this.#lineTooLong) {
			this.#append(tail);
			bytes = this.#line.subarray(0, this.#lineBytes);
		} else if (tail.length > maxLineBytes) {
			this.#lineTooLong = true;
		}

		const tooLong = this.#lineTooLong;
		this.#lineTooLong = false;
		this.#lineBytes = 0;
		if (tooLong) {
			this.#eventBroken = true;
		} else if (!(this.#ignoringEvent() && isDataLine(bytes))) {
			// Data of ignored events (text deltas: most of a stream) is never decoded. Lines split
			// only at CR/LF bytes, which never occur inside a UTF-8 sequence, so each whole line
			// decodes cleanly however the chunks cut it.
			this.#handleLine(this.#decoder.decode(bytes));
		}

		if (this.#line.length > keptLineCapacity) {
			this.#line = new Uint8Array(initialLineCapacity);
		}
	}

	#handleLine(line: string): void {
		if (line === '') {
			this.#dispatch();
			return;
		}

		if (line.startsWith(':')) {
			return;
		}

		const colon = line.indexOf(':');
		const field = colon === -1 ? line : line.slice(0, colon);
		let value = colon === -1 ? '' : line.slice(colon + 1);
		if (value.startsWith(' ')) {
			value = value.slice(1);
		}

		if (field === 'event') {
			this.#eventName = value;
		} else if (field === 'data') {
			this.#addData(value);
		}
	}

	// Whether the current event is already known to be one this tap does not read.
	#ignoringEvent(): boolean {
		return this.#eventBroken || (this.#eventName !== '' && !wantedEvents.has(this.#eventName));
	}

	#addData(value: string): void {
		if (this.#ignoringEvent()) {
			return;
		}

		this.#dataChars += value.length + 1;
		if (this.#dataChars > maxEventDataChars) {
			this.#eventBroken = true;
			this.#dataLines = [];
			return;
		}

		this.#dataLines.push(value);
	}

	#dispatch(): void {
		const name = this.#eventName;
		const data = this.#dataLines.join('\n');
		const broken = this.#eventBroken;
		this.#resetEvent();
		if (broken || data === '' || (name !== '' && !wantedEvents.has(name))) {
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

		// The event: line is what clients dispatch on; the JSON type only stands in when it is missing.
		const type = name === '' ? payload['type'] : name;
		switch (type) {
			case 'message_start': {
				const message = payload['message'];
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

	#resetEvent(): void {
		this.#eventName = '';
		this.#dataLines = [];
		this.#dataChars = 0;
		this.#eventBroken = false;
	}
}

// No response carries anywhere near this many tokens (a million-token context ×1000); a count
// beyond it is a broken or hostile upstream and would poison savings for good.
const maxTokenCount = 1e9;

/** Usage of a non-streaming Messages response body (already parsed JSON). */
export function usageFromJson(body: unknown): Usage | undefined {
	if (!isRecord(body) || !isRecord(body['usage'])) {
		return undefined;
	}

	const usage = emptyUsage();
	return applyUsage(usage, body['usage']) ? usage : undefined;
}

function emptyUsage(): Usage {
	return {inputTokens: 0, outputTokens: 0, cacheCreationInputTokens: 0, cacheReadInputTokens: 0};
}

/** Copies every count the object carries onto usage; reports whether it carried any. */
function applyUsage(usage: Usage, raw: Record<string, unknown>): boolean {
	let found = false;
	const take = (value: unknown, apply: (count: number) => void): void => {
		if (typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= maxTokenCount) {
			apply(value);
			found = true;
		}
	};

	take(raw['input_tokens'], count => {
		usage.inputTokens = count;
	});
	take(raw['output_tokens'], count => {
		usage.outputTokens = count;
	});
	take(raw['cache_creation_input_tokens'], count => {
		usage.cacheCreationInputTokens = count;
	});
	take(raw['cache_read_input_tokens'], count => {
		usage.cacheReadInputTokens = count;
	});

	const split = raw['cache_creation'];
	if (isRecord(split)) {
		take(split['ephemeral_5m_input_tokens'], count => {
			usage.cacheCreation5mTokens = count;
		});
		take(split['ephemeral_1h_input_tokens'], count => {
			usage.cacheCreation1hTokens = count;
		});
	}

	return found;
}

const dataField = [0x64, 0x61, 0x74, 0x61]; // "data"
const colonByte = 0x3A;

function isDataLine(line: Uint8Array): boolean {
	for (let i = 0; i < dataField.length; i++) {
		if (line[i] !== dataField[i]) {
			return false;
		}
	}

	return line.length === dataField.length || line[dataField.length] === colonByte;
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}
