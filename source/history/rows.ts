// Records as rows and rows as records. Writing is on the proxy's thread (batched), so it builds a
// flat parameter list and nothing else. Reading is for the ring after a restart, from a file that
// anyone could have edited: every value is checked, every string cleaned for the terminal, and a
// row that cannot be a request is skipped rather than trusted.
import type {DecidedBy, Decision} from '../routing/explain.js';
import {isStrategyName} from '../routing/strategy-names.js';
import {
	frontDoorNames, storeEventKinds, type Attempt, type FrontDoorName, type Hold, type RequestOutcome, type RequestRecord, type StoreEvent, type StoreEventKind,
} from '../state/records.js';
import {isRecord} from '../util/json.js';
import {terminalSafe} from '../util/terminal-safe.js';

export const insertRequestSql = `INSERT INTO requests (
	id, started_ms, ts_ms, account, account_kind, shunt_reason, model, requested_model, path, stream, status, outcome,
	input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cache_write_5m_tokens, cache_write_1h_tokens,
	cost_usd, duration_ms, ttft_ms, session_hash, attempts, holds, decision, front_door, removed_fields
) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

export const insertEventSql = 'INSERT INTO events (ts_ms, kind, account, message) VALUES (?, ?, ?, ?)';

export const insertSampleSql = `INSERT INTO telemetry_samples (
	ts_ms, account, utilization_5h, reset_5h, status_5h, utilization_7d, reset_7d, status_7d, key_headroom
) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/** One rate-limit reading of an account, as the gauges over time need it. */
export type TelemetrySample = {
	tsMs: number;
	account: string;
	utilization5h: number | null;
	/** Epoch seconds. */
	reset5h: number | null;
	status5h: string | null;
	utilization7d: number | null;
	reset7d: number | null;
	status7d: string | null;
	/** API keys: the tightest bucket's remaining share. */
	keyHeadroom: number | null;
};

// Most requests have no failed tries: no need to stringify an empty list each time.
const noAttempts = '[]';

export function requestParams(record: RequestRecord, accountKind: string | null): unknown[] {
	return [
		record.id,
		record.startedMs,
		record.tsMs,
		record.account,
		accountKind,
		record.shuntReason ?? null,
		record.model,
		record.requestedModel ?? null,
		record.path,
		record.stream ? 1 : 0,
		record.status,
		record.outcome,
		record.inputTokens,
		record.outputTokens,
		record.cacheReadTokens,
		record.cacheWriteTokens,
		record.cacheWrite5mTokens ?? null,
		record.cacheWrite1hTokens ?? null,
		finiteOr(record.costUsd, 0),
		record.durationMs,
		record.ttftMs,
		record.sessionHash ?? null,
		record.attempts.length === 0 ? noAttempts : JSON.stringify(record.attempts),
		record.holds && record.holds.length > 0 ? JSON.stringify(record.holds) : null,
		record.decision ? JSON.stringify(record.decision) : null,
		record.frontDoor,
		record.removedFields && record.removedFields.length > 0 ? JSON.stringify(record.removedFields) : null,
	];
}

export function eventParams(event: StoreEvent): unknown[] {
	return [event.tsMs, event.kind, event.account ?? null, event.message];
}

export function sampleParams(sample: TelemetrySample): unknown[] {
	return [sample.tsMs, sample.account, sample.utilization5h, sample.reset5h, sample.status5h, sample.utilization7d, sample.reset7d, sample.status7d, sample.keyHeadroom];
}

// ---------------------------------------------------------------- reading back (hostile input)

/** The columns selected for a request row, in this order. */
export const requestColumns = 'id, started_ms, ts_ms, account, shunt_reason, model, requested_model, path, stream, status, outcome, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cache_write_5m_tokens, cache_write_1h_tokens, cost_usd, duration_ms, ttft_ms, session_hash, attempts, holds, decision, front_door, removed_fields';

type Row = Record<string, unknown>;

// Ten times all the tokens any model answers with, and a century of milliseconds: beyond these
// a number in the file is broken, not a real count.
const maxCount = 1e12;
const maxMs = 100 * 365 * 86_400_000;
const outcomes: ReadonlySet<RequestOutcome> = new Set(['complete', 'error', 'truncated', 'client-cancelled']);
const decidedBy: ReadonlySet<DecidedBy> = new Set(['pin', 'sticky', 'strategy', 'fallback', 'only']);

