// `shunt report`'s numbers: totals over a period from the requests table, grouped by UTC day,
// model or account. Cost is what the traffic would have cost on the public API; savings is the
// part of it that subscription accounts served (API-key traffic is billed at those prices).
import type {HistoryDatabase} from './database.js';

export const reportGroupings = ['day', 'model', 'account'] as const;

export type ReportGrouping = (typeof reportGroupings)[number];

/** What shunt answered itself (nobody could serve) is grouped under this account; no account name has parentheses. */
export const shuntKey = '(shunt)';

export type ReportTotals = {
	requests: number;
	inputTokens: number;
	outputTokens: number;
	cacheReadTokens: number;
	cacheWriteTokens: number;
	costUsd: number;
	/** Cache reads ÷ all input (uncached, cache reads, cache writes); null without input. */
	cacheHitRate: number | null;
	savingsUsd: number;
};

export type ReportRow = ReportTotals & {key: string};

export type Report = ReportTotals & {
	sinceMs: number;
	untilMs: number;
	by: ReportGrouping;
	rows: ReportRow[];
};

const keys: Record<ReportGrouping, string> = {
	day: 'strftime(\'%Y-%m-%d\', ts_ms / 1000, \'unixepoch\')',
	model: 'model',
	account: `coalesce(account, '${shuntKey}')`,
};

const orders: Record<ReportGrouping, string> = {
	day: 'key',
	model: 'cost DESC, requests DESC, key',
	account: 'cost DESC, requests DESC, key',
};

const sums = `count(*) AS requests, total(input_tokens) AS input, total(output_tokens) AS output,
	total(cache_read_tokens) AS cacheRead, total(cache_write_tokens) AS cacheWrite, total(cost_usd) AS cost,
	total(CASE WHEN account_kind = 'oauth' THEN cost_usd ELSE 0 END) AS saved`;

type SumsRow = {requests: number; input: number; output: number; cacheRead: number; cacheWrite: number; cost: number; saved: number};

// The file is input: a count that is not a finite, non-negative number reads as 0.
const sane = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0);

function totalsOf(row: SumsRow): ReportTotals {
	const input = Math.round(sane(row.input));
	const cacheRead = Math.round(sane(row.cacheRead));
	const cacheWrite = Math.round(sane(row.cacheWrite));
	const allInput = input + cacheRead + cacheWrite;
	return {
		requests: Math.round(sane(row.requests)),
		inputTokens: input,
		outputTokens: Math.round(sane(row.output)),
		cacheReadTokens: cacheRead,
		cacheWriteTokens: cacheWrite,
		costUsd: sane(row.cost),
		cacheHitRate: allInput > 0 ? cacheRead / allInput : null,
		savingsUsd: sane(row.saved),
	};
}

/** Totals of the requests that finished from sinceMs to untilMs (inclusive), and one row per key. */
export function buildReport(db: HistoryDatabase, options: {sinceMs: number; untilMs: number; by: ReportGrouping}): Report {
	const {sinceMs, untilMs, by} = options;
	const totals = db.prepare(`SELECT ${sums} FROM requests WHERE ts_ms >= ? AND ts_ms <= ?`).get(sinceMs, untilMs) as SumsRow;
	const rows = db.prepare(`SELECT ${keys[by]} AS key, ${sums} FROM requests WHERE ts_ms >= ? AND ts_ms <= ? GROUP BY key ORDER BY ${orders[by]}`)
		.all(sinceMs, untilMs) as Array<SumsRow & {key: unknown}>;
	return {
		sinceMs,
		untilMs,
		by,
		...totalsOf(totals),
		// eslint-disable-next-line @typescript-eslint/no-base-to-string -- a SQLite value: a number or NULL here
		rows: rows.map(row => ({key: typeof row.key === 'string' ? row.key : String(row.key ?? ''), ...totalsOf(row)})),
	};
}

/** The report of a history with nothing in it. */
export function emptyReport(options: {sinceMs: number; untilMs: number; by: ReportGrouping}): Report {
	return {
		...options, requests: 0, inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0, cacheHitRate: null, savingsUsd: 0, rows: [],
	};
}
