import {shortModelName} from './pricing/cost.js';
import type {StateStore} from './state/store.js';
import {clockTime} from './util/clock-time.js';
import type {RequestRecord, StoreEvent} from './types.js';

function duration(ms: number): string {
	return ms < 1000 ? `${ms}ms` : `${(ms / 1000).toFixed(1)}s`;
}

export function requestLine(record: RequestRecord): string {
	const tokens = `in ${record.inputTokens + record.cacheReadTokens + record.cacheWriteTokens} out ${record.outputTokens}`;
	const failovers = record.attempts.length > 0
		? `  failover: ${record.attempts.map(attempt => `${attempt.status || attempt.reason} ${attempt.account}`).join(' → ')} → ${record.account ?? 'none'}`
		: '';
	const outcome = record.outcome === 'complete' ? '' : `  ${record.outcome}`;
	return `${clockTime(record.tsMs)}  ${record.account ?? '-'}  ${record.model ? shortModelName(record.model) : record.path}  ${record.status}  ${tokens}  ${duration(record.durationMs)}${outcome}${failovers}`;
}

export function eventLine(event: StoreEvent): string {
	return `${clockTime(event.tsMs)}  [${event.kind}] ${event.message}`;
}

/**
 * Headless mode's output: one line per finished request and per cooldown/recovery event. Lines
 * are collected and written once per turn of the event loop: writes to a pipe are synchronous,
 * and one per request is measurable under load.
 */
export function attachHeadlessLog(store: StateStore, write: (line: string) => void): () => void {
	let pending: string[] = [];
	const flush = () => {
		if (pending.length === 0) {
			return;
		}

		const lines = pending;
		pending = [];
		write(lines.join('\n'));
	};

	const queue = (line: string) => {
		if (pending.length === 0) {
			setImmediate(flush);
		}

		pending.push(line);
	};

	const onRequest = (record: RequestRecord) => queue(requestLine(record));
	const onEvent = (event: StoreEvent) => queue(eventLine(event));
	store.on('request', onRequest);
	store.on('event', onEvent);
	return () => {
		store.off('request', onRequest);
		store.off('event', onEvent);
		flush();
	};
}
