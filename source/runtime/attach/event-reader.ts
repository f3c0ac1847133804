// The attached monitor's side of /_shunt/stream: server-sent events cut from the bytes as they
// arrive. shunt writes each event's data on one line, but the reader takes any valid framing
// (CRLF, several data lines, comments). Whatever answers on the port may be anyone, so an event
// larger than maxEventBytes ends the stream with an error instead of growing a buffer.
import {type Buffer} from 'node:buffer';
import {StringDecoder} from 'node:string_decoder';

export class EventTooLarge extends Error {}

export class EventReader {
	readonly #onEvent: (name: string, data: string) => void;
	readonly #maxEventBytes: number;
	readonly #decoder = new StringDecoder('utf8');
	#buffer = '';
	// Where the search for the next blank line resumes: the text before it has none.
	#scanned = 0;

	constructor(onEvent: (name: string, data: string) => void, maxEventBytes: number) {
		this.#onEvent = onEvent;
		this.#maxEventBytes = maxEventBytes;
	}

	/** Throws EventTooLarge when one event passes the bound. */
	push(chunk: Buffer): void {
		let text = this.#decoder.write(chunk);
		if (text.includes('\r')) {
			text = text.replaceAll('\r\n', '\n').replaceAll('\r', '\n');
		}

		this.#buffer += text;
		for (;;) {
			const end = this.#buffer.indexOf('\n\n', this.#scanned);
			if (end === -1) {
				break;
			}

			const block = this.#buffer.slice(0, end);
			this.#buffer = this.#buffer.slice(end + 2);
			this.#scanned = 0;
			this.#dispatch(block);
		}

		// Characters, not bytes: a bound either way, and one that needs no encoding to check.
		if (this.#buffer.length > this.#maxEventBytes) {
			this.#buffer = '';
			throw new EventTooLarge(`an event larger than ${this.#maxEventBytes} bytes`);
		}

		this.#scanned = Math.max(0, this.#buffer.length - 1);
	}

	#dispatch(block: string): void {
		let name = '';
		const data: string[] = [];
		for (const line of block.split('\n')) {
			if (line === '' || line.startsWith(':')) {
				continue;
			}

			const colon = line.indexOf(':');
			const field = colon === -1 ? line : line.slice(0, colon);
			let value = colon === -1 ? '' : line.slice(colon + 1);
			if (value.startsWith(' ')) {
				value = value.slice(1);
			}

			if (field === 'event') {
				name = value;
			} else if (field === 'data') {
				data.push(value);
			}
		}

		if (data.length > 0) {
			this.#onEvent(name, data.join('\n'));
		}
	}
}
