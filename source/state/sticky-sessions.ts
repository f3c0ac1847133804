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
		this.#entries.delete(key);
		// Every entry lives the same TTL and a bind moves its key to the end, so Map order (insertion
		// order) is expiry order: the oldest entries are at the front. A full map gives up its
		// oldest, expired or not, without looking at the rest (a scan of 10 000 entries per new
		// session was a fifth of the proxy's CPU when every request started a conversation).
		for (const [oldest, entry] of this.#entries) {
			if (this.#entries.size < maxEntries && entry.expiresMs > now) {
				break;
			}

			this.#entries.delete(oldest);
		}

		this.#entries.set(key, {account, expiresMs: now + this.#ttlMs});
	}
}
