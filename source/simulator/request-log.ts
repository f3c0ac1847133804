// The request log: a ring, because the demo runs for hours.
import type {SimRequestLogEntry} from './sim-types.js';

export class RequestLog {
	readonly entries: SimRequestLogEntry[] = [];

	readonly #limit: number;

	constructor(limit: number) {
		this.#limit = limit;
	}

	push(entry: SimRequestLogEntry): void {
		this.entries.push(entry);
		if (this.entries.length > this.#limit) {
			this.entries.splice(0, this.entries.length - this.#limit);
		}
	}
}
