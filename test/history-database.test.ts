// covers: source/history/database.ts, source/history/schema.ts, source/history/queries.ts
// history.db on disk: created private, in WAL mode, at the current schema; an older schema brought
// up to date; a newer one refused and left byte for byte; a corrupt, foreign or unreadable file
// moved aside (with its WAL files) and a new history started.
import {Buffer} from 'node:buffer';
import assert from 'node:assert/strict';
import {createHash} from 'node:crypto';
import {
	existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync,
} from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';
import Database from 'better-sqlite3';
import {
	HistoryTooNewError, HistoryUnreadableError, migrate, openHistoryDatabase, openHistoryForReading,
} from '../source/history/database.js';
import {latestRequests} from '../source/history/queries.js';
import {applicationId, schemaVersion} from '../source/history/schema.js';
import {tempDir} from './helpers/temp-dir.js';

const options = {nowMs: Date.parse('2026-11-20T10:00:00Z'), version: '0.1.0-test'};

// The schema as the first release wrote it, frozen here: whatever later versions change, a file
// made by version 1 must still open and read back.
const version1Schema = `
CREATE TABLE requests (seq INTEGER PRIMARY KEY, id TEXT NOT NULL, started_ms INTEGER NOT NULL, ts_ms INTEGER NOT NULL, account TEXT, account_kind TEXT, shunt_reason TEXT, model TEXT NOT NULL, requested_model TEXT, path TEXT NOT NULL, stream INTEGER NOT NULL, status INTEGER NOT NULL, outcome TEXT NOT NULL, input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL, cache_read_tokens INTEGER NOT NULL, cache_write_tokens INTEGER NOT NULL, cache_write_5m_tokens INTEGER, cache_write_1h_tokens INTEGER, cost_usd REAL NOT NULL, duration_ms INTEGER NOT NULL, ttft_ms INTEGER, session_hash TEXT, attempts TEXT NOT NULL, holds TEXT, decision TEXT);
CREATE INDEX requests_ts ON requests (ts_ms);
CREATE TABLE daily_totals (day TEXT PRIMARY KEY, requests INTEGER NOT NULL, input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL, cache_read_tokens INTEGER NOT NULL, cache_write_tokens INTEGER NOT NULL, cost_usd REAL NOT NULL) WITHOUT ROWID;
CREATE TABLE telemetry_samples (ts_ms INTEGER NOT NULL, account TEXT NOT NULL, utilization_5h REAL, reset_5h INTEGER, status_5h TEXT, utilization_7d REAL, reset_7d INTEGER, status_7d TEXT, key_headroom REAL);
CREATE INDEX telemetry_samples_account_ts ON telemetry_samples (account, ts_ms);
CREATE INDEX telemetry_samples_ts ON telemetry_samples (ts_ms);
CREATE TABLE events (ts_ms INTEGER NOT NULL, kind TEXT NOT NULL, account TEXT, message TEXT NOT NULL);
CREATE INDEX events_ts ON events (ts_ms);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
`;

function sha256(file: string): string {
	return createHash('sha256').update(readFileSync(file)).digest('hex');
}

test('a new history is 0600 in a 0700 directory, in WAL mode (its -wal and -shm 0600 too), at the current schema', () => {
	const directory = path.join(tempDir(), 'data');
	const file = path.join(directory, 'history.db');
	const {db, created, warning} = openHistoryDatabase(file, options);
	try {
		assert.equal(created, true);
		assert.equal(warning, undefined);
		assert.equal(statSync(directory).mode & 0o777, 0o700);
		assert.equal(db.pragma('journal_mode', {simple: true}), 'wal');
		assert.equal(db.pragma('user_version', {simple: true}), schemaVersion);
		assert.equal(db.pragma('application_id', {simple: true}), applicationId);
		db.prepare('INSERT INTO events (ts_ms, kind, message) VALUES (1, \'info\', \'x\')').run();
		for (const name of ['history.db', 'history.db-wal', 'history.db-shm']) {
			assert.equal(statSync(path.join(directory, name)).mode & 0o777, 0o600, name);
		}

		assert.equal(db.prepare('SELECT value FROM meta WHERE key = \'written_by\'').pluck().get(), options.version);
	} finally {
		db.close();
	}

	const again = openHistoryDatabase(file, options);
	assert.equal(again.created, false, 'opening it again is not a new history');
	again.db.close();
});

test('a file made by schema version 1 opens with the current code and reads back', () => {
	const file = path.join(tempDir(), 'history.db');
	const old = new Database(file);
	old.exec(version1Schema);
	old.pragma(`application_id = ${applicationId}`);
	old.pragma('user_version = 1');
	old.prepare(`INSERT INTO requests (id, started_ms, ts_ms, account, account_kind, model, path, stream, status, outcome, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cost_usd, duration_ms, ttft_ms, attempts)
		VALUES ('v1-req', 1000, 2000, 'home', 'oauth', 'claude-sonnet-4-6', '/v1/messages', 1, 200, 'complete', 10, 20, 30, 40, 0.5, 1000, 300, '[{"account":"work","status":429,"reason":"quota"}]')`).run();
	old.close();

	const {db, created} = openHistoryDatabase(file, options);
	try {
		assert.equal(created, false);
		assert.equal(db.pragma('user_version', {simple: true}), schemaVersion);
		const [record] = latestRequests(db, 10);
		// Version 2 added front_door: a version 1 row came through /v1/messages, the only door then.
		assert.deepEqual(record, {
			id: 'v1-req', tsMs: 2000, startedMs: 1000, account: 'home', model: 'claude-sonnet-4-6', status: 200,
			inputTokens: 10, outputTokens: 20, cacheReadTokens: 30, cacheWriteTokens: 40, durationMs: 1000, ttftMs: 300,
			attempts: [{account: 'work', status: 429, reason: 'quota'}], outcome: 'complete', stream: true, path: '/v1/messages', costUsd: 0.5, frontDoor: 'anthropic',
		});
	} finally {
		db.close();
	}
});

