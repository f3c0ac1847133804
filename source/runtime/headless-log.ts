import {shortModel} from '../anthropic/models.js';
import type {LogFeed} from '../state/ports.js';
import {clockTime} from '../util/clock-time.js';
import {terminalSafe} from '../util/terminal-safe.js';
import type {RequestRecord, StoreEvent} from '../state/records.js';

function duration(ms: number): string {
	return ms < 1000 ? `${ms}ms` : `${(ms / 1000).toFixed(1)}s`;
}

/** One finished request; `oa:` marks one that came through the OpenAI front door, as the monitor does. */
export function requestLine(record: RequestRecord): string {
	const tokens = `in ${record.inputTokens + record.cacheReadTokens + record.cacheWriteTokens} out ${record.outputTokens}`;
	const failovers = record.attempts.length > 0
		? `  failover: ${record.attempts.map(attempt => `${attempt.status || attempt.reason} ${attempt.account}`).join(' → ')} → ${record.account ?? 'none'}`
		: '';
	const outcome = record.outcome === 'complete' ? '' : `  ${record.outcome}`;
	// The store already cleans what it records; this is the last line of defence before stderr,
	// and costs one regex test when there is nothing to clean.
	return terminalSafe(`${clockTime(record.tsMs)}  ${record.account ?? '-'}  ${record.frontDoor === 'openai' ? 'oa:' : ''}${record.model ? shortModel(record.model) : record.path}  ${record.status}  ${tokens}  ${duration(record.durationMs)}${outcome}${failovers}`);
}

export function eventLine(event: StoreEvent): string {
	return terminalSafe(`${clockTime(event.tsMs)}  [${event.kind}] ${event.message}`);
}

/**
 * Headless mode's output: one line per finished request and per cooldown/recovery event. Lines
 * are collected and written together every flushEveryMs (and on detach): writes to a pipe or a
 * file are synchronous, and under load one write per request, or even per event-loop turn, is a
 * measurable share of the proxy's CPU. A tenth of a second is too short for a reader to notice.
 */
export function attachHeadlessLog(store: LogFeed, write: (line: string) => void, flushEveryMs = 100): () => void {
	let pending: string[] = [];
	let timer: NodeJS.Timeout | undefined;
	const flush = () => {
		clearTimeout(timer);
		timer = undefined;
		if (pending.length === 0) {
			return;
		}

		const lines = pending;
		pending = [];
		write(lines.join('\n'));
	};

	const queue = (line: string) => {
		pending.push(line);
		// A flood of lines is written in slices rather than held in memory.
		if (pending.length >= 1000) {
			flush();
		} else {
			timer ??= setTimeout(flush, flushEveryMs);
		}
	};

	const onRequest = (record: RequestRecord) => {
		queue(requestLine(record));
	};

	const onEvent = (event: StoreEvent) => {
		queue(eventLine(event));
	};

	store.on('request', onRequest);
	store.on('event', onEvent);
	return () => {
		store.off('request', onRequest);
		store.off('event', onEvent);
		flush();
	};
}
