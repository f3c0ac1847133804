// What instances say to each other on the pool's channel, and how what arrives is checked. Every
// message is outside input (anything that can publish on the channel can send one): it is size-
// capped, parsed defensively, every account must be one this instance knows, every number is
// bounded, every text cleaned for the terminal and cut short. Anything that fails is dropped.
import {type Buffer} from 'node:buffer';
import type {RemoteEvent, RemoteRequest} from '../monitor/contract.js';
import type {
	Attempt, RequestOutcome, RequestRecord, StoreEvent, StoreEventKind,
} from '../state/records.js';
import type {SharedFact} from '../state/shared-facts.js';
import {Drops, readTelemetry} from '../state/validate-state.js';
import {isRecord, type JsonObject} from '../util/json.js';
import {terminalSafe} from '../util/terminal-safe.js';
import {storableInstant} from '../util/time-horizon.js';
import {asSealed, type SealedPair} from './token-cipher.js';

export const maxMessageBytes = 256 * 1024;
const maxFacts = 2000;
const maxRecords = 500;

/** A message as sent: who sent it, and any of what follows. */
export type PoolMessage = {
	v: 1;
	/** The sender's instance id and name. */
	from: string;
	name: string;
	facts?: SharedFact[];
	requests?: CompactRequest[];
	events?: StoreEvent[];
	token?: {account: string; sealed: SealedPair};
	/** Joined (or came back), or is leaving. */
	hello?: true;
	bye?: true;
};

/** A finished request as others' logs show it: no routing decision, no holds. */
export type CompactRequest = Pick<RequestRecord,
	| 'id' | 'tsMs' | 'startedMs' | 'account' | 'model' | 'status' | 'inputTokens' | 'outputTokens' | 'cacheReadTokens' | 'cacheWriteTokens'
	| 'durationMs' | 'ttftMs' | 'attempts' | 'outcome' | 'stream' | 'path' | 'frontDoor' | 'costUsd'> & {requestedModel?: string; shuntReason?: string};

export function compactRequest(record: RequestRecord): CompactRequest {
	const compact: CompactRequest = {
		id: record.id,
		tsMs: record.tsMs,
		startedMs: record.startedMs,
		account: record.account,
		model: record.model,
		status: record.status,
		inputTokens: record.inputTokens,
		outputTokens: record.outputTokens,
		cacheReadTokens: record.cacheReadTokens,
		cacheWriteTokens: record.cacheWriteTokens,
		durationMs: record.durationMs,
		ttftMs: record.ttftMs,
		attempts: record.attempts.slice(0, 10),
		outcome: record.outcome,
		stream: record.stream,
		path: record.path,
		frontDoor: record.frontDoor,
		costUsd: record.costUsd,
	};
	if (record.requestedModel !== undefined) {
		compact.requestedModel = record.requestedModel;
	}

	if (record.shuntReason !== undefined) {
		compact.shuntReason = record.shuntReason;
	}

	return compact;
}

/** Events other instances show with this one's name: what happened to an account, not housekeeping. */
export const sharedEventKinds: ReadonlySet<StoreEventKind> = new Set(['rate-limited', 'cooldown', 'overloaded', 'auth', 'forbidden', 'health']);

// ---------------------------------------------------------------- checking what arrives

const instancePattern = /^[\w.-]{1,32}$/;
const idPattern = /^[\da-f]{12}$/;
const eventKinds = new Set<string>(['rate-limited', 'cooldown', 'recovered', 'overloaded', 'auth', 'forbidden', 'health', 'info']);
const outcomes = new Set<string>(['complete', 'error', 'truncated', 'client-cancelled']);
const maxCount = 1e15;

const text = (value: unknown, max: number): string | undefined => (typeof value === 'string' ? terminalSafe(value.slice(0, max)) : undefined);
const count = (value: unknown, max = maxCount): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= max;

