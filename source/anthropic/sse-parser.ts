// Server-sent events, framed from raw bytes: lines split at CR, LF or CRLF (also across chunks),
// events at blank lines. It never holds more than the current line and the current event's data,
// each byte is looked at once, and the data of events nobody wants is never decoded.

// A line longer than this is dropped (and the event it belongs to with it) so a hostile or
// broken upstream cannot make the parser hold an unbounded buffer.
const maxLineBytes = 1024 * 1024;
const maxEventDataChars = maxLineBytes;
const initialLineCapacity = 1024;
// A line buffer grown past this for one long line is given back afterwards.
const keptLineCapacity = 64 * 1024;

const lineFeed = 0x0A;
const carriageReturn = 0x0D;

export class SseParser {
	readonly #onEvent: (name: string, data: string) => void;
	readonly #wants: (name: string) => boolean;
	readonly #skipped = new Map<string, number>();

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

	/**
	 * onEvent gets each complete event's name ("" when it had no event: line) and data. Events whose
	 * name `wants` refuses are skipped without decoding their data.
	 */
	constructor(onEvent: (name: string, data: string) => void, wants: (name: string) => boolean = () => true) {
		this.#onEvent = onEvent;
		this.#wants = wants;
	}

	/** How many complete events of a name were skipped (not wanted, so never decoded). */
	skipped(name: string): number {
		return this.#skipped.get(name) ?? 0;
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
		return this.#eventBroken || (this.#eventName !== '' && !this.#wants(this.#eventName));
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
		if (name !== '' && !this.#wants(name)) {
			// Skipped unread, but counted: how far a stream got needs no decoding.
			this.#skipped.set(name, (this.#skipped.get(name) ?? 0) + 1);
			return;
		}

		if (broken || data === '') {
			return;
		}

		this.#onEvent(name, data);
	}

	#resetEvent(): void {
		this.#eventName = '';
		this.#dataLines = [];
		this.#dataChars = 0;
		this.#eventBroken = false;
	}
}

const dataField = [0x64, 0x61, 0x74, 0x61]; // "data"
const colonByte = 0x3A;

function isDataLine(line: Uint8Array): boolean {
	// eslint-disable-next-line unicorn/no-for-loop -- runs for every SSE line; entries() would allocate an iterator and a pair per byte
	for (let i = 0; i < dataField.length; i++) {
		if (line[i] !== dataField[i]) {
			return false;
		}
	}

	return line.length === dataField.length || line[dataField.length] === colonByte;
}

