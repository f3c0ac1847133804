// covers: source/commands/report-command.ts, source/history/report.ts
// `shunt report` against known rows: totals by day, model and account, the cache hit rate, savings
// (what subscriptions served), the JSON shape, --since bounds, no history yet, and a table that
// fits 80 columns whatever the file holds.
import assert from 'node:assert/strict';
import path from 'node:path';
import {describe, test} from 'node:test';
import Database from 'better-sqlite3';
import {parseGrouping, parseSince, reportCommand} from '../source/commands/report-command.js';
import {StateStore} from '../source/state/store.js';
import type {RequestRecord} from '../source/state/records.js';
import {UserError} from '../source/util/user-error.js';
import {tempDir} from './helpers/temp-dir.js';

const now = Date.parse('2026-11-20T12:00:00Z');
const at = (iso: string) => Date.parse(iso);

function request(fields: Partial<RequestRecord> & Pick<RequestRecord, 'tsMs'>): RequestRecord {
	return {
		id: `r-${fields.tsMs}`, startedMs: fields.tsMs - 1000, account: 'home', model: 'claude-sonnet-4-6', status: 200,
		inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, durationMs: 1000, ttftMs: 100,
		attempts: [], outcome: 'complete', stream: true, path: '/v1/messages', costUsd: 0, frontDoor: 'anthropic', ...fields,
	};
}

function knownHistory(): string {
	const directory = tempDir();
	const historyFile = path.join(directory, 'history.db');
	const store = new StateStore({
		accounts: [{name: 'home', kind: 'oauth'}, {name: 'key', kind: 'apikey'}],
		settings: {
			strategy: 'maximus', burstRpmLimit: 10, stickyTtlMs: 600_000, expirySoonSeconds: 1800, fallbackModel: null,
		},
		version: 't',
		historyFile,
	});
	store.recordRequest(request({
		tsMs: at('2026-11-19T10:00:00Z'), inputTokens: 100, outputTokens: 50, cacheReadTokens: 300, cacheWriteTokens: 100, costUsd: 1,
	}));
	store.recordRequest(request({
		tsMs: at('2026-11-19T23:59:59Z'), account: 'key', model: 'claude-opus-4-8', inputTokens: 200, outputTokens: 100, costUsd: 2,
	}));
	store.recordRequest(request({
		tsMs: at('2026-11-20T01:00:00Z'), inputTokens: 100, outputTokens: 50, cacheReadTokens: 500, costUsd: 0.5,
	}));
	store.recordRequest(request({
		tsMs: at('2026-11-20T02:00:00Z'), account: null, status: 529, outcome: 'error', shuntReason: 'all accounts overloaded',
	}));
	// Ten days ago: outside the default week.
	store.recordRequest(request({
		tsMs: at('2026-11-10T12:00:00Z'), inputTokens: 1000, outputTokens: 1000, costUsd: 10,
	}));
	store.close();
	return historyFile;
}

const close = (actual: number | null, expected: number) => actual !== null && Math.abs(actual - expected) < 1e-9;

test('--json by day (the default): the contract\'s fields, the totals of the last 7 days and one row per UTC day', () => {
	const report = JSON.parse(reportCommand(knownHistory(), {json: true, nowMs: now})) as Record<string, unknown>;
	assert.deepEqual(Object.keys(report), ['sinceMs', 'requests', 'inputTokens', 'outputTokens', 'cacheReadTokens', 'cacheWriteTokens', 'costUsd', 'rows', 'untilMs', 'by', 'cacheHitRate', 'savingsUsd']);
	assert.equal(report['sinceMs'], now - (7 * 86_400_000));
	assert.equal(report['untilMs'], now);
	assert.equal(report['by'], 'day');
	assert.deepEqual([report['requests'], report['inputTokens'], report['outputTokens'], report['cacheReadTokens'], report['cacheWriteTokens']], [4, 400, 200, 800, 100]);
	assert.ok(close(report['costUsd'] as number, 3.5));
	assert.ok(close(report['savingsUsd'] as number, 1.5), 'savings: what the subscription served; the API key\'s traffic was billed');
	assert.ok(close(report['cacheHitRate'] as number, 800 / 1300), 'cache reads ÷ (input + cache reads + cache writes)');
	const rows = report['rows'] as Array<Record<string, unknown>>;
	assert.deepEqual(rows.map(row => Object.keys(row).slice(0, 5)), [['key', 'requests', 'inputTokens', 'outputTokens', 'costUsd'], ['key', 'requests', 'inputTokens', 'outputTokens', 'costUsd']]);
	assert.deepEqual(rows.map(row => [row['key'], row['requests'], row['inputTokens'], row['outputTokens']]), [['2026-11-19', 2, 300, 150], ['2026-11-20', 2, 100, 50]]);
	assert.ok(close(rows[0]!['costUsd'] as number, 3) && close(rows[1]!['costUsd'] as number, 0.5));
	assert.ok(close(rows[0]!['cacheHitRate'] as number, 300 / 700) && close(rows[1]!['cacheHitRate'] as number, 500 / 600));
});

