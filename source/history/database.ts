// Opening history.db: make it 0600, refuse one a newer shunt wrote, move a corrupt or unreadable
// one aside (with its -wal and -shm) and start a new one, and bring an older one up to date.
// Everything that can fail is checked here, once, at start: after this the writer only appends.
import process from 'node:process';
import {
	chmodSync, closeSync, existsSync, openSync, renameSync,
} from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import {ensurePrivateDirectory} from '../util/private-directory.js';
import {terminalSafe} from '../util/terminal-safe.js';
import {applicationId, migrations, schemaVersion} from './schema.js';

export type HistoryDatabase = Database.Database;

/** The file was written by a newer shunt: it is left exactly as it is, and shunt does not start. */
export class HistoryTooNewError extends Error {}

/** The file could neither be used nor moved aside (a locked file, a read-only directory). */
export class HistoryUnavailableError extends Error {}

/** Not ours to use: moved aside with this reason. */
class UnusableHistoryError extends Error {}

export type OpenedHistory = {
	db: HistoryDatabase;
	/** A new, empty history (first start, or the old file was moved aside). */
	created: boolean;
	/** One line for the user: what was moved aside and why. */
	warning?: string;
};

export type OpenOptions = {
	nowMs: number;
	/** The shunt version that writes it (kept in meta, named when a newer shunt's file is refused). */
	version: string;
	/** For tests of the migration path; the released list otherwise. */
	migrations?: readonly string[];
};

// How long a statement waits for another connection's lock (a user's sqlite3 shell writing, a
// WAL checkpoint): short, because the writer runs on the proxy's thread and retries on its next
// flush anyway. Opening waits longer: it happens once, before the proxy listens.
const runningBusyTimeoutMs = 25;
const openingBusyTimeoutMs = 2000;

// SQLite's codes for a file that is not a (whole) database, and for one that cannot be read.
const corruptCodes = new Set(['SQLITE_CORRUPT', 'SQLITE_NOTADB', 'SQLITE_FORMAT']);
const unreadableCodes = /^(?:SQLITE_CANTOPEN|SQLITE_PERM|SQLITE_READONLY|SQLITE_IOERR|SQLITE_AUTH|EACCES|EPERM|EISDIR)/;

function codeOf(error: unknown): string {
	// eslint-disable-next-line @typescript-eslint/no-base-to-string -- whatever the driver put in code, as text
	return String((error as {code?: unknown}).code ?? '');
}

/** A database error that means the file's content is damaged (at open or while running). */
export function isCorruption(error: unknown): boolean {
	return corruptCodes.has(codeOf(error));
}

/**
 * Opens (creating it 0600 when missing) the history at `file`. A newer schema throws
 * HistoryTooNewError and leaves the file untouched; a corrupt, foreign or unreadable file is moved
 * to `<file>.corrupt-<time>` and a new history is started, with a warning; a file that can be
 * neither used nor moved throws HistoryUnavailableError.
 */
export function openHistoryDatabase(file: string, options: OpenOptions): OpenedHistory {
	try {
		return openExisting(file, options);
	} catch (error) {
		if (error instanceof HistoryTooNewError) {
			throw error;
		}

		const unusable = error instanceof UnusableHistoryError || isCorruption(error) || unreadableCodes.test(codeOf(error));
		if (!unusable) {
			// A lock another program holds, an exhausted disk: the file may be fine; leave it be.
			throw new HistoryUnavailableError(`cannot open history file ${file}: ${oneLine(error)}`);
		}

		return replaceCorrupt(file, error, options);
	}
}

/** Moves a damaged file (and its WAL files) aside and opens a new, empty history in its place. */
export function replaceCorrupt(file: string, cause: unknown, options: OpenOptions): OpenedHistory {
	const aside = moveAside(file, options.nowMs, cause);
	let opened: OpenedHistory;
	try {
		opened = openExisting(file, options);
	} catch (error) {
		throw new HistoryUnavailableError(`cannot start a new history file ${file}: ${oneLine(error)}`);
	}

	return {...opened, created: true, warning: `history file ${file} was ${describe(cause)}; moved it to ${aside} and started a new history`};
}

