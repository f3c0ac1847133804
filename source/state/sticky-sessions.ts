// Which account each conversation is stuck to, so its prompt cache stays warm. In memory only
// (like the reference system's): after a restart a session is bound afresh. Keys come from
// clients, so the map is capped.

const maxEntries = 10_000;

type Entry = {account: string; expiresMs: number};

export class StickySessions {
	readonly #entries = new Map<string, Entry>();
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
		const entry = this.#entries.get(key);
		if (!entry) {
			return undefined;
		}

		if (entry.expiresMs <= this.#now()) {
			this.#entries.delete(key);
			return undefined;
		}

		return entry.account;
	}

	/** Binds a session to an account for the TTL from now (the TTL restarts on every bind). */
	bind(key: string, account: string): void {
		const now = this.#now();
		if (this.#entries.size >= maxEntries && !this.#entries.has(key)) {
			for (const [stickyKey, entry] of this.#entries) {
				if (entry.expiresMs <= now) {
					this.#entries.delete(stickyKey);
				}
			}

			// Still full of live sessions: drop the oldest (Map iteration order is insertion order).
			while (this.#entries.size >= maxEntries) {
				this.#entries.delete(this.#entries.keys().next().value!);
			}
		}

		this.#entries.delete(key);
		this.#entries.set(key, {account, expiresMs: now + this.#ttlMs});
	}
}
