// Which account each conversation is stuck to, so its prompt cache stays warm, and what routing
// needs to decide whether moving it is worth a cold cache: how much of it is cached, how often it
// sends and how big its requests are. In memory only (like the reference system's): after a
// restart a session is bound afresh. Keys come from clients, so the map is capped.
import type {StickyView} from '../routing/types.js';

const maxEntries = 10_000;

type Entry = StickyView & {
	expiresMs: number;
	/** Which bind made the entry what it is: the queue's places of earlier binds are stale. */
	stamp: number;
};

export class StickySessions {
	readonly #entries = new Map<string, Entry>();
	// Keys in the order they were bound, oldest first, each with its bind's stamp. Every entry lives
	// the same TTL, so this is also expiry order. A key bound again is queued again and its earlier
	// place goes stale (the stamps differ); stale places are skipped when they reach the front.
	// The Map's own insertion order would say the same, but every delete at a Map's front leaves a
	// hole that each later walk from the front steps over until the table is rebuilt: with 10 000
	// sessions that was 6 µs a bind, when every request started a conversation.
	#keys: string[] = [];
	#stamps: number[] = [];
	#head = 0;
	#lastStamp = 0;
	readonly #ttlMs: number;
	readonly #now: () => number;

	constructor(ttlMs: number, now: () => number) {
		this.#ttlMs = ttlMs;
		this.#now = now;
	}

	get size(): number {
		return this.#entries.size;
	}

	/** The account a session is stuck to while its entry is live. */
	account(key: string): string | undefined {
		return this.view(key)?.account;
	}

	/** The session's binding and what is known about it, while its entry is live. */
	view(key: string): StickyView | undefined {
		const entry = this.#entries.get(key);
		if (!entry) {
			return undefined;
		}

		if (entry.expiresMs <= this.#now()) {
			this.#entries.delete(key);
			return undefined;
		}

		return entry;
	}

	/**
	 * Binds a session to an account for the TTL from now (the TTL restarts on every bind). A
	 * session that moves keeps what is known about it: it is the same conversation. A full map
	 * gives up its oldest entry, expired or not; expired entries at the front go with any bind.
	 */
	bind(key: string, account: string): void {
		const now = this.#now();
		const stamp = ++this.#lastStamp;
		const previous = this.#entries.get(key);
		if (previous && previous.expiresMs > now) {
			previous.account = account;
			previous.expiresMs = now + this.#ttlMs;
			previous.lastMs = now;
			previous.stamp = stamp;
		} else {
			this.#entries.set(key, {
				account,
				expiresMs: now + this.#ttlMs,
				cachedTokens: 0,
				requests: 0,
				inputTokens: 0,
				firstMs: now,
				lastMs: now,
				stamp,
			});
		}

		this.#keys.push(key);
		this.#stamps.push(stamp);
		this.#dropOldest(now);
		this.#tidyQueue();
	}

	/** Drops entries from the front of the queue while the map is over its cap or they are expired. */
	#dropOldest(now: number): void {
		while (this.#head < this.#keys.length) {
			const entry = this.#currentAt(this.#head);
			if (entry) {
				// The newest bind is at the back and is live, so the walk stops by it at the latest.
				if (this.#entries.size <= maxEntries && entry.expiresMs > now) {
					return;
				}

				this.#entries.delete(this.#keys[this.#head]!);
			}

			this.#head++;
		}
	}

	/** The entry a queue place stands for, unless that key was bound again since, or is gone. */
	#currentAt(index: number): Entry | undefined {
		const entry = this.#entries.get(this.#keys[index]!);
		return entry?.stamp === this.#stamps[index] ? entry : undefined;
	}

	/** Keeps the queue's memory in proportion to the map's: its walked-past front, then its stale places, go. */
	#tidyQueue(): void {
		const queued = this.#keys.length - this.#head;
		if (queued > (2 * this.#entries.size) + 1024) {
			// Sessions bound over and over behind one that is not: the stale places pile up in the
			// middle. Rebuilt once per (size + 1024) binds at most, so a bind stays O(1) on average.
			const keys: string[] = [];
			const stamps: number[] = [];
			for (let index = this.#head; index < this.#keys.length; index++) {
				if (this.#currentAt(index)) {
					keys.push(this.#keys[index]!);
					stamps.push(this.#stamps[index]!);
				}
			}

			this.#keys = keys;
			this.#stamps = stamps;
			this.#head = 0;
		} else if (this.#head > 1024 && this.#head * 2 > this.#keys.length) {
			this.#keys = this.#keys.slice(this.#head);
			this.#stamps = this.#stamps.slice(this.#head);
			this.#head = 0;
		}
	}

	/** How many places the queue holds, walked past or not (tests: it stays in proportion to the sessions). */
	get queued(): number {
		return this.#keys.length;
	}

	/** A request of the session finished with this usage: its cached prefix and its size. */
	noteUsage(key: string, usage: {cachedTokens: number; inputTokens: number}): void {
		const entry = this.#entries.get(key);
		if (!entry || entry.expiresMs <= this.#now()) {
			return;
		}

		entry.cachedTokens = usage.cachedTokens;
		entry.inputTokens += usage.inputTokens;
		entry.requests += 1;
	}
}