function openExisting(file: string, options: OpenOptions): OpenedHistory {
	const steps = options.migrations ?? migrations;
	const latest = options.migrations ? steps.length : schemaVersion;
	createPrivately(file);
	const db = new Database(file, {fileMustExist: true, timeout: openingBusyTimeoutMs});
	try {
		// Reads first: a file a newer shunt wrote must not be changed at all, not even its journal mode.
		const version = db.pragma('user_version', {simple: true}) as number;
		const appId = db.pragma('application_id', {simple: true}) as number;
		if (appId !== applicationId && appId !== 0) {
			throw new UnusableHistoryError('not a shunt history (another program\'s database)');
		}

		if (version > latest) {
			throw new HistoryTooNewError(`${file} was written by a newer shunt (history schema ${version}${writtenBy(db)}; this shunt reads up to ${latest}): upgrade shunt, or move the file away to start a new history`);
		}

		if (version === 0 && (db.prepare('SELECT count(*) FROM sqlite_schema').pluck().get() as number) > 0) {
			throw new UnusableHistoryError('not a shunt history (tables of another program)');
		}

		const check = db.pragma('quick_check', {simple: true}) as string;
		if (check !== 'ok') {
			throw new UnusableHistoryError(`corrupt (${terminalSafe(String(check)).slice(0, 120)})`);
		}

		// WAL: `shunt report`, the user's sqlite3 and a second reader never wait for the writer, nor
		// it for them. NORMAL: a commit is not synced (a checkpoint is); a power cut may lose the
		// last batches, never the file.
		db.pragma('journal_mode = WAL');
		db.pragma('synchronous = NORMAL');
		migrate(db, version, steps);
		db.prepare('INSERT INTO meta (key, value) VALUES (\'written_by\', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(options.version);
		if (version === 0) {
			db.prepare('INSERT OR IGNORE INTO meta (key, value) VALUES (\'created_ms\', ?)').run(String(options.nowMs));
		}

		db.pragma(`busy_timeout = ${runningBusyTimeoutMs}`);
		return {db, created: version === 0};
	} catch (error) {
		db.close();
		throw error;
	}
}

/** Runs the migrations from `from` to the latest, each in its own transaction with its version. */
export function migrate(db: HistoryDatabase, from: number, steps: readonly string[] = migrations): void {
	for (let version = from; version < steps.length; version++) {
		db.transaction(() => {
			db.exec(steps[version]!);
			if (version === 0) {
				db.pragma(`application_id = ${applicationId}`);
			}

			db.pragma(`user_version = ${version + 1}`);
		})();
	}
}

/** The file, created empty with mode 0600 (SQLite gives its -wal and -shm the same mode). */
function createPrivately(file: string): void {
	ensurePrivateDirectory(path.dirname(file));
	closeSync(openSync(file, 'a', 0o600));
	if (process.platform !== 'win32') {
		chmodSync(file, 0o600);
	}
}

function writtenBy(db: HistoryDatabase): string {
	try {
		const value = db.prepare('SELECT value FROM meta WHERE key = \'written_by\'').pluck().get();
		return typeof value === 'string' ? `, by shunt ${terminalSafe(value).slice(0, 40)}` : '';
	} catch {
		// A newer schema may have no such table.
		return '';
	}
}

/** Renames the file and its WAL files; returns where it went. A stale -wal must never meet a new database. */
function moveAside(file: string, nowMs: number, cause: unknown): string {
	const aside = `${file}.corrupt-${new Date(nowMs).toISOString().replaceAll(':', '-')}`;
	try {
		for (const suffix of ['-wal', '-shm', '']) {
			if (suffix === '' || existsSync(`${file}${suffix}`)) {
				renameSync(`${file}${suffix}`, `${aside}${suffix}`);
			}
		}
	} catch (error) {
		throw new HistoryUnavailableError(`history file ${file} is ${describe(cause)} and cannot be moved aside (${oneLine(error)})`);
	}

	return aside;
}

function describe(error: unknown): string {
	if (error instanceof UnusableHistoryError) {
		return error.message;
	}

	return isCorruption(error) ? `corrupt (${oneLine(error)})` : `unreadable (${oneLine(error)})`;
}

function oneLine(error: unknown): string {
	return terminalSafe(error instanceof Error ? error.message : String(error)).slice(0, 200);
}

/** The history exists but cannot be read (damaged, not shunt's, permissions). */
export class HistoryUnreadableError extends Error {}

/**
 * The history opened read-only, for `shunt report` and other readers while shunt may be writing
 * (WAL: neither waits for the other). Undefined when there is no history yet. Never changes the
 * file: a damaged one is reported, not moved (the running shunt does that).
 */
export function openHistoryForReading(file: string): HistoryDatabase | undefined {
	if (!existsSync(file)) {
		return undefined;
	}

	let db: HistoryDatabase | undefined;
	try {
		db = new Database(file, {readonly: true, fileMustExist: true, timeout: openingBusyTimeoutMs});
		const version = db.pragma('user_version', {simple: true}) as number;
		const appId = db.pragma('application_id', {simple: true}) as number;
		if (appId !== applicationId && appId !== 0) {
			throw new HistoryUnreadableError(`${file} is not a shunt history (another program's database)`);
		}

		if (version > schemaVersion) {
			throw new HistoryTooNewError(`${file} was written by a newer shunt (history schema ${version}${writtenBy(db)}; this shunt reads up to ${schemaVersion}): upgrade shunt to read it`);
		}

		if (version === 0) {
			// Created but never written: nothing to read yet.
			db.close();
			return undefined;
		}

		return db;
	} catch (error) {
		db?.close();
		if (error instanceof HistoryTooNewError || error instanceof HistoryUnreadableError) {
			throw error;
		}

		throw new HistoryUnreadableError(`cannot read history file ${file}: ${oneLine(error)}`);
	}
}
