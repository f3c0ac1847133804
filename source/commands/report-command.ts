// `shunt report [--since <dur>] [--by day|model|account] [--json]`: totals from history.db, read
// directly (read-only, while shunt runs or not). The table fits 80 columns; every key in it came
// from the file, so each is cleaned for the terminal and cut to its column.
import {formatTokens, formatUsd} from '../monitor/kit/format.js';
import {padEndToWidth, truncateToWidth} from '../monitor/kit/text-width.js';
import {HistoryTooNewError, HistoryUnreadableError, openHistoryForReading} from '../history/database.js';
import {
	buildReport, emptyReport, reportGroupings, type Report, type ReportGrouping, type ReportTotals,
} from '../history/report.js';
import {terminalSafe, terminalSafeJson} from '../util/terminal-safe.js';
import {UserError} from '../util/user-error.js';
import {quote, usageError} from './cli-arguments.js';

const units: Record<string, number> = {m: 60_000, h: 3_600_000, d: 86_400_000};
const shortestMs = units['m']!;
const longestMs = 3650 * units['d']!;

/** `--since`: a whole number of minutes, hours or days (`90m`, `24h`, `7d`), from 1m to 3650d. Default 7d. */
export function parseSince(raw: string | undefined): {ms: number; label: string} {
	if (raw === undefined) {
		return {ms: 7 * units['d']!, label: '7d'};
	}

	const match = /^(\d{1,7})([mhd])$/.exec(raw.trim());
	const ms = match ? Number(match[1]) * units[match[2]!]! : Number.NaN;
	if (!(ms >= shortestMs && ms <= longestMs)) {
		throw usageError(`invalid --since ${quote(raw)}: use a duration like 24h, 7d or 30d (from 1m to 3650d)`);
	}

	return {ms, label: `${Number(match![1])}${match![2]!}`};
}

export function parseGrouping(raw: string | undefined): ReportGrouping {
	if (raw === undefined) {
		return 'day';
	}

	if (!(reportGroupings as readonly string[]).includes(raw)) {
		throw usageError(`invalid --by ${quote(raw)}; choose one of ${reportGroupings.join(', ')}`);
	}

	return raw as ReportGrouping;
}

export type ReportOptions = {since?: string; by?: string; json: boolean; nowMs?: number};

/** The report as text (a table, or JSON), from the history file. */
export function reportCommand(historyFile: string, options: ReportOptions): string {
	const since = parseSince(options.since);
	const by = parseGrouping(options.by);
	const untilMs = options.nowMs ?? Date.now();
	const period = {sinceMs: untilMs - since.ms, untilMs, by};
	let db;
	try {
		db = openHistoryForReading(historyFile);
	} catch (error) {
		if (error instanceof HistoryTooNewError || error instanceof HistoryUnreadableError) {
			throw new UserError(error.message);
		}

		throw error;
	}

	if (!db) {
		return options.json
			? reportJson(emptyReport(period))
			: `No history yet: ${terminalSafe(historyFile)} does not exist. shunt records every request there once it has served one (unless historyRetentionDays is 0, which keeps none).`;
	}

	let report: Report;
	try {
		report = buildReport(db, period);
	} catch (error) {
		throw new UserError(`cannot read history file ${terminalSafe(historyFile)}: ${terminalSafe((error as Error).message)}`);
	} finally {
		db.close();
	}

	return options.json ? reportJson(report) : formatReport(report, since.label);
}

function reportJson(report: Report): string {
	// The contract's fields first, then the additions.
	const {sinceMs, untilMs, by, requests, inputTokens, outputTokens, cacheReadTokens, cacheWriteTokens, costUsd, cacheHitRate, savingsUsd, rows} = report;
	const document = {
		sinceMs,
		requests,
		inputTokens,
		outputTokens,
		cacheReadTokens,
		cacheWriteTokens,
		costUsd,
		rows: rows.map(row => ({
			key: row.key,
			requests: row.requests,
			inputTokens: row.inputTokens,
			outputTokens: row.outputTokens,
			costUsd: row.costUsd,
			cacheReadTokens: row.cacheReadTokens,
			cacheWriteTokens: row.cacheWriteTokens,
			cacheHitRate: row.cacheHitRate,
			savingsUsd: row.savingsUsd,
		})),
		untilMs,
		by,
		cacheHitRate,
		savingsUsd,
	};
	return terminalSafeJson(JSON.stringify(document, null, 2));
}

// key, requests, input, output, cache read, cache write, cost, hit rate: 21 + 7 × 2 + 45 = 80 columns.
const keyWidth = 21;
const columns: ReadonlyArray<[string, number]> = [['requests', 8], ['input', 6], ['output', 6], ['c.read', 6], ['c.write', 7], ['cost', 8], ['hit', 4]];

function utcMinute(epochMs: number): string {
	return `${new Date(epochMs).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function hitRate(rate: number | null): string {
	return rate === null ? '—' : `${Math.round(rate * 100)}%`;
}

function line(key: string, totals: ReportTotals): string {
	const cells = [
		String(totals.requests),
		formatTokens(totals.inputTokens),
		formatTokens(totals.outputTokens),
		formatTokens(totals.cacheReadTokens),
		formatTokens(totals.cacheWriteTokens),
		formatUsd(totals.costUsd),
		hitRate(totals.cacheHitRate),
	];
	return [padEndToWidth(truncateToWidth(terminalSafe(key), keyWidth), keyWidth), ...cells.map((cell, index) => cell.padStart(columns[index]![1]))].join('  ').trimEnd();
}

const keyTitles: Record<ReportGrouping, string> = {day: 'day (UTC)', model: 'model', account: 'account'};

/** The report as a table for people: one row per key, a total, and what it adds up to. */
export function formatReport(report: Report, sinceLabel: string): string {
	const lines = [`shunt report · the last ${sinceLabel} (since ${utcMinute(report.sinceMs)}) · by ${report.by}`, ''];
	if (report.requests === 0) {
		lines.push('No requests in this period.');
		return lines.join('\n');
	}

	lines.push([padEndToWidth(keyTitles[report.by], keyWidth), ...columns.map(([title, width]) => title.padStart(width))].join('  '));
	for (const row of report.rows) {
		lines.push(line(row.key, row));
	}

	lines.push(line('total', report), '');
	lines.push(`cost at API prices ${formatUsd(report.costUsd)} · saved by subscriptions ${formatUsd(report.savingsUsd)} · cache hit rate ${hitRate(report.cacheHitRate)}`, 'hit: cache reads ÷ all input (input + c.read + c.write)');
	return lines.join('\n');
}
