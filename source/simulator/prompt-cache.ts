// Per-account prompt cache. Keying by account means a proxy that breaks session affinity
// visibly loses its cache reads, as it would upstream.
import type {Breakpoint} from './tokens.js';

export type CacheUsage = {
	read: number;
	write5m: number;
	write1h: number;
};

const sweepAt = 1_000;
const hardCap = 10_000;
const longTtlMs = 60 * 60_000;

export class PromptCache {
	/** Key → epoch-ms expiry, in insertion (≈ age) order. */
	readonly #entries = new Map<string, number>();

	get size(): number {
		return this.#entries.size;
	}

	/**
	 * Reads the longest cached prefix, writes every breakpoint beyond it, and refreshes the
	 * TTL of all of them (a hit extends the entry's life, as upstream does).
	 */
	use(breakpoints: Breakpoint[], nowMs: number): CacheUsage {
		const usage = this.peek(breakpoints, nowMs);
		for (const point of breakpoints) {
			this.#entries.delete(point.key);
			this.#entries.set(point.key, nowMs + point.ttlMs);
		}

		this.#prune(nowMs);
		return usage;
	}

	/** What use() would read and write at nowMs, without recording anything (what a prompt would have cost here). */
	peek(breakpoints: Breakpoint[], nowMs: number): CacheUsage {
		let hit = -1;
		for (const [index, point] of breakpoints.entries()) {
			if ((this.#entries.get(point.key) ?? 0) > nowMs) {
				hit = index;
			}
		}

		const usage: CacheUsage = {read: 0, write5m: 0, write1h: 0};
		let covered = 0;
		for (const [index, point] of breakpoints.entries()) {
			const span = Math.max(0, point.tokens - covered);
			covered = Math.max(covered, point.tokens);
			if (index <= hit) {
				usage.read += span;
			} else if (point.ttlMs >= longTtlMs) {
				usage.write1h += span;
			} else {
				usage.write5m += span;
			}
		}

		return usage;
	}

	/** Keeps the map bounded: expired entries go first, then the oldest if still too many. */
	#prune(nowMs: number): void {
		if (this.#entries.size < sweepAt) {
			return;
		}

		for (const [key, expiresAt] of this.#entries) {
			if (expiresAt <= nowMs) {
				this.#entries.delete(key);
			}
		}

		for (const key of this.#entries.keys()) {
			if (this.#entries.size <= hardCap) {
				break;
			}

			this.#entries.delete(key);
		}
	}
}
