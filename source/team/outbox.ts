// Local changes on their way to the pool. The store's hooks call in on the request path, so this
// only queues; the queue goes out behind the requests, batched, as one pipeline (outgoing-batch.ts).
// Urgent changes go after this turn of the event loop, the rest within lazyFlushMs.
import type {RequestRecord, StoreEvent} from '../state/records.js';
import type {SharedFact} from '../state/shared-facts.js';
import type {StateStore} from '../state/store.js';
import type {BurstLedger} from './burst-ledger.js';
import type {TeamConnection} from './connection.js';
import {compactRequest, sharedEventKinds} from './messages.js';
import {
	emptyBatch, isEmpty, maxLogPerBatch, staggeredDeadlines, writeBatch, type OutgoingBatch,
} from './outgoing-batch.js';
import {countSavings} from './savings-sync.js';

export type OutboxOptions = {
	store: Pick<StateStore, 'now' | 'cooldownUntil' | 'applyRemote'>;
	connection: TeamConnection;
	instanceId: string;
	instanceName: string;
	/** The subscription accounts: burst pacing is for them only. */
	oauth: ReadonlySet<string>;
	burst: BurstLedger;
	/** The longest a change that is not urgent waits to go out. */
	lazyFlushMs: number;
};

export class Outbox {
	readonly #options: OutboxOptions;
	#batch = emptyBatch();
	#flushScheduled = false;
	#lazyTimer: NodeJS.Timeout | undefined;
	#flushing: Promise<void> | undefined;
	#closed = false;

	constructor(options: OutboxOptions) {
		this.#options = options;
	}

	/** A local change to the shared state. */
	fact(fact: SharedFact): void {
		const batch = this.#batch;
		switch (fact.type) {
			case 'telemetry': {
				batch.telemetry.set(fact.account, fact);
				// What an account reported can wait a moment: a spent window comes with a cooldown, which cannot.
				this.#schedule(false);
				return;
			}

			case 'cooldown': {
				const queued = batch.cooldowns.get(fact.account);
				if (!queued || queued.untilMs < fact.untilMs) {
					batch.cooldowns.set(fact.account, fact);
				}

				break;
			}

			case 'attempt':
			case 'refund': {
				// Burst pacing is for subscription accounts only.
				if (!this.#options.oauth.has(fact.account)) {
					return;
				}

				batch.facts.push(fact);
				break;
			}

			default: {
				batch.facts.push(fact);
			}
		}

		this.#schedule(true);
	}

	/** A finished request: a row for others' logs, and what it saved. */
	request(record: RequestRecord): void {
		if (this.#batch.requests.length < maxLogPerBatch) {
			this.#batch.requests.push(compactRequest(record));
		}

		countSavings(this.#batch.savings, record);
		this.#schedule(false);
	}

	/** An event: others' logs show what happened to an account, not housekeeping. */
	event(event: StoreEvent): void {
		if (sharedEventKinds.has(event.kind) && this.#batch.events.length < maxLogPerBatch) {
			this.#batch.events.push(event);
			this.#schedule(false);
		}
	}

	/** Savings increments not sent yet: dropped when the hash is rewritten whole (they are in it). */
	dropQueuedSavings(): void {
		this.#batch.savings.clear();
	}

	/**
	 * Urgent changes (cooldowns, burst attempts, pauses, the pin) go out after this turn of the
	 * event loop, so another instance does not route to a spent account; the rest (telemetry, log
	 * rows, savings) within lazyFlushMs, batched with whatever else comes meanwhile: under steady
	 * traffic that is one pipeline for many requests instead of one per request.
	 */
	#schedule(urgent: boolean): void {
		if (this.#closed) {
			return;
		}

		if (urgent && !this.#flushScheduled) {
			this.#flushScheduled = true;
			setImmediate(() => {
				this.#flushScheduled = false;
				void this.flush();
			});
		} else if (!urgent && !this.#lazyTimer) {
			this.#lazyTimer = setTimeout(() => {
				this.#lazyTimer = undefined;
				void this.flush();
			}, this.#options.lazyFlushMs).unref();
		}
	}

	/** Sends what is queued (one flush at a time; what arrives meanwhile goes with the next). */
	async flush(): Promise<void> {
		while (this.#flushing) {
			// eslint-disable-next-line no-await-in-loop
			await this.#flushing;
		}

		const batch = this.#batch;
		this.#batch = emptyBatch();
		if (isEmpty(batch)) {
			return;
		}

		this.#flushing = this.#send(batch).finally(() => {
			this.#flushing = undefined;
		});
		return this.#flushing;
	}

	async #send(batch: OutgoingBatch): Promise<void> {
		const {store, connection} = this.#options;
		const now = store.now();
		const pipeline = connection.commands.pipeline();
		writeBatch(pipeline, batch, this.#options, now);
		let results: Array<[Error | null, unknown]> | null;
		try {
			results = await pipeline.exec();
		} catch {
			// Redis went away mid-batch: reconcile puts back what matters.
			return;
		}

		// A cooldown the pool's deadlines staggered later here than we had it: take that deadline too.
		for (const {fact, deadline} of staggeredDeadlines(batch, results)) {
			if (deadline > store.cooldownUntil(fact.account)) {
				store.applyRemote({
					type: 'cooldown', account: fact.account, untilMs: deadline, reason: fact.reason, staggered: false,
				});
			}
		}
	}

	close(): void {
		this.#closed = true;
		clearTimeout(this.#lazyTimer);
		this.#lazyTimer = undefined;
	}
}