function finiteOr(value: unknown, fallback: number): number {
	return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

function count(value: unknown): number | undefined {
	return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= maxCount ? value : undefined;
}

function instant(value: unknown): number | undefined {
	return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= maxMs ? value : undefined;
}

function text(value: unknown, maxLength: number): string | undefined {
	return typeof value === 'string' ? terminalSafe(value.length > maxLength ? value.slice(0, maxLength) : value) : undefined;
}

function parseJson(value: unknown): unknown {
	if (typeof value !== 'string' || value.length > 1_000_000) {
		return undefined;
	}

	try {
		return JSON.parse(value);
	} catch {
		return undefined;
	}
}

function attemptsOf(value: unknown): Attempt[] {
	const parsed = parseJson(value);
	if (!Array.isArray(parsed)) {
		return [];
	}

	const attempts: Attempt[] = [];
	for (const entry of parsed.slice(0, 100)) {
		const account = isRecord(entry) ? text(entry['account'], 200) : undefined;
		const status = isRecord(entry) ? count(entry['status']) : undefined;
		if (account === undefined || status === undefined) {
			continue;
		}

		const reason = text((entry as Row)['reason'], 500);
		attempts.push(reason === undefined ? {account, status} : {account, status, reason});
	}

	return attempts;
}

function removedFieldsOf(value: unknown): string[] | undefined {
	const parsed = parseJson(value);
	if (!Array.isArray(parsed)) {
		return undefined;
	}

	const fields = parsed.slice(0, 20).map(entry => text(entry, 100)).filter(field => field !== undefined);
	return fields.length > 0 ? fields : undefined;
}

function holdsOf(value: unknown): Hold[] | undefined {
	const parsed = parseJson(value);
	if (!Array.isArray(parsed)) {
		return undefined;
	}

	const holds: Hold[] = [];
	for (const entry of parsed.slice(0, 100)) {
		if (!isRecord(entry)) {
			continue;
		}

		const afterAttempts = count(entry['afterAttempts']);
		const ms = count(entry['ms']);
		const reason = text(entry['reason'], 500);
		if (afterAttempts !== undefined && ms !== undefined && reason !== undefined) {
			holds.push({afterAttempts, ms, reason});
		}
	}

	return holds.length > 0 ? holds : undefined;
}

function decisionOf(value: unknown): Decision | undefined {
	const parsed = parseJson(value);
	if (!isRecord(parsed) || !decidedBy.has(parsed['by'] as DecidedBy) || !isStrategyName(parsed['strategy']) || !Array.isArray(parsed['candidates'])) {
		return undefined;
	}

	const candidates: Decision['candidates'] = [];
	for (const entry of parsed['candidates'].slice(0, 1000)) {
		if (!isRecord(entry)) {
			return undefined;
		}

		const account = text(entry['account'], 200);
		const why = text(entry['why'], 500);
		const score = entry['score'] === null ? null : finiteOr(entry['score'], Number.NaN);
		if (account === undefined || why === undefined || typeof entry['eligible'] !== 'boolean' || Number.isNaN(score)) {
			return undefined;
		}

		const untilMs = instant(entry['untilMs']);
		candidates.push({
			account, eligible: entry['eligible'], why, score, ...(untilMs === undefined ? {} : {untilMs}),
		});
	}

	return {by: parsed['by'] as DecidedBy, strategy: parsed['strategy'], candidates};
}

/** A request row as a record, or undefined when the row cannot be one. */
export function requestFromRow(row: Row): RequestRecord | undefined {
	const tsMs = instant(row['ts_ms']);
	const startedMs = instant(row['started_ms']);
	const status = count(row['status']);
	const id = text(row['id'], 100);
	if (tsMs === undefined || startedMs === undefined || status === undefined || id === undefined) {
		return undefined;
	}

	const ttft = row['ttft_ms'] === null ? null : instant(row['ttft_ms']) ?? null;
	const record: RequestRecord = {
		id,
		tsMs,
		startedMs,
		account: row['account'] === null ? null : text(row['account'], 200) ?? null,
		model: text(row['model'], 200) ?? '',
		status,
		inputTokens: count(row['input_tokens']) ?? 0,
		outputTokens: count(row['output_tokens']) ?? 0,
		cacheReadTokens: count(row['cache_read_tokens']) ?? 0,
		cacheWriteTokens: count(row['cache_write_tokens']) ?? 0,
		durationMs: instant(row['duration_ms']) ?? 0,
		ttftMs: ttft,
		attempts: attemptsOf(row['attempts']),
		outcome: outcomes.has(row['outcome'] as RequestOutcome) ? row['outcome'] as RequestOutcome : 'error',
		stream: row['stream'] === 1,
		path: text(row['path'], 2000) ?? '',
		costUsd: Math.max(0, finiteOr(row['cost_usd'], 0)),
		frontDoor: frontDoorNames.includes(row['front_door'] as FrontDoorName) ? row['front_door'] as FrontDoorName : 'anthropic',
	};
	const optional: Partial<RequestRecord> = {
		requestedModel: text(row['requested_model'], 200),
		cacheWrite5mTokens: count(row['cache_write_5m_tokens']),
		cacheWrite1hTokens: count(row['cache_write_1h_tokens']),
		holds: holdsOf(row['holds']),
		decision: decisionOf(row['decision']),
		shuntReason: text(row['shunt_reason'], 500),
		sessionHash: text(row['session_hash'], 64),
		removedFields: removedFieldsOf(row['removed_fields']),
	};
	for (const [key, value] of Object.entries(optional)) {
		if (value !== undefined) {
			(record as Record<string, unknown>)[key] = value;
		}
	}

	return record;
}

export function eventFromRow(row: Row): StoreEvent | undefined {
	const tsMs = instant(row['ts_ms']);
	const message = text(row['message'], 2000);
	if (tsMs === undefined || message === undefined || !storeEventKinds.includes(row['kind'] as StoreEventKind)) {
		return undefined;
	}

	const account = text(row['account'], 200);
	return {
		tsMs, kind: row['kind'] as StoreEventKind, message, ...(account === undefined ? {} : {account}),
	};
}
