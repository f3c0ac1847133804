// The persisted history, as the store uses it: opened once at start (what the log and the savings
// start from), then fed every finished request, event and telemetry sample through the batched
// writer, pruned by retention, and read on a timer for the history pane. Everything runs on the
// thread that owns the store, behind the request path.
import type {AccountConfig} from '../accounts/types.js';
import type {RateLimitTelemetry} from '../anthropic/telemetry.js';
import type {HistoryView, HistoryWindow} from '../monitor/contract.js';
import type {RequestRecord, SavingsTotals, StoreEvent} from '../state/records.js';
import {utcDayKey} from '../state/savings.js';
import {
	isCorruption, openHistoryDatabase, replaceCorrupt, type HistoryDatabase,
} from './database.js';
import {HistoryFeed} from './feed.js';
import {
	hasSavings, importSavings, latestEvents, latestRequests, savingsFromHistory,
} from './queries.js';
import {HistoryPruner} from './retention.js';
import {
	eventParams, insertEventSql, insertRequestSql, insertSampleSql, requestParams, sampleParams, type TelemetrySample,
} from './rows.js';
import {TelemetrySampler} from './telemetry-sampler.js';
import {HistoryWriter, type HistoryBatch} from './writer.js';

export type HistoryOpenOptions = {
	file: string;
	nowMs: number;
	version: string;
	accounts: readonly AccountConfig[];
	retentionDays: number;
	/** state.json's savings: imported once, into a new history, so all time is not lost. */
	savings?: {daily: Readonly<Record<string, SavingsTotals>>; allTime: SavingsTotals};
};

/** What the store starts from. */
export type HistorySeed = {
	/** Newest first. */
	requests: RequestRecord[];
	/** Newest first. */
	events: StoreEvent[];
	savingsDaily: Record<string, SavingsTotals>;
	savingsAllTime: SavingsTotals;
};

/** What the history needs of the store once it runs. */
export type HistoryHost = {
	now(): number;
	telemetry(name: string): RateLimitTelemetry | undefined;
	onRequest(listener: (record: RequestRecord) => void): () => void;
	onEvent(listener: (event: StoreEvent) => void): () => void;
	/** One line for the user (becomes an event). */
	problem(message: string): void;
	show(view: HistoryView | undefined): void;
};

export type HistoryTimings = {
	flushEveryMs?: number;
	pruneEveryMs?: number;
	pruneFirstAfterMs?: number;
	sampleEveryMs?: number;
	refreshEveryMs?: number;
};

const upsertDaySql = `INSERT INTO daily_totals (day, requests, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cost_usd)
VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (day) DO UPDATE SET
	requests = requests + excluded.requests,
	input_tokens = input_tokens + excluded.input_tokens,
	output_tokens = output_tokens + excluded.output_tokens,
	cache_read_tokens = cache_read_tokens + excluded.cache_read_tokens,
	cache_write_tokens = cache_write_tokens + excluded.cache_write_tokens,
	cost_usd = cost_usd + excluded.cost_usd`;

type Statements = {
	write: (batch: HistoryBatch) => void;
};

export class History {
	readonly file: string;
	/** Set when the file was moved aside at open: one line for the user. */
	readonly warning: string | undefined;
	readonly writer: HistoryWriter;
	readonly #options: HistoryOpenOptions;
	readonly #kinds: ReadonlyMap<string, string>;
	readonly #timings: HistoryTimings;
	#db: HistoryDatabase;
	#statements: Statements;
	#seed: HistorySeed | undefined;
	#host: HistoryHost | undefined;
	readonly #detach: Array<() => void> = [];
	#pruner: HistoryPruner | undefined;
	#sampler: TelemetrySampler | undefined;
	#feed: HistoryFeed | undefined;
	#closed = false;

	/** Opens the file (see openHistoryDatabase for what can be thrown) and reads what the store starts from. */
	static open(options: HistoryOpenOptions, timings: HistoryTimings = {}): History {
		return new History(options, timings);
	}

