// What the user should see happen (429s, cooldowns with their deadlines, recoveries), newest
// first and bounded.
import {terminalSafe} from '../util/terminal-safe.js';
import type {StoreEvent, StoreEventKind} from './records.js';

const eventRingSize = 100;

export class EventLog {
	#events: StoreEvent[] = [];

	/** Events from before a restart (newest first, from the history), already cleaned. */
	constructor(earlier: readonly StoreEvent[] = []) {
		this.#events = earlier.slice(0, eventRingSize);
	}

	add(tsMs: number, kind: StoreEventKind, message: string, account?: string): StoreEvent {
		// Messages quote upstream answers, client model ids and error texts.
		const event: StoreEvent = {tsMs, kind, account, message: terminalSafe(message)};
		this.#events.unshift(event);
		if (this.#events.length > eventRingSize) {
			this.#events.length = eventRingSize;
		}

		return event;
	}

	newestFirst(): StoreEvent[] {
		return [...this.#events];
	}
}
