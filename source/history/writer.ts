// Writes behind the request path. A finished request only joins an in-memory queue; a timer
// writes the queue in one transaction every flushEveryMs (sooner, on the next turn of the event
// loop, once a batch's worth is waiting), so a busy proxy makes a few commits a second, never one
// per request. A failing write (a full disk, a lock held by someone's sqlite3 shell) keeps the
// queue and retries with a growing pause; the queue is bounded, and what could not wait is
// counted and reported once, not grown without end. On shutdown flushSync writes what is left.
import type {RequestRecord, StoreEvent} from '../state/records.js';
import type {TelemetrySample} from './rows.js';

export type HistoryBatch = {
	requests: RequestRecord[];
	events: StoreEvent[];
	samples: TelemetrySample[];
};

export type WriterOptions = {
	/** Writes one batch in one transaction; throws when it could not (nothing of it was written). */
	write(batch: HistoryBatch): void;
	/** One line for the user when writing starts failing, or records had to be dropped. */
	problem(message: string): void;
	/** A write failed: may repair the database (a corrupt file moved aside); true to retry at once. */
	recover?(error: unknown): boolean;
	flushEveryMs?: number;
	/** Queued rows that trigger a write without waiting for the timer. */
	batchSize?: number;
	/** Most rows one transaction takes: a backlog after a failure is written in slices. */
	maxBatch?: number;
	/** Rows kept in memory while writes fail; more are dropped (and counted). */
	maxQueued?: number;
	/** First pause after a failed write; doubles up to maxRetryMs. */
	retryMs?: number;
	maxRetryMs?: number;
};

export class HistoryWriter {
	/** Committed transactions (what batching is measured by). */
	transactions = 0;
	/** Rows dropped because the queue was full, since the start. */
	dropped = 0;
	readonly #options: Required<Omit<WriterOptions, 'recover'>> & Pick<WriterOptions, 'recover'>;
	#requests: RequestRecord[] = [];
	#events: StoreEvent[] = [];
	#samples: TelemetrySample[] = [];
	#timer: NodeJS.Timeout | undefined;
	#immediate: NodeJS.Immediate | undefined;
	#failing = false;
	#retryMs: number;
	#droppedUnreported = 0;
	#closed = false;

	constructor(options: WriterOptions) {
		this.#options = {
			...options,
			// Each on its own: an option given as undefined keeps its default.
			flushEveryMs: options.flushEveryMs ?? 250,
			batchSize: options.batchSize ?? 500,
			maxBatch: options.maxBatch ?? 2000,
			maxQueued: options.maxQueued ?? 20_000,
			retryMs: options.retryMs ?? 1000,
			maxRetryMs: options.maxRetryMs ?? 30_000,
		};
		this.#retryMs = this.#options.retryMs;
	}

	get queued(): number {
		return this.#requests.length + this.#events.length + this.#samples.length;
	}

	addRequest(record: RequestRecord): void {
		if (this.#admit()) {
			this.#requests.push(record);
			this.#schedule();
		}
	}

	addEvent(event: StoreEvent): void {
		if (this.#admit()) {
			this.#events.push(event);
			this.#schedule();
		}
	}

	addSample(sample: TelemetrySample): void {
		if (this.#admit()) {
			this.#samples.push(sample);
			this.#schedule();
		}
	}

	/** Writes one slice of the queue now. Returns false when the write failed. */
	flush(): boolean {
		clearTimeout(this.#timer);
		this.#timer = undefined;
		if (this.#immediate) {
			clearImmediate(this.#immediate);
			this.#immediate = undefined;
		}

		if (this.queued === 0) {
			return true;
		}

		const batch = this.#take();
		if (!this.#tryWrite(batch)) {
			this.#putBack(batch);
			if (!this.#closed) {
				clearTimeout(this.#timer);
				this.#timer = setTimeout(() => this.flush(), this.#retryMs).unref();
				this.#retryMs = Math.min(this.#retryMs * 2, this.#options.maxRetryMs);
			}

			return false;
		}

		this.#retryMs = this.#options.retryMs;
		this.#failing = false;

		if (this.#droppedUnreported > 0) {
			const count = this.#droppedUnreported;
			this.#droppedUnreported = 0;
			this.#options.problem(`history: ${count} record${count === 1 ? '' : 's'} could not be saved while writes failed and ${count === 1 ? 'was' : 'were'} dropped`);
		}

		if (this.queued > 0) {
			this.#schedule();
		}

		return true;
	}

	/** Shutdown: writes everything still queued, in slices, until done or a write fails. */
	flushSync(): void {
		while (this.queued > 0 && this.flush()) {
			// Each pass writes one slice.
		}
	}

	close(): void {
		if (this.#closed) {
			return;
		}

		this.flushSync();
		this.#closed = true;
		clearTimeout(this.#timer);
		if (this.#immediate) {
			clearImmediate(this.#immediate);
		}
	}

	#admit(): boolean {
		if (this.#closed) {
			return false;
		}

		if (this.queued >= this.#options.maxQueued) {
			this.dropped++;
			this.#droppedUnreported++;
			return false;
		}

		return true;
	}

	#schedule(): void {
		if (this.#closed || this.#failing) {
			// While writes fail, the retry timer (with its back-off) is the only one.
			return;
		}

		if (this.queued >= this.#options.batchSize) {
			if (!this.#immediate) {
				clearTimeout(this.#timer);
				this.#timer = undefined;
				this.#immediate = setImmediate(() => {
					this.#immediate = undefined;
					this.flush();
				});
			}

			return;
		}

		this.#timer ??= setTimeout(() => this.flush(), this.#options.flushEveryMs).unref();
	}

	#take(): HistoryBatch {
		let room = this.#options.maxBatch;
		const requests = this.#requests.splice(0, room);
		room -= requests.length;
		const events = this.#events.splice(0, room);
		room -= events.length;
		const samples = this.#samples.splice(0, room);
		return {requests, events, samples};
	}

	#putBack(batch: HistoryBatch): void {
		this.#requests.unshift(...batch.requests);
		this.#events.unshift(...batch.events);
		this.#samples.unshift(...batch.samples);
	}

	#tryWrite(batch: HistoryBatch): boolean {
		try {
			this.#options.write(batch);
			this.transactions++;
			return true;
		} catch (error) {
			if (this.#options.recover?.(error)) {
				try {
					this.#options.write(batch);
					this.transactions++;
					return true;
				} catch (again) {
					this.#report(again);
					return false;
				}
			}

			this.#report(error);
			return false;
		}
	}

	#report(error: unknown): void {
		if (this.#failing) {
			return;
		}

		this.#failing = true;
		const message = error instanceof Error ? error.message : String(error);
		this.#options.problem(`history: could not write (${message}); keeping up to ${this.#options.maxQueued} records in memory and retrying`);
	}
}
