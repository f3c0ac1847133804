// Idle timeouts for many streams at once, with one timer for all of them. A timer per request body
// and per response (re-armed on every chunk, as a naive idle timeout would be) is a measurable share
// of the proxy's CPU; here a chunk only notes the time, and one sweep a fraction of the timeout
// apart finds whatever has been silent for too long.

export type Watched = {
	/** The stream moved: the idle clock starts over. */
	touch(): void;
	/** The stream is over (or handled otherwise): no idle callback will come. */
	stop(): void;
};

type Entry = {lastMs: number; onIdle: () => void; stillBusy: (() => boolean) | undefined};

export class IdleWatch {
	readonly timeoutMs: number;
	readonly #sweepMs: number;
	readonly #entries = new Set<Entry>();
	#timer: NodeJS.Timeout | undefined;

	/** Streams silent for timeoutMs are reported, at most a quarter of it (and at most 1 s) late. */
	constructor(timeoutMs: number) {
		this.timeoutMs = timeoutMs;
		this.#sweepMs = Math.max(10, Math.min(1000, Math.floor(timeoutMs / 4)));
	}

	/**
	 * Watches one stream. `stillBusy` says the silence is ours (we paused the source for a slow
	 * reader), which does not count as idle.
	 */
	watch(onIdle: () => void, stillBusy?: () => boolean): Watched {
		const entry: Entry = {lastMs: Date.now(), onIdle, stillBusy};
		this.#entries.add(entry);
		this.#timer ??= setInterval(() => {
			this.#sweep();
		}, this.#sweepMs).unref();
		return {
			touch() {
				entry.lastMs = Date.now();
			},
			stop: () => {
				this.#forget(entry);
			},
		};
	}

	#forget(entry: Entry): void {
		this.#entries.delete(entry);
		if (this.#entries.size === 0) {
			clearInterval(this.#timer);
			this.#timer = undefined;
		}
	}

	#sweep(): void {
		const now = Date.now();
		for (const entry of this.#entries) {
			if (entry.stillBusy?.()) {
				entry.lastMs = now;
			} else if (now - entry.lastMs >= this.timeoutMs) {
				this.#forget(entry);
				entry.onIdle();
			}
		}
	}
}
