// The request log interleaves finished requests with store events (429s, cooldowns, recoveries)
// in one newest-first timeline, so staggered cooldowns can be watched as they happen.
import type {RequestRecord, StoreEvent} from '../state/records.js';

export type LogItem =
	| {type: 'request'; key: string; tsMs: number; request: RequestRecord}
	| {type: 'event'; key: string; tsMs: number; event: StoreEvent};

/** Merges two newest-first lists into one newest-first timeline with stable keys. */
export function mergeLog(requests: readonly RequestRecord[], events: readonly StoreEvent[]): LogItem[] {
	const items: LogItem[] = [];
	const seen = new Map<string, number>();
	// Events carry no id; their content plus a repeat counter is stable while the list scrolls.
	const eventKey = (event: StoreEvent) => {
		const base = `e:${event.tsMs}:${event.kind}:${event.account ?? ''}:${event.message}`;
		const count = seen.get(base) ?? 0;
		seen.set(base, count + 1);
		return count === 0 ? base : `${base}#${count}`;
	};

	let r = 0;
	let e = 0;
	while (r < requests.length || e < events.length) {
		const request = requests[r];
		const event = events[e];
		// On equal timestamps the request is listed as the newer: a 429 event precedes the failover
		// that answered the same request.
		if (request && (!event || request.tsMs >= event.tsMs)) {
			items.push({type: 'request', key: `r:${request.id}`, tsMs: request.tsMs, request});
			r++;
		} else if (event) {
			items.push({type: 'event', key: eventKey(event), tsMs: event.tsMs, event});
			e++;
		}
	}

	return items;
}
