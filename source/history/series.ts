// Time series for the history pane, read from the database: tokens per account per bucket, the
// last 5h reading per account per bucket, and an account's recent readings for its burn rate.
// Each reads one time range through an index; the feed decides how often and which range.
import type {HistoryDatabase} from './database.js';
import type {UtilizationPoint} from './burn-rate.js';

/** Absolute bucket index → account → tokens that weighed on limits. */
export type TokenBuckets = Map<number, Record<string, number>>;

/** Tokens per account per bucket for requests that finished in [fromMs, toMs). */
export function tokenBuckets(db: HistoryDatabase, fromMs: number, toMs: number, bucketMs: number): TokenBuckets {
	const rows = db.prepare(`SELECT CAST(ts_ms / ? AS INTEGER) AS bucket, account, total(input_tokens + output_tokens + cache_write_tokens) AS tokens
		FROM requests WHERE ts_ms >= ? AND ts_ms < ? AND account IS NOT NULL GROUP BY bucket, account`).all(bucketMs, fromMs, toMs) as Array<{bucket: number; account: unknown; tokens: number}>;
	const buckets: TokenBuckets = new Map();
	for (const row of rows) {
		if (typeof row.account !== 'string' || !(row.tokens > 0)) {
			continue;
		}

		let entry = buckets.get(row.bucket);
		if (!entry) {
			entry = {};
			buckets.set(row.bucket, entry);
		}

		entry[row.account] = row.tokens;
	}

	return buckets;
}

/** A 5h reading: utilization and when that window resets (epoch ms). */
export type Reading = {utilization: number; resetMs: number | null};

function readingOf(utilization: unknown, resetSeconds: unknown): Reading | undefined {
	if (typeof utilization !== 'number' || !Number.isFinite(utilization) || utilization < 0) {
		return undefined;
	}

	return {utilization, resetMs: typeof resetSeconds === 'number' && Number.isFinite(resetSeconds) ? resetSeconds * 1000 : null};
}

/** Account → absolute bucket index → the last 5h reading taken in that bucket, for [fromMs, toMs). */
export function readingBuckets(db: HistoryDatabase, fromMs: number, toMs: number, bucketMs: number): Map<string, Map<number, Reading>> {
	// SQLite takes the bare columns from the row that holds the max(): the bucket's last reading.
	const rows = db.prepare(`SELECT account, CAST(ts_ms / ? AS INTEGER) AS bucket, utilization_5h AS utilization, reset_5h AS reset, max(ts_ms) AS ts
		FROM telemetry_samples WHERE ts_ms >= ? AND ts_ms < ? AND utilization_5h IS NOT NULL GROUP BY account, bucket`).all(bucketMs, fromMs, toMs) as Array<{account: unknown; bucket: number; utilization: unknown; reset: unknown}>;
	const byAccount = new Map<string, Map<number, Reading>>();
	for (const row of rows) {
		const reading = readingOf(row.utilization, row.reset);
		if (typeof row.account !== 'string' || !reading) {
			continue;
		}

		let buckets = byAccount.get(row.account);
		if (!buckets) {
			buckets = new Map();
			byAccount.set(row.account, buckets);
		}

		buckets.set(row.bucket, reading);
	}

	return byAccount;
}

/** The account's last 5h reading before an instant (what stood when a window of time began). */
export function readingBefore(db: HistoryDatabase, account: string, beforeMs: number): Reading | undefined {
	const row = db.prepare('SELECT utilization_5h AS utilization, reset_5h AS reset FROM telemetry_samples WHERE account = ? AND ts_ms < ? AND utilization_5h IS NOT NULL ORDER BY ts_ms DESC LIMIT 1')
		.get(account, beforeMs) as {utilization: unknown; reset: unknown} | undefined;
	return row ? readingOf(row.utilization, row.reset) : undefined;
}

/** An account's 5h and 7d readings since sinceMs (and the one standing then), oldest first. */
export function recentPoints(db: HistoryDatabase, account: string, sinceMs: number): {fiveHour: UtilizationPoint[]; sevenDay: UtilizationPoint[]} {
	const columns = 'ts_ms AS ts, utilization_5h AS u5, reset_5h AS r5, utilization_7d AS u7, reset_7d AS r7';
	const before = db.prepare(`SELECT ${columns} FROM telemetry_samples WHERE account = ? AND ts_ms < ? ORDER BY ts_ms DESC LIMIT 1`).all(account, sinceMs);
	const since = db.prepare(`SELECT ${columns} FROM telemetry_samples WHERE account = ? AND ts_ms >= ? ORDER BY ts_ms LIMIT 5000`).all(account, sinceMs);
	const fiveHour: UtilizationPoint[] = [];
	const sevenDay: UtilizationPoint[] = [];
	for (const row of [...before, ...since] as Array<Record<string, unknown>>) {
		const tsMs = row['ts'];
		if (typeof tsMs !== 'number') {
			continue;
		}

		const five = readingOf(row['u5'], row['r5']);
		const seven = readingOf(row['u7'], row['r7']);
		if (five) {
			fiveHour.push({tsMs, ...five});
		}

		if (seven) {
			sevenDay.push({tsMs, ...seven});
		}
	}

	return {fiveHour, sevenDay};
}