test('migrations run in order, each with its version; one that fails leaves the file at the version before it', () => {
	const db = new Database(path.join(tempDir(), 'm.db'));
	try {
		const steps = ['CREATE TABLE a (x)', 'CREATE TABLE b (y)', 'CREATE TABLE c (z); INSERT INTO nowhere VALUES (1)'];
		assert.throws(() => {
			migrate(db, 0, steps);
		}, /no such table: nowhere/);
		assert.equal(db.pragma('user_version', {simple: true}), 2);
		const tables = db.prepare('SELECT name FROM sqlite_schema WHERE type = \'table\' ORDER BY name').pluck().all();
		assert.deepEqual(tables, ['a', 'b'], 'the failed step left nothing behind');
		migrate(db, 2, ['CREATE TABLE a (x)', 'CREATE TABLE b (y)', 'CREATE TABLE c (z)']);
		assert.equal(db.pragma('user_version', {simple: true}), 3);
	} finally {
		db.close();
	}
});

test('a history from a newer shunt is refused with one clear line and left exactly as it was', () => {
	const file = path.join(tempDir(), 'history.db');
	const newer = new Database(file);
	newer.exec('CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL); CREATE TABLE requests (x)');
	newer.prepare('INSERT INTO meta VALUES (\'written_by\', \'9.9.9\')').run();
	newer.pragma(`application_id = ${applicationId}`);
	newer.pragma(`user_version = ${schemaVersion + 1}`);
	newer.close();
	const before = sha256(file);
	const entries = readdirSync(path.dirname(file)).toSorted();

	assert.throws(() => openHistoryDatabase(file, options), (error: Error) => {
		assert.ok(error instanceof HistoryTooNewError);
		assert.equal(error.message, `${file} was written by a newer shunt (history schema ${schemaVersion + 1}, by shunt 9.9.9; this shunt reads up to ${schemaVersion}): upgrade shunt, or move the file away to start a new history`);
		return true;
	});
	assert.throws(() => openHistoryForReading(file), HistoryTooNewError);
	assert.equal(sha256(file), before, 'not one byte changed');
	assert.deepEqual(readdirSync(path.dirname(file)).toSorted(), entries, 'nothing moved, nothing created beside it');
});

test('a corrupt file (garbage bytes) is moved aside, with a warning, and a new history starts without its stale WAL', () => {
	const directory = tempDir();
	const file = path.join(directory, 'history.db');
	const garbage = Buffer.from('this is not sqlite at all '.repeat(400));
	writeFileSync(file, garbage);
	writeFileSync(`${file}-wal`, 'stale wal');
	writeFileSync(`${file}-shm`, 'stale shm');
	const {db, created, warning} = openHistoryDatabase(file, options);
	try {
		const aside = `${file}.corrupt-2026-11-20T10-00-00.000Z`;
		assert.equal(created, true);
		assert.equal(warning, `history file ${file} was corrupt (file is not a database); moved it to ${aside} and started a new history`);
		assert.deepEqual(readFileSync(aside), garbage, 'the old file is kept, not deleted');
		// SQLite discards WAL files it cannot use when it closes the bad file; whatever is left goes
		// with it. Either way a stale WAL never meets the new file.
		for (const suffix of ['-wal', '-shm']) {
			assert.ok(!existsSync(`${file}${suffix}`) || !readFileSync(`${file}${suffix}`, 'utf8').startsWith('stale'), `no stale ${suffix} beside the new history`);
		}

		db.prepare('INSERT INTO events (ts_ms, kind, message) VALUES (1, \'info\', \'works\')').run();
		assert.equal(db.prepare('SELECT message FROM events').pluck().get(), 'works');
	} finally {
		db.close();
	}
});

test('another program\'s database is not ours to write: moved aside, a new history starts', () => {
	const file = path.join(tempDir(), 'history.db');
	const foreign = new Database(file);
	foreign.exec('CREATE TABLE songs (title TEXT)');
	foreign.close();
	const {db, warning} = openHistoryDatabase(file, options);
	db.close();
	assert.match(warning!, /was not a shunt history \(tables of another program\); moved it to .*history\.db\.corrupt-/);
	const aside = readdirSync(path.dirname(file)).find(name => name.startsWith('history.db.corrupt-'))!;
	const kept = new Database(path.join(path.dirname(file), aside), {readonly: true});
	assert.equal(kept.prepare('SELECT count(*) FROM songs').pluck().get(), 0, 'the other program\'s file is intact');
	kept.close();
});

test('a file that cannot be read as one (a directory in its place) is moved aside too', () => {
	const file = path.join(tempDir(), 'history.db');
	mkdirSync(file);
	const {db, warning} = openHistoryDatabase(file, options);
	db.close();
	assert.match(warning!, /was unreadable \(EISDIR/);
	assert.ok(statSync(file).isFile());
});

test('reading (shunt report): no file is no history; a damaged file is an error naming it, and is left alone', () => {
	const directory = tempDir();
	assert.equal(openHistoryForReading(path.join(directory, 'history.db')), undefined);
	assert.equal(existsSync(path.join(directory, 'history.db')), false, 'reading creates nothing');
	const file = path.join(directory, 'history.db');
	writeFileSync(file, 'garbage '.repeat(1000));
	const before = sha256(file);
	assert.throws(() => openHistoryForReading(file), (error: Error) => error instanceof HistoryUnreadableError && error.message === `cannot read history file ${file}: file is not a database`);
	assert.equal(sha256(file), before);
});
