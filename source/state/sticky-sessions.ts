// Which account each conversation is stuck to, so its prompt cache stays warm, and what routing
// needs to decide whether moving it is worth a cold cache: how much of it is cached, how often it
// sends and how big its requests are. In memory only (like the reference system's): after a
// restart a session is bound afresh. Keys come from clients, so the map is capped.
import type {StickyView} from '../routing/types.js';

const maxEntries = 10_000;

type Entry = StickyView & {expiresMs: number};

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
	 * session that moves keeps what is known about it: it is the same conversation.
	 */
	bind(key: string, account: string): void {
		const now = this.#now();
		const previous = this.#entries.get(key);
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

		const live = previous && previous.expiresMs > now ? previous : undefined;
		this.#entries.set(key, {
			account,
			expiresMs: now + this.#ttlMs,
			cachedTokens: live?.cachedTokens ?? 0,
			requests: live?.requests ?? 0,
			inputTokens: live?.inputTokens ?? 0,
			firstMs: live?.firstMs ?? now,
			lastMs: now,
		});
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
