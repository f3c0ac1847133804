// The history's tables. PRAGMA user_version is the schema version; migrations[n] takes a database
// from version n to n + 1, so every database shunt ever wrote can be brought up to date in order.
// A released migration is never edited: a change is a new entry at the end. The columns are
// documented in the readme ("History") for users' own sqlite3 queries; keep the two in step.

/** PRAGMA application_id of a shunt history ("shnt"): another program's database is not ours to write. */
export const applicationId = 0x73_68_6E_74;

/** Version 1: the first release. */
const version1 = `
CREATE TABLE requests (
	seq INTEGER PRIMARY KEY,
	id TEXT NOT NULL,
	started_ms INTEGER NOT NULL,
	ts_ms INTEGER NOT NULL,
	account TEXT,
	account_kind TEXT,
	shunt_reason TEXT,
	model TEXT NOT NULL,
	requested_model TEXT,
	path TEXT NOT NULL,
	stream INTEGER NOT NULL,
	status INTEGER NOT NULL,
	outcome TEXT NOT NULL,
	input_tokens INTEGER NOT NULL,
	output_tokens INTEGER NOT NULL,
	cache_read_tokens INTEGER NOT NULL,
	cache_write_tokens INTEGER NOT NULL,
	cache_write_5m_tokens INTEGER,
	cache_write_1h_tokens INTEGER,
	cost_usd REAL NOT NULL,
	duration_ms INTEGER NOT NULL,
	ttft_ms INTEGER,
	session_hash TEXT,
	attempts TEXT NOT NULL,
	holds TEXT,
	decision TEXT
);
CREATE INDEX requests_ts ON requests (ts_ms);

CREATE TABLE daily_totals (
	day TEXT PRIMARY KEY,
	requests INTEGER NOT NULL,
	input_tokens INTEGER NOT NULL,
	output_tokens INTEGER NOT NULL,
	cache_read_tokens INTEGER NOT NULL,
	cache_write_tokens INTEGER NOT NULL,
	cost_usd REAL NOT NULL
) WITHOUT ROWID;

CREATE TABLE telemetry_samples (
	ts_ms INTEGER NOT NULL,
	account TEXT NOT NULL,
	utilization_5h REAL,
	reset_5h INTEGER,
	status_5h TEXT,
	utilization_7d REAL,
	reset_7d INTEGER,
	status_7d TEXT,
	key_headroom REAL
);
CREATE INDEX telemetry_samples_account_ts ON telemetry_samples (account, ts_ms);
CREATE INDEX telemetry_samples_ts ON telemetry_samples (ts_ms);

CREATE TABLE events (
	ts_ms INTEGER NOT NULL,
	kind TEXT NOT NULL,
	account TEXT,
	message TEXT NOT NULL
);
CREATE INDEX events_ts ON events (ts_ms);

CREATE TABLE meta (
	key TEXT PRIMARY KEY,
	value TEXT NOT NULL
) WITHOUT ROWID;
`;

/** Version 2: which API a request came in through, and the fields removed to fit the model sent. */
const version2 = `
ALTER TABLE requests ADD COLUMN front_door TEXT NOT NULL DEFAULT 'anthropic';
ALTER TABLE requests ADD COLUMN removed_fields TEXT;
`;

/** Each entry takes the schema from its index to the next version. Append only. */
export const migrations: readonly string[] = [version1, version2];

/** The schema this build writes. */
export const schemaVersion = migrations.length;

/** daily_totals.day for savings imported from state.json whose days were no longer known. */
export const importedDay = 'imported';