export type Checked = {
	from: string;
	name: string;
	facts: SharedFact[];
	requests: RemoteRequest[];
	events: RemoteEvent[];
	token?: {account: string; sealed: SealedPair};
	hello: boolean;
	bye: boolean;
};

function checkFact(value: unknown, known: ReadonlySet<string>, nowMs: number): SharedFact | undefined {
	if (!isRecord(value) || (typeof value['account'] !== 'string' && value['type'] !== 'pin')) {
		return undefined;
	}

	const account = value['account'] as string;
	if (value['type'] !== 'pin' && !known.has(account)) {
		return undefined;
	}

	const instant = (field: string) => (storableInstant(value[field], nowMs) ? value[field] : undefined);
	switch (value['type']) {
		case 'telemetry': {
			const telemetry = readTelemetry(value['telemetry'], 'telemetry', new Drops(0), nowMs);
			return telemetry ? {type: 'telemetry', account, telemetry} : undefined;
		}

		case 'cooldown': {
			const untilMs = instant('untilMs');
			const reason = text(value['reason'], 64);
			return untilMs === undefined || reason === undefined
				? undefined
				: {
					type: 'cooldown', account, untilMs, reason, staggered: false,
				};
		}

		case 'cooldown-cleared': {
			const untilMs = instant('untilMs');
			return untilMs === undefined ? undefined : {type: 'cooldown-cleared', account, untilMs};
		}

		case 'attempt':
		case 'refund': {
			const stampMs = instant('stampMs');
			return stampMs === undefined ? undefined : {type: value['type'], account, stampMs};
		}

		case 'exclusion': {
			const untilMs = instant('untilMs');
			const model = text(value['model'], 128);
			return untilMs === undefined || !model
				? undefined
				: {
					type: 'exclusion', account, model, untilMs,
				};
		}

		case 'paused': {
			return typeof value['paused'] === 'boolean' ? {type: 'paused', account, paused: value['paused']} : undefined;
		}

		case 'pin': {
			const pinned = value['account'];
			if (pinned === null) {
				return {type: 'pin', account: null};
			}

			return typeof pinned === 'string' && known.has(pinned) ? {type: 'pin', account: pinned} : undefined;
		}

		default: {
			return undefined;
		}
	}
}

function checkAttempts(value: unknown): Attempt[] | undefined {
	if (!Array.isArray(value)) {
		return undefined;
	}

	const attempts: Attempt[] = [];
	for (const entry of value.slice(0, 10)) {
		const account = isRecord(entry) ? text(entry['account'], 64) : undefined;
		if (!isRecord(entry) || account === undefined || !count(entry['status'], 999)) {
			return undefined;
		}

		const attempt: Attempt = {account, status: entry['status']};
		const reason = text(entry['reason'], 100);
		if (reason !== undefined) {
			attempt.reason = reason;
		}

		attempts.push(attempt);
	}

	return attempts;
}

