// One timer at the soonest cooldown deadline, so a recovery is announced when it happens (and
// strong resume can probe the account before traffic returns), not whenever something next looks.
import type {AccountBook, AccountRecord} from './account-book.js';

export type CooldownEnded = {reason: string | undefined; durationMs: number};

// Timers longer than ~24.8 days overflow to 1 ms; beyond a day the watch simply looks again.
const longestSleepMs = 86_400_000;

export class CooldownWatch {
	readonly #book: AccountBook;
	readonly #now: () => number;
	readonly #onEnded: (name: string, ended: CooldownEnded) => void;
	#timer: NodeJS.Timeout | undefined;
	#closed = false;

	constructor(book: AccountBook, now: () => number, onEnded: (name: string, ended: CooldownEnded) => void) {
		this.#book = book;
		this.#now = now;
		this.#onEnded = onEnded;
	}

	/** Ends every cooldown that is due and sleeps until the next one. Call after any deadline changed. */
	schedule(): void {
		clearTimeout(this.#timer);
		this.#timer = undefined;
		if (this.#closed) {
			return;
		}

		const now = this.#now();
		let soonest = Number.POSITIVE_INFINITY;
		for (const [name, record] of this.#book.entries()) {
			if (record.cooldownUntilMs === 0) {
				continue;
			}

			if (record.cooldownUntilMs <= now) {
				this.#end(name, record);
			} else {
				soonest = Math.min(soonest, record.cooldownUntilMs);
			}
		}

		if (Number.isFinite(soonest)) {
			this.#timer = setTimeout(() => {
				this.schedule();
			}, Math.max(1, Math.min(soonest - now, longestSleepMs))).unref();
		}
	}

	close(): void {
		this.#closed = true;
		clearTimeout(this.#timer);
	}

	#end(name: string, record: AccountRecord): void {
		const durationMs = record.cooldownStartedMs > 0 ? record.cooldownUntilMs - record.cooldownStartedMs : 0;
		record.lastCooldownEndMs = record.cooldownUntilMs;
		record.cooldownUntilMs = 0;
		const reason = record.cooldownReason;
		record.cooldownReason = undefined;
		this.#onEnded(name, {reason, durationMs});
	}
}
