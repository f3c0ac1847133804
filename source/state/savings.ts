import type {SavingsSummary, SavingsTotals} from './records.js';

export function emptyTotals(): SavingsTotals {
	return {
		inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, usd: 0,
	};
}

export function addTotals(into: SavingsTotals, add: SavingsTotals): void {
	into.inputTokens += add.inputTokens;
	into.outputTokens += add.outputTokens;
	into.cacheReadTokens += add.cacheReadTokens;
	into.cacheWriteTokens += add.cacheWriteTokens;
	into.usd += add.usd;
}

const dayMs = 86_400_000;
let cachedDay = Number.NaN;
let cachedKey = '';

/** The UTC calendar day of an instant, "YYYY-MM-DD": savings buckets are per UTC day. */
export function utcDayKey(epochMs: number): string {
	// Called for every finished request: format a day once, not once per request.
	const day = Math.floor(epochMs / dayMs);
	if (day !== cachedDay) {
		cachedDay = day;
		cachedKey = new Date(day * dayMs).toISOString().slice(0, 10);
	}

	return cachedKey;
}

/** Buckets older than this are dropped; the all-time totals keep their sum. */
const keepDays = 90;

/** Week = the last 7 UTC days including today. */
export function summarize(daily: ReadonlyMap<string, SavingsTotals>, allTime: SavingsTotals, nowMs: number): SavingsSummary {
	const today = utcDayKey(nowMs);
	const weekStart = utcDayKey(nowMs - (6 * dayMs));
	const week = emptyTotals();
	for (const [day, totals] of daily) {
		if (day >= weekStart && day <= today) {
			addTotals(week, totals);
		}
	}

	return {today: {...(daily.get(today) ?? emptyTotals())}, week, allTime: {...allTime}};
}

export function pruneDaily(daily: Map<string, SavingsTotals>, nowMs: number): void {
	const cutoff = utcDayKey(nowMs - (keepDays * dayMs));
	for (const day of daily.keys()) {
		if (day < cutoff) {
			daily.delete(day);
		}
	}
}
