// Reads `usage` (and `model`) out of a non-streaming Messages response while its bytes pass
// through to the client, without keeping the body: a 200 MiB reply costs a few bytes of state,
// not 200 MiB of memory. Only the top level of the JSON object is looked at, so a "usage" key
// inside the content (a tool's input, say) is never mistaken for the real one. Structural bytes
// are ASCII and never occur inside a UTF-8 sequence, so chunks may split the body anywhere.
import {Buffer} from 'node:buffer';
import {parseJsonObject} from '../util/json.js';
import {type Usage, usageFromJson} from './usage.js';

// The usage object is a few hundred bytes; anything far bigger is not Anthropic's usage.
const maxUsageBytes = 64 * 1024;
const maxModelBytes = 256;
const maxKeyBytes = 16;

const quote = 0x22;
const backslash = 0x5C;
const colon = 0x3A;
const comma = 0x2C;
const openBrace = 0x7B;
const closeBrace = 0x7D;
const openBracket = 0x5B;
const closeBracket = 0x5D;

type Capture = {key: 'usage' | 'model'; chunks: Uint8Array[]; bytes: number; tooLong: boolean};

export class JsonUsageScanner {
	#depth = 0;
	#inString = false;
	#escaped = false;
	// At depth 1: the next string is a key (after "{" or ","); a key was read and its value is next.
	#expectKey = false;
	#keyBytes: number[] = [];
	#readingKey = false;
	#valueFor: string | undefined;
	#capture: Capture | undefined;
	#usageBytes: Uint8Array | undefined;
	#modelBytes: Uint8Array | undefined;

	push(chunk: Uint8Array): void {
		let captureFrom = this.#capture ? 0 : -1;
		for (let i = 0; i < chunk.length; i++) {
			const byte = chunk[i]!;
			if (this.#inString) {
				if (this.#escaped) {
					this.#escaped = false;
				} else if (byte === backslash) {
					this.#escaped = true;
				} else if (byte === quote) {
					this.#inString = false;
					if (this.#readingKey) {
						this.#readingKey = false;
						this.#valueFor = String.fromCodePoint(...this.#keyBytes);
					} else if (this.#capture?.key === 'model') {
						// The model string ends before its closing quote.
						this.#take(chunk, captureFrom, i);
						captureFrom = -1;
						this.#finishCapture();
					}
				} else if (this.#readingKey && this.#keyBytes.length <= maxKeyBytes) {
					this.#keyBytes.push(byte);
				}

				continue;
			}

			if (byte === quote) {
				this.#inString = true;
				if (this.#depth === 1 && this.#expectKey) {
					this.#expectKey = false;
					this.#readingKey = true;
					this.#keyBytes = [];
				} else if (this.#depth === 1 && this.#valueFor === 'model') {
					this.#valueFor = undefined;
					this.#capture = {
						key: 'model', chunks: [], bytes: 0, tooLong: false,
					};
					captureFrom = i + 1;
				}

				continue;
			}

			if (byte === openBrace || byte === openBracket) {
				if (this.#depth === 1 && this.#valueFor === 'usage' && byte === openBrace) {
					this.#capture = {
						key: 'usage', chunks: [], bytes: 0, tooLong: false,
					};
					captureFrom = i;
				}

				this.#depth++;
				this.#valueFor = this.#depth === 2 ? undefined : this.#valueFor;
				if (this.#depth === 1) {
					this.#expectKey = true;
				}

				continue;
			}

			if (byte === closeBrace || byte === closeBracket) {
				this.#depth--;
				if (this.#depth === 1 && this.#capture?.key === 'usage') {
					this.#take(chunk, captureFrom, i + 1);
					captureFrom = -1;
					this.#finishCapture();
				}

				continue;
			}

			if (this.#depth === 1) {
				if (byte === comma) {
					this.#expectKey = true;
					this.#valueFor = undefined;
				} else if (byte !== colon && byte > 0x20) {
					// A number, true, false or null at the top level: not a value we read.
					this.#valueFor = undefined;
				}
			}
		}

		if (this.#capture && captureFrom !== -1) {
			this.#take(chunk, captureFrom, chunk.length);
		}
	}

	/** The usage the body carried, once it has all passed; undefined when it had none (or a broken one). */
	get usage(): Usage | undefined {
		if (!this.#usageBytes) {
			return undefined;
		}

		try {
			return usageFromJson({usage: JSON.parse(Buffer.from(this.#usageBytes).toString('utf8')) as unknown});
		} catch {
			return undefined;
		}
	}

	get model(): string | undefined {
		if (!this.#modelBytes) {
			return undefined;
		}

		try {
			const model: unknown = JSON.parse(`"${Buffer.from(this.#modelBytes).toString('utf8')}"`);
			return typeof model === 'string' ? model : undefined;
		} catch {
			return undefined;
		}
	}

	#take(chunk: Uint8Array, from: number, to: number): void {
		const capture = this.#capture;
		if (!capture || from < 0 || to <= from || capture.tooLong) {
			return;
		}

		const limit = capture.key === 'usage' ? maxUsageBytes : maxModelBytes;
		capture.bytes += to - from;
		if (capture.bytes > limit) {
			capture.tooLong = true;
			capture.chunks = [];
			return;
		}

		// Copied: the chunk's memory belongs to the stream and is reused.
		capture.chunks.push(chunk.slice(from, to));
	}

	#finishCapture(): void {
		const capture = this.#capture;
		this.#capture = undefined;
		if (!capture || capture.tooLong) {
			return;
		}

		const bytes = Buffer.concat(capture.chunks);
		if (capture.key === 'usage') {
			this.#usageBytes = bytes;
		} else {
			this.#modelBytes = bytes;
		}
	}
}

// Most replies are a few kilobytes: those are kept and parsed once at the end (JSON.parse is
// native and far cheaper than a byte loop in JavaScript); a bigger one hands its bytes to the
// scanner and is not kept.
const keptBodyBytes = 64 * 1024;

/** Usage and model of a non-streaming reply, whatever its size, holding at most 64 KiB of it. */
export class JsonUsageReader {
	#chunks: Buffer[] | undefined = [];
	#bytes = 0;
	#scanner: JsonUsageScanner | undefined;

	push(chunk: Buffer): void {
		if (this.#chunks) {
			this.#bytes += chunk.length;
			if (this.#bytes <= keptBodyBytes) {
				this.#chunks.push(chunk);
				return;
			}

			this.#scanner = new JsonUsageScanner();
			for (const kept of this.#chunks) {
				this.#scanner.push(kept);
			}

			this.#chunks = undefined;
		}

		this.#scanner!.push(chunk);
	}

	/** What the whole body said; call once it has all passed. */
	result(): {usage: Usage | undefined; model: string | undefined} {
		if (this.#scanner) {
			return {usage: this.#scanner.usage, model: this.#scanner.model};
		}

		const json = parseJsonObject(this.#chunks!.length === 1 ? this.#chunks![0]! : Buffer.concat(this.#chunks!));
		return {usage: usageFromJson(json), model: typeof json?.['model'] === 'string' ? json['model'] : undefined};
	}
}
