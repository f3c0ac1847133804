// Rows older than historyRetentionDays go, on an hourly timer, a few hundred at a time with a
// pause between slices, so pruning a large backlog (after the setting was lowered) never holds
// the database, or the proxy's thread, for more than a moment. daily_totals is kept: one row a
// day, and what all-time savings are summed from.
import type {HistoryDatabase} from './database.js';

export type PrunerOptions = {
	db(): HistoryDatabase;
	now(): number;
	retentionDays: number;
	problem(message: string): void;
	everyMs?: number;
	firstAfterMs?: number;
	/** Rows per table per slice. */
	sliceRows?: number;
	pauseMs?: number;
};

const dayMs = 86_400_000;
const tables = ['requests', 'events', 'telemetry_samples'] as const;

export class HistoryPruner {
	readonly #options: PrunerOptions;
	#timer: NodeJS.Timeout | undefined;
	#running: Promise<number> | undefined;
	#stopped = false;
	/** Slices run so far (what "small batches" is measured by). */
	slices = 0;

	constructor(options: PrunerOptions) {
		this.#options = options;
	}

	start(): void {
		const every = this.#options.everyMs ?? 3_600_000;
		const run = () => {
			void this.prune().finally(() => {
				if (!this.#stopped) {
					this.#timer = setTimeout(run, every).unref();
				}
			});
		};

		this.#timer = setTimeout(run, this.#options.firstAfterMs ?? 60_000).unref();
	}

	stop(): void {
		this.#stopped = true;
		clearTimeout(this.#timer);
	}

	/** Removes every row older than the retention, slice by slice; resolves with how many went. */
	async prune(): Promise<number> {
		this.#running ??= this.#prune().finally(() => {
			this.#running = undefined;
		});
		return this.#running;
	}

	async #prune(): Promise<number> {
		const cutoff = this.#options.now() - (this.#options.retentionDays * dayMs);
		const limit = this.#options.sliceRows ?? 500;
		let removed = 0;
		for (;;) {
			if (this.#stopped) {
				return removed;
			}

			let slice = 0;
			try {
				const db = this.#options.db();
				slice = db.transaction(() => {
					let changes = 0;
					for (const table of tables) {
						changes += db.prepare(`DELETE FROM ${table} WHERE rowid IN (SELECT rowid FROM ${table} WHERE ts_ms < ? LIMIT ?)`).run(cutoff, limit).changes;
					}

					return changes;
				})();
			} catch (error) {
				// A lock held elsewhere or a closed database: the next hourly run tries again.
				this.#options.problem(`history: pruning old rows failed (${(error as Error).message}); will try again`);
				return removed;
			}

			this.slices++;
			removed += slice;
			if (slice === 0) {
				return removed;
			}

			// eslint-disable-next-line no-await-in-loop
			await new Promise(resolve => {
				setTimeout(resolve, this.#options.pauseMs ?? 20);
			});
		}
	}
}
