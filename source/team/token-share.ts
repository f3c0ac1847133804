// Rotating OAuth logins across the pool: each account's newest pair lives in Redis sealed
// (token-cipher.ts) and is announced on the channel when it replaces an older one; a refresh runs
// under the account's refresh lease. The one who refreshes writes the new pair before it gives the
// lease back, so whoever takes the lease next reads it and adopts it instead of sending a refresh
// token that was just rotated away. Those who lost the race wait for the announcement.
import type {SharedLogins} from '../accounts/oauth/shared-logins.js';
import type {TokenPair} from '../accounts/oauth/stored-pairs.js';
import type {TeamConnection} from './connection.js';
import {keys, tokenTtlMs} from './keys.js';
import type {Leases} from './leases.js';
import type {PoolMessage} from './messages.js';
import {offerPair, run} from './scripts.js';
import {asSealed, open, seal, type SealedPair} from './token-cipher.js';

export type TokenShareOptions = {
	connection: TeamConnection;
	leases: Leases;
	/** The token key (tokenKey of the pool key). */
	key: Buffer;
	instanceId: string;
	instanceName: string;
	/** The subscription accounts this instance has. */
	accounts: readonly string[];
	/** Something the user should know (a pair that does not open here). */
	warn: (message: string, account: string) => void;
	/** The refresh lease's time limit: longer than a token request may take (20 s). */
	leaseMs?: number;
	/** How often a waiting instance looks whether the lease is still taken. */
	pollMs?: number;
};

const refreshWork = 'refresh';

export class TokenShare implements SharedLogins {
	readonly #options: TokenShareOptions;
	readonly #leaseMs: number;
	readonly #pollMs: number;
	readonly #accounts: ReadonlySet<string>;
	/** The newest pair known per account, from the pool or our own. */
	readonly #newest = new Map<string, TokenPair>();
	/** Pairs we use but could not offer yet (Redis away): offered on reconcile. */
	readonly #unoffered = new Map<string, TokenPair>();
	readonly #listeners: Array<(account: string) => void> = [];
	readonly #wakers = new Set<() => void>();
	readonly #warned = new Set<string>();

	constructor(options: TokenShareOptions) {
		this.#options = options;
		this.#leaseMs = options.leaseMs ?? 30_000;
		this.#pollMs = options.pollMs ?? 200;
		this.#accounts = new Set(options.accounts);
	}

	newest(account: string): TokenPair | undefined {
		return this.#newest.get(account);
	}

	onPair(listener: (account: string) => void): void {
		this.#listeners.push(listener);
	}

	async exclusive(account: string, refresh: () => Promise<void>): Promise<'done' | 'elsewhere'> {
		const {leases} = this.#options;
		const giveUpAt = Date.now() + this.#leaseMs + 5000;
		// Taken before asking for the lease: a pair announced while we ask is still news.
		const before = this.#newest.get(account)?.expiresAt ?? 0;
		for (;;) {
			// eslint-disable-next-line no-await-in-loop
			const {outcome, token} = await leases.acquire(refreshWork, account, this.#leaseMs);
			if (outcome !== 'elsewhere') {
				try {
					if (outcome === 'held') {
						// eslint-disable-next-line no-await-in-loop
						await this.#pull(account);
					}

					// eslint-disable-next-line no-await-in-loop
					await refresh();
					return 'done';
				} finally {
					if (token) {
						// eslint-disable-next-line no-await-in-loop
						await leases.release(refreshWork, account, token);
					}
				}
			}

			// eslint-disable-next-line no-await-in-loop
			if (await this.#waitForPair(account, before, giveUpAt) || Date.now() >= giveUpAt) {
				return 'elsewhere';
			}
		}
	}

	async publish(account: string, pair: TokenPair): Promise<void> {
		if (!this.#accounts.has(account)) {
			return;
		}

		this.#remember(account, pair);
		if (this.#options.connection.state !== 'connected') {
			this.#unoffered.set(account, pair);
			return;
		}

		try {
			await this.#offer(account, pair);
			if (this.#unoffered.get(account) === pair) {
				this.#unoffered.delete(account);
			}
		} catch {
			this.#unoffered.set(account, pair);
		}
	}

	/** A pair announced on the channel by another instance. */
	received(account: string, sealed: SealedPair, fromName: string): void {
		const pair = open(this.#options.key, account, sealed);
		if (!pair) {
			if (!this.#warned.has(fromName)) {
				this.#warned.add(fromName);
				this.#options.warn(`team: a renewed login of ${account} from ${fromName} does not open here; is the team key (SHUNT_TEAM_KEY or team.key) the same on every machine?`, account);
			}

			return;
		}

		this.#accept(account, pair);
	}

	/** After (re)connecting: take the pool's newer pairs, offer ours where they are newer. */
	async reconcile(): Promise<void> {
		await Promise.all([...this.#accounts].map(async account => {
			await this.#pull(account);
			const mine = this.#unoffered.get(account) ?? this.#newest.get(account);
			if (mine) {
				await this.#offer(account, mine);
				this.#unoffered.delete(account);
			}
		}));
	}

	/** Reads the account's pair from Redis now; adopts it when newer. */
	async #pull(account: string): Promise<void> {
		let text: string | null;
		try {
			text = await this.#options.connection.commands.get(keys.token(account));
		} catch {
			return;
		}

		if (text === null) {
			return;
		}

		let parsed: unknown;
		try {
			parsed = JSON.parse(text);
		} catch {
			return;
		}

		const sealed = asSealed(parsed);
		if (sealed) {
			this.received(account, sealed, 'redis');
		}
	}

	async #offer(account: string, pair: TokenPair): Promise<void> {
		const {key, instanceId, instanceName, connection} = this.#options;
		const sealed = seal(key, account, pair);
		const message: PoolMessage = {v: 1, from: instanceId, name: instanceName, token: {account, sealed}};
		await run(connection.commands, offerPair, [keys.token(account)], [JSON.stringify(sealed), pair.expiresAt, tokenTtlMs, keys.channel, JSON.stringify(message)]);
	}

	#remember(account: string, pair: TokenPair): boolean {
		const known = this.#newest.get(account);
		if (known && known.expiresAt >= pair.expiresAt) {
			return false;
		}

		this.#newest.set(account, pair);
		return true;
	}

	#accept(account: string, pair: TokenPair): void {
		if (!this.#remember(account, pair)) {
			return;
		}

		for (const wake of this.#wakers) {
			wake();
		}

		for (const listener of this.#listeners) {
			listener(account);
		}
	}

	/**
	 * Until a pair newer than `beforeExpiry` arrives (true), the lease is free again without one
	 * (false: try to take it), or giveUpAt (false).
	 */
	async #waitForPair(account: string, beforeExpiry: number, giveUpAt: number): Promise<boolean> {
		const arrived = () => (this.#newest.get(account)?.expiresAt ?? 0) > beforeExpiry;
		while (!arrived() && Date.now() < giveUpAt) {
			// eslint-disable-next-line no-await-in-loop
			await new Promise<void>(resolve => {
				const wake = () => {
					clearTimeout(timer);
					this.#wakers.delete(wake);
					resolve();
				};

				const timer = setTimeout(wake, Math.min(this.#pollMs, Math.max(1, giveUpAt - Date.now())));
				this.#wakers.add(wake);
			});
			// eslint-disable-next-line no-await-in-loop
			if (!arrived() && !await this.#options.leases.taken(refreshWork, account)) {
				// Released (or expired) without an announcement we heard: the stored pair says.
				// eslint-disable-next-line no-await-in-loop
				await this.#pull(account);
				return arrived();
			}
		}

		return arrived();
	}
}
