// The request log interleaves requests (in flight and finished) with store events (429s,
// cooldowns, recoveries) in one newest-first timeline, so failovers and staggered cooldowns can be
// watched as they happen. Requests are placed by when they arrived: a 20 s stream shows from its
// first second, and its finished row takes the live row's place (the same key).
import type {InFlightRequest} from '../../../state/in-flight.js';
import type {RequestRecord, StoreEvent} from '../../../state/records.js';

export type LogItem
	= {type: 'live'; key: string; tsMs: number; live: InFlightRequest}
		| {type: 'request'; key: string; tsMs: number; request: RequestRecord}
		| {type: 'event'; key: string; tsMs: number; event: StoreEvent};

export const requestKey = (id: string) => `r:${id}`;

/** One newest-first timeline with stable keys. */
export function mergeLog(requests: readonly RequestRecord[], live: readonly InFlightRequest[], events: readonly StoreEvent[]): LogItem[] {
	const items: LogItem[] = [];
	const finished = new Set<string>();
	for (const request of requests) {
		finished.add(request.id);
		items.push({
			type: 'request', key: requestKey(request.id), tsMs: request.startedMs, request,
		});
	}

	for (const request of live) {
		// Between its record and the live row leaving the snapshot, a request is shown once.
		if (!finished.has(request.id)) {
			items.push({
				type: 'live', key: requestKey(request.id), tsMs: request.startedMs, live: request,
			});
		}
	}

	const seen = new Map<string, number>();
	for (const event of events) {
		// Events carry no id; their content plus a repeat counter is stable while the list scrolls.
		const base = `e:${event.tsMs}:${event.kind}:${event.account ?? ''}:${event.message}`;
		const count = seen.get(base) ?? 0;
		seen.set(base, count + 1);
		items.push({
			type: 'event', key: count === 0 ? base : `${base}#${count}`, tsMs: event.tsMs, event,
		});
	}

	// Newest first; on equal times a request is listed above the event it caused (a 429 event
	// happens during the request that failed over past it).
	const rank = (item: LogItem) => (item.type === 'event' ? 1 : 0);
	items.sort((a, b) => (b.tsMs - a.tsMs) || (rank(a) - rank(b)));
	return items;
}