	private constructor(options: HistoryOpenOptions, timings: HistoryTimings) {
		this.file = options.file;
		this.#options = options;
		this.#kinds = new Map(options.accounts.map(account => [account.name, account.kind]));
		const opened = openHistoryDatabase(options.file, {nowMs: options.nowMs, version: options.version});
		this.#db = opened.db;
		this.warning = opened.warning;
		try {
			if (opened.created && options.savings && hasSavings(options.savings.allTime)) {
				importSavings(this.#db, options.savings.daily, options.savings.allTime);
			}

			this.#statements = this.#prepare(this.#db);
			const savings = savingsFromHistory(this.#db, options.nowMs);
			this.#seed = {
				requests: latestRequests(this.#db, 200),
				events: latestEvents(this.#db, 100),
				savingsDaily: savings.daily,
				savingsAllTime: savings.allTime,
			};
		} catch (error) {
			this.#db.close();
			throw error;
		}

		this.writer = new HistoryWriter({
			write: batch => {
				this.#statements.write(batch);
			},
			problem: message => this.#host?.problem(message),
			recover: error => this.#recover(error),
			flushEveryMs: timings.flushEveryMs,
		});
		this.#timings = timings;
	}

	/** What the store starts from; given once. */
	takeSeed(): HistorySeed {
		const seed = this.#seed!;
		this.#seed = undefined;
		return seed;
	}

	/** Starts writing what the store records, sampling telemetry, pruning, and (once selected) reading for the pane. */
	start(host: HistoryHost): void {
		this.#host = host;
		const names = [...this.#kinds.keys()];
		this.#detach.push(host.onRequest(record => {
			this.writer.addRequest(record);
		}), host.onEvent(event => {
			this.writer.addEvent(event);
		}));
		this.#sampler = new TelemetrySampler({
			accounts: () => names,
			telemetry: name => host.telemetry(name),
			now: () => host.now(),
			add: sample => {
				this.writer.addSample(sample);
			},
			last: this.#latestSamples(names),
			checkEveryMs: this.#timings.sampleEveryMs,
		});
		this.#sampler.start();
		this.#pruner = new HistoryPruner({
			db: () => this.#db,
			now: () => host.now(),
			retentionDays: this.#options.retentionDays,
			problem(message) {
				host.problem(message);
			},
			everyMs: this.#timings.pruneEveryMs,
			firstAfterMs: this.#timings.pruneFirstAfterMs,
		});
		this.#pruner.start();
		this.#feed = new HistoryFeed({
			db: () => this.#db,
			now: () => host.now(),
			accounts: () => names,
			telemetry: name => host.telemetry(name),
			show(view) {
				host.show(view);
			},
			problem(message) {
				host.problem(message);
			},
		}, {refreshEveryMs: this.#timings.refreshEveryMs});
	}

	/** The window the pane shows, or null to stop reading for it. */
	select(window: HistoryWindow | null): void {
		this.#feed?.select(window);
	}

	/** Prunes now (the hourly timer does the same). */
	async prune(): Promise<number> {
		return this.#pruner?.prune() ?? 0;
	}

	/** Pruning transactions so far. */
	get pruneSlices(): number {
		return this.#pruner?.slices ?? 0;
	}

	/** Writes what is queued, then closes the file. Safe to call twice. */
	close(): void {
		if (this.#closed) {
			return;
		}

		for (const detach of this.#detach) {
			detach();
		}

		this.#sampler?.sample();
		this.#sampler?.stop();
		this.#pruner?.stop();
		this.#feed?.close();
		this.writer.close();
		this.#closed = true;
		this.#db.close();
	}

	#prepare(db: HistoryDatabase): Statements {
		const insertRequest = db.prepare(insertRequestSql);
		const insertEvent = db.prepare(insertEventSql);
		const insertSample = db.prepare(insertSampleSql);
		const upsertDay = db.prepare(upsertDaySql);
		const write = db.transaction((batch: HistoryBatch) => {
			// Savings per UTC day, counted as the store counts them: requests an account served with tokens.
			const days = new Map<string, {requests: number} & SavingsTotals>();
			for (const record of batch.requests) {
				// Spread, not an array: better-sqlite3 binds positional arguments measurably faster.
				insertRequest.run(...requestParams(record, record.account === null ? null : this.#kinds.get(record.account) ?? null));
				if (record.account === null || record.inputTokens + record.outputTokens + record.cacheReadTokens + record.cacheWriteTokens <= 0) {
					continue;
				}

				const key = utcDayKey(record.tsMs);
				let day = days.get(key);
				if (!day) {
					day = {
						requests: 0, inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, usd: 0,
					};
					days.set(key, day);
				}

				day.requests++;
				day.inputTokens += record.inputTokens;
				day.outputTokens += record.outputTokens;
				day.cacheReadTokens += record.cacheReadTokens;
				day.cacheWriteTokens += record.cacheWriteTokens;
				day.usd += Number.isFinite(record.costUsd) ? record.costUsd : 0;
			}

			for (const [key, day] of days) {
				upsertDay.run(key, day.requests, day.inputTokens, day.outputTokens, day.cacheReadTokens, day.cacheWriteTokens, day.usd);
			}

			for (const event of batch.events) {
				insertEvent.run(...eventParams(event));
			}

			for (const sample of batch.samples) {
				insertSample.run(...sampleParams(sample));
			}
		});
		return {
			write(batch) {
				write(batch);
			},
		};
	}

	#latestSamples(names: readonly string[]): Map<string, TelemetrySample> {
		const latest = new Map<string, TelemetrySample>();
		const statement = this.#db.prepare('SELECT ts_ms AS tsMs, account, utilization_5h AS utilization5h, reset_5h AS reset5h, status_5h AS status5h, utilization_7d AS utilization7d, reset_7d AS reset7d, status_7d AS status7d, key_headroom AS keyHeadroom FROM telemetry_samples WHERE account = ? ORDER BY ts_ms DESC LIMIT 1');
		for (const name of names) {
			const row = statement.get(name) as TelemetrySample | undefined;
			if (row && typeof row.tsMs === 'number') {
				latest.set(name, row);
			}
		}

		return latest;
	}

	/** A write found the file damaged while running: move it aside, start a new one, and go on. */
	#recover(error: unknown): boolean {
		if (!isCorruption(error) || this.#closed) {
			return false;
		}

		try {
			this.#db.close();
		} catch {
			// It is being replaced either way.
		}

		try {
			const opened = replaceCorrupt(this.file, error, {nowMs: this.#host?.now() ?? Date.now(), version: this.#options.version});
			this.#db = opened.db;
			this.#statements = this.#prepare(this.#db);
			this.#host?.problem(`warning: ${opened.warning ?? `history file ${this.file} was replaced`}`);
			return true;
		} catch (error_) {
			this.#host?.problem(`history: ${(error_ as Error).message}`);
			return false;
		}
	}
}
