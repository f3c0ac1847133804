// The one record a client request leaves in the store: the ring, the log, savings, history.
import type {Usage} from '../anthropic/usage.js';
import {costUsd} from '../pricing/cost.js';
import type {Decision} from '../routing/explain.js';
import type {Attempt, FrontDoorName, Hold, RequestOutcome, RequestRecord} from '../state/records.js';

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
	/** shunt answered itself: why. */
	shuntReason?: string;
};

export type RecordContext = {
	id: string;
	startedMs: number;
	finishedMs: number;
	/** When the first byte went to the client, if one did. */
	firstByteMs: number | null;
	/** The model the client asked for, and the one sent (after overrides and fallback). */
	clientModel: string | undefined;
	sentModel: string | undefined;
	path: string;
	/** The API the client spoke. */
	frontDoor: FrontDoorName;
	attempts: Attempt[];
	holds: Hold[];
	decision: Decision | undefined;
	/** Fields removed because the model shunt chose refuses them. */
	removedFields: readonly string[];
};

export function requestRecord(finished: Finished, context: RecordContext): RequestRecord {
	const {usage} = finished;
	const model = finished.model ?? context.sentModel ?? context.clientModel ?? '';
	const record: RequestRecord = {
		id: context.id,
		tsMs: context.finishedMs,
		startedMs: context.startedMs,
		account: finished.account,
		model,
		status: finished.status,
		inputTokens: usage?.inputTokens ?? 0,
		outputTokens: usage?.outputTokens ?? 0,
		cacheReadTokens: usage?.cacheReadInputTokens ?? 0,
		cacheWriteTokens: usage?.cacheCreationInputTokens ?? 0,
		durationMs: context.finishedMs - context.startedMs,
		ttftMs: context.firstByteMs === null ? null : context.firstByteMs - context.startedMs,
		attempts: context.attempts,
		outcome: finished.outcome,
		stream: finished.stream,
		path: context.path,
		frontDoor: context.frontDoor,
		costUsd: usage ? costUsd(model, usage) : 0,
	};
	if (context.clientModel !== undefined && context.clientModel !== (context.sentModel ?? context.clientModel)) {
		record.requestedModel = context.clientModel;
	}

	if (usage?.cacheCreation5mTokens !== undefined) {
		record.cacheWrite5mTokens = usage.cacheCreation5mTokens;
	}

	if (usage?.cacheCreation1hTokens !== undefined) {
		record.cacheWrite1hTokens = usage.cacheCreation1hTokens;
	}

	if (context.holds.length > 0) {
		record.holds = context.holds;
	}

	if (context.decision) {
		record.decision = context.decision;
	}

	if (finished.shuntReason) {
		record.shuntReason = finished.shuntReason;
	}

	if (context.removedFields.length > 0) {
		record.removedFields = [...context.removedFields];
	}

	return record;
}