function checkRequest(value: unknown, instance: string, from: string, nowMs: number): RemoteRequest | undefined {
	if (!isRecord(value)) {
		return undefined;
	}

	const id = text(value['id'], 64);
	const model = text(value['model'], 128);
	const path = text(value['path'], 256);
	const account = value['account'] === null ? null : text(value['account'], 64);
	const attempts = checkAttempts(value['attempts']);
	const {tsMs, startedMs, status, durationMs, ttftMs, costUsd, outcome, stream} = value;
	const tokens = ['inputTokens', 'outputTokens', 'cacheReadTokens', 'cacheWriteTokens'] as const;
	if (id === undefined || model === undefined || path === undefined || account === undefined || attempts === undefined
		|| !storableInstant(tsMs, nowMs) || !storableInstant(startedMs, nowMs) || !count(status, 999) || !count(durationMs, 86_400_000)
		|| !(ttftMs === null || count(ttftMs, 86_400_000)) || !count(costUsd, 1e9) || typeof outcome !== 'string' || !outcomes.has(outcome)
		|| typeof stream !== 'boolean' || tokens.some(field => !count(value[field]))) {
		return undefined;
	}

	const request: RemoteRequest = {
		// Ids are unique per instance only.
		id: `${from}:${id}`,
		tsMs,
		startedMs,
		account,
		model,
		status,
		inputTokens: value['inputTokens'] as number,
		outputTokens: value['outputTokens'] as number,
		cacheReadTokens: value['cacheReadTokens'] as number,
		cacheWriteTokens: value['cacheWriteTokens'] as number,
		durationMs,
		ttftMs,
		attempts,
		outcome: outcome as RequestOutcome,
		stream,
		path,
		// An instance from before the OpenAI door sends none: it only had the Messages API.
		frontDoor: value['frontDoor'] === 'openai' ? 'openai' : 'anthropic',
		costUsd,
		instance,
	};
	const requestedModel = text(value['requestedModel'], 128);
	if (requestedModel !== undefined) {
		request.requestedModel = requestedModel;
	}

	const shuntReason = text(value['shuntReason'], 200);
	if (shuntReason !== undefined) {
		request.shuntReason = shuntReason;
	}

	return request;
}

function checkEvent(value: unknown, instance: string, nowMs: number): RemoteEvent | undefined {
	if (!isRecord(value) || !storableInstant(value['tsMs'], nowMs) || typeof value['kind'] !== 'string' || !eventKinds.has(value['kind'])) {
		return undefined;
	}

	const message = text(value['message'], 300);
	if (message === undefined) {
		return undefined;
	}

	const event: RemoteEvent = {
		tsMs: value['tsMs'], kind: value['kind'] as StoreEventKind, message, instance,
	};
	const account = text(value['account'], 64);
	if (account !== undefined) {
		event.account = account;
	}

	return event;
}

function list<T>(value: unknown, max: number, check: (entry: unknown) => T | undefined): T[] {
	if (!Array.isArray(value)) {
		return [];
	}

	const checked: T[] = [];
	for (const entry of value.slice(0, max)) {
		const item = check(entry);
		if (item !== undefined) {
			checked.push(item);
		}
	}

	return checked;
}

/**
 * One message from the channel, checked: undefined when it is not a pool message at all. Facts
 * about accounts this instance does not have are dropped (accounts are matched by name).
 */
export function checkMessage(bytes: Buffer, known: ReadonlySet<string>, nowMs: number): Checked | undefined {
	if (bytes.length > maxMessageBytes) {
		return undefined;
	}

	let parsed: unknown;
	try {
		parsed = JSON.parse(bytes.toString('utf8'));
	} catch {
		return undefined;
	}

	if (!isRecord(parsed) || parsed['v'] !== 1) {
		return undefined;
	}

	const message: JsonObject = parsed;
	const {from, name} = message;
	if (typeof from !== 'string' || !idPattern.test(from) || typeof name !== 'string' || !instancePattern.test(name)) {
		return undefined;
	}

	const checked: Checked = {
		from,
		name,
		facts: list(message['facts'], maxFacts, value => checkFact(value, known, nowMs)),
		requests: list(message['requests'], maxRecords, value => checkRequest(value, name, from, nowMs)),
		events: list(message['events'], maxRecords, value => checkEvent(value, name, nowMs)),
		hello: message['hello'] === true,
		bye: message['bye'] === true,
	};
	const {token} = message;
	if (isRecord(token) && typeof token['account'] === 'string' && known.has(token['account'])) {
		const sealed = asSealed(token['sealed']);
		if (sealed) {
			checked.token = {account: token['account'], sealed};
		}
	}

	return checked;
}

/** A fact as Redis or a message holds it, checked the same way (reconcile reads these). */
export function checkStoredFact(value: unknown, known: ReadonlySet<string>, nowMs: number): SharedFact | undefined {
	return checkFact(value, known, nowMs);
}
