// Others' log: the requests and events the other instances announced, newest first, for the
// monitor's team view and the status document. Bounded rings: a chatty pool never grows memory.
import type {RemoteEvent, RemoteRequest} from '../monitor/contract.js';
import {Ring} from '../util/ring.js';
import type {Checked} from './messages.js';

export class RemoteLog {
	readonly #requests: Ring<RemoteRequest>;
	readonly #events: Ring<RemoteEvent>;

	constructor(size: number) {
		this.#requests = new Ring(size);
		this.#events = new Ring(size);
	}

	get requests(): RemoteRequest[] {
		return this.#requests.newestFirst();
	}

	get events(): RemoteEvent[] {
		return this.#events.newestFirst();
	}

	/** A message's log rows; true when it had any (the view changed). */
	add(checked: Checked): boolean {
		for (const request of checked.requests) {
			this.#requests.push(request);
		}

		for (const event of checked.events) {
			this.#events.push(event);
		}

		return checked.requests.length + checked.events.length > 0;
	}

	/** Something another instance did that its message only implies (a pause): shown as its event. */
	note(event: RemoteEvent): void {
		this.#events.push(event);
	}
}
