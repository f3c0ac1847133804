// What the store reads from the history when it starts: the latest requests and events for the
// log, and the savings figures (today, the week, all time) from the daily totals.
import type {RequestRecord, SavingsTotals, StoreEvent} from '../state/records.js';
import {utcDayKey} from '../state/savings.js';
import type {HistoryDatabase} from './database.js';
import {eventFromRow, requestColumns, requestFromRow} from './rows.js';
import {importedDay} from './schema.js';

const dayMs = 86_400_000;

/** The latest `limit` requests, newest first; rows that cannot be requests are skipped. */
export function latestRequests(db: HistoryDatabase, limit: number): RequestRecord[] {
	const rows = db.prepare(`SELECT ${requestColumns} FROM requests ORDER BY seq DESC LIMIT ?`).all(limit) as Array<Record<string, unknown>>;
	return rows.map(row => requestFromRow(row)).filter((record): record is RequestRecord => record !== undefined);
}

/** The latest `limit` events, newest first. */
export function latestEvents(db: HistoryDatabase, limit: number): StoreEvent[] {
	const rows = db.prepare('SELECT ts_ms, kind, account, message FROM events ORDER BY rowid DESC LIMIT ?').all(limit) as Array<Record<string, unknown>>;
	return rows.map(row => eventFromRow(row)).filter((event): event is StoreEvent => event !== undefined);
}

type TotalsRow = {day: string; input: number; output: number; cacheRead: number; cacheWrite: number; usd: number};

function totalsOf(row: Omit<TotalsRow, 'day'>): SavingsTotals {
	const number = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : 0);
	return {inputTokens: number(row.input), outputTokens: number(row.output), cacheReadTokens: number(row.cacheRead), cacheWriteTokens: number(row.cacheWrite), usd: number(row.usd)};
}

const totalsColumns = 'input_tokens AS input, output_tokens AS output, cache_read_tokens AS cacheRead, cache_write_tokens AS cacheWrite, cost_usd AS usd';

/** The savings the store starts from: the UTC days of the last week, and the sum of every day. */
export function savingsFromHistory(db: HistoryDatabase, nowMs: number): {daily: Record<string, SavingsTotals>; allTime: SavingsTotals} {
	const rows = db.prepare(`SELECT day, ${totalsColumns} FROM daily_totals WHERE day >= ? AND day <= ?`).all(utcDayKey(nowMs - (7 * dayMs)), utcDayKey(nowMs)) as TotalsRow[];
	const daily: Record<string, SavingsTotals> = {};
	for (const row of rows) {
		// A day written by hand could be any string; only real day keys are days.
		if (/^\d{4}-\d{2}-\d{2}$/.test(row.day)) {
			daily[row.day] = totalsOf(row);
		}
	}

	const sum = db.prepare(`SELECT total(input_tokens) AS input, total(output_tokens) AS output, total(cache_read_tokens) AS cacheRead, total(cache_write_tokens) AS cacheWrite, total(cost_usd) AS usd FROM daily_totals`).get() as Omit<TotalsRow, 'day'>;
	return {daily, allTime: totalsOf(sum)};
}

/**
 * Savings counted before there was a history (state.json's), into a new history: its days as
 * they were, and what all time held beyond them as one 'imported' row, so all time is not lost.
 */
export function importSavings(db: HistoryDatabase, daily: Readonly<Record<string, SavingsTotals>>, allTime: SavingsTotals): void {
	const insert = db.prepare('INSERT OR REPLACE INTO daily_totals (day, requests, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cost_usd) VALUES (?, 0, ?, ?, ?, ?, ?)');
	const rest = {...allTime};
	db.transaction(() => {
		for (const [day, totals] of Object.entries(daily)) {
			insert.run(day, totals.inputTokens, totals.outputTokens, totals.cacheReadTokens, totals.cacheWriteTokens, totals.usd);
			rest.inputTokens -= totals.inputTokens;
			rest.outputTokens -= totals.outputTokens;
			rest.cacheReadTokens -= totals.cacheReadTokens;
			rest.cacheWriteTokens -= totals.cacheWriteTokens;
			rest.usd -= totals.usd;
		}

		const clamp = (value: number) => Math.max(0, value);
		if (rest.usd > 1e-9 || rest.inputTokens > 0 || rest.outputTokens > 0) {
			insert.run(importedDay, clamp(rest.inputTokens), clamp(rest.outputTokens), clamp(rest.cacheReadTokens), clamp(rest.cacheWriteTokens), clamp(rest.usd));
		}
	})();
}

/** Whether a state.json savings record holds anything worth importing. */
export function hasSavings(allTime: SavingsTotals): boolean {
	return allTime.usd > 0 || allTime.inputTokens + allTime.outputTokens + allTime.cacheReadTokens + allTime.cacheWriteTokens > 0;
}
