// The one record a client request leaves in the store: the ring, the log, savings.
import {costUsd} from '../pricing/cost.js';
import type {Attempt, RequestOutcome, RequestRecord} from '../state/records.js';
import type {Usage} from '../anthropic/usage.js';

// Request ids only need to be unique within this process (the ring and the log); a counter is
// far cheaper than random bytes on the request path.
let requestCounter = 0;
const idPrefix = Date.now().toString(36);

export function nextRequestId(): string {
	requestCounter++;
	return `${idPrefix}-${requestCounter.toString(36)}`;
}

export type Finished = {
	account: string | null;
	status: number;
	outcome: RequestOutcome;
	usage?: Usage;
	model?: string;
	stream: boolean;
};

export type RecordContext = {
	startedMs: number;
	finishedMs: number;
	/** The model the request asked for (after overrides): used when the answer did not say. */
	requestedModel: string | undefined;
	path: string;
	attempts: Attempt[];
};

export function requestRecord(finished: Finished, context: RecordContext): RequestRecord {
	const {usage} = finished;
	const model = finished.model ?? context.requestedModel ?? '';
	return {
		id: nextRequestId(),
		// Logged when it finished (like an access log), so the newest-first ring stays in order.
		tsMs: context.finishedMs,
		account: finished.account,
		model,
		status: finished.status,
		inputTokens: usage?.inputTokens ?? 0,
		outputTokens: usage?.outputTokens ?? 0,
		cacheReadTokens: usage?.cacheReadInputTokens ?? 0,
		cacheWriteTokens: usage?.cacheCreationInputTokens ?? 0,
		durationMs: context.finishedMs - context.startedMs,
		attempts: context.attempts,
		outcome: finished.outcome,
		stream: finished.stream,
		path: context.path,
		costUsd: usage ? costUsd(model, usage) : 0,
	};
}
