// Team mode's side of keeping subscription logins alive (implemented in source/team/): the pool's
// instances share each rotated pair, and only one of them refreshes an account at a time, so no
// refresh on one machine kills the login of another.
import type {TokenPair} from './stored-pairs.js';

export type SharedLogins = {
	/** The newest pair the pool has for the account, as known here now (no I/O). */
	newest(account: string): TokenPair | undefined;
	/**
	 * Runs refresh while this instance holds the account's refresh lease (reading the pool's newest
	 * pair first, so newest() is current inside it). When another instance holds the lease, waits
	 * (bounded) for the pair it publishes instead and answers 'elsewhere'. Without Redis, refresh
	 * simply runs.
	 */
	exclusive(account: string, refresh: () => Promise<void>): Promise<'done' | 'elsewhere'>;
	/** A pair this instance uses now: offered to the pool (kept only where it is newer). Never rejects. */
	publish(account: string, pair: TokenPair): Promise<void>;
	/** Called with every newer pair another instance publishes. */
	onPair(listener: (account: string) => void): void;
};