test('--by model and --by account: most costly first; shunt\'s own answers under (shunt)', () => {
	const file = knownHistory();
	const byModel = JSON.parse(reportCommand(file, {json: true, by: 'model', nowMs: now})) as {rows: Array<{key: string; requests: number; costUsd: number}>};
	assert.deepEqual(byModel.rows.map(row => [row.key, row.requests, row.costUsd]), [['claude-opus-4-8', 1, 2], ['claude-sonnet-4-6', 3, 1.5]]);
	const byAccount = JSON.parse(reportCommand(file, {json: true, by: 'account', nowMs: now})) as {rows: Array<{key: string; requests: number; costUsd: number; savingsUsd: number; cacheHitRate: number | null}>};
	assert.deepEqual(byAccount.rows.map(row => [row.key, row.requests, row.costUsd, row.savingsUsd]), [['key', 1, 2, 0], ['home', 2, 1.5, 1.5], ['(shunt)', 1, 0, 0]]);
	assert.equal(byAccount.rows[2]!.cacheHitRate, null, 'no input, no rate');
});

test('--since: a longer period takes in older rows; a shorter one fewer', () => {
	const file = knownHistory();
	const month = JSON.parse(reportCommand(file, {json: true, since: '30d', nowMs: now})) as {requests: number; costUsd: number; rows: unknown[]};
	assert.equal(month.requests, 5);
	assert.ok(close(month.costUsd, 13.5));
	assert.equal(month.rows.length, 3);
	const hours = JSON.parse(reportCommand(file, {json: true, since: '11h', nowMs: now})) as {requests: number};
	assert.equal(hours.requests, 2, 'since 01:00 UTC: the 01:00 request and shunt\'s own answer');
	const minutes = JSON.parse(reportCommand(file, {json: true, since: '90m', nowMs: now})) as {requests: number; rows: unknown[]};
	assert.deepEqual([minutes.requests, minutes.rows.length], [0, 0]);
});

describe('--since and --by are bounded, and a bad value is one clear line', () => {
	const good: Array<[string, number]> = [['1m', 60_000], ['90m', 5_400_000], ['24h', 86_400_000], ['7d', 604_800_000], ['3650d', 3650 * 86_400_000]];
	for (const [raw, ms] of good) {
		test(`${raw} is ${ms} ms`, () => {
			assert.equal(parseSince(raw).ms, ms);
		});
	}

	for (const raw of ['0m', '3651d', '7', 'd', '7w', '-1d', '1.5h', '99999999d', '7d; rm -rf', '']) {
		test(`${JSON.stringify(raw)} is refused`, () => {
			assert.throws(() => parseSince(raw), (error: Error) => error instanceof UserError && error.exitCode === 2
				&& error.message === `invalid --since ${JSON.stringify(raw)}: use a duration like 24h, 7d or 30d (from 1m to 3650d) (see shunt --help)`);
		});
	}

	test('--by takes day, model or account', () => {
		assert.equal(parseGrouping(undefined), 'day');
		assert.equal(parseGrouping('account'), 'account');
		assert.throws(() => parseGrouping('week'), /^Error: invalid --by "week"; choose one of day, model, account \(see shunt --help\)$/);
	});
});

test('the table fits 80 columns, names what it shows, and cleans and cuts what the file holds', () => {
	const file = knownHistory();
	// Someone's own sqlite3 session (or a hostile file) left a model with an escape sequence and a long name.
	const db = new Database(file);
	db.prepare(`INSERT INTO requests (id, started_ms, ts_ms, account, account_kind, model, path, stream, status, outcome, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cost_usd, duration_ms, attempts)
		VALUES ('x', ?, ?, 'home', 'oauth', ?, '/v1/messages', 0, 200, 'complete', 12345678, 9876543, 0, 0, 1234.5, 5, '[]')`).run(now - 2000, now - 1000, '\u001B]0;owned\u0007claude-a-very-long-model-name-indeed-1234');
	db.close();
	const text = reportCommand(file, {json: false, by: 'model', nowMs: now});
	const lines = text.split('\n');
	assert.equal(lines[0], 'shunt report · the last 7d (since 2026-11-13 12:00 UTC) · by model');
	assert.match(lines[2]!, /^model\s+requests\s+input\s+output\s+c\.read\s+c\.write\s+cost\s+hit$/);
	for (const line of lines) {
		assert.ok(line.length <= 80, `${line.length} columns: ${line}`);
		assert.doesNotMatch(line, /\u001B|\u0007/, 'no escape reaches the terminal');
	}

	assert.ok(lines.some(line => line.startsWith('claude-a-very-long-m…')), text);
	assert.ok(lines.some(line => /^claude-opus-4-8\s+1\s+200\s+100\s+0\s+0\s+\$2\.00\s+0%$/.test(line)), text);
	assert.ok(lines.some(line => /^total\s+5\s+12\.3M\s+9\.9M\s+800\s+100\s+\$1\.2k\s+0%$/.test(line)), text);
	assert.match(text, /cost at API prices \$1\.2k · saved by subscriptions \$1\.2k · cache hit rate 0%/);
});

test('no history yet: a clear message (or an empty report with --json), exit 0; an empty period says so', () => {
	const directory = tempDir();
	const missing = path.join(directory, 'history.db');
	assert.equal(reportCommand(missing, {json: false, nowMs: now}), `No history yet: ${missing} does not exist. shunt records every request there once it has served one (unless historyRetentionDays is 0, which keeps none).`);
	const empty = JSON.parse(reportCommand(missing, {json: true, nowMs: now})) as {requests: number; rows: unknown[]; costUsd: number};
	assert.deepEqual([empty.requests, empty.rows, empty.costUsd], [0, [], 0]);
	const text = reportCommand(knownHistory(), {json: false, since: '1m', nowMs: now});
	assert.equal(text.split('\n').at(-1), 'No requests in this period.');
});
