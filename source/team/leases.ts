// Leases: one instance at a time does a piece of work for an account. Background work (a usage
// poll, a probe) takes the lease for its interval and whoever loses simply skips that round: the
// winner's answer reaches everyone through the sync. A refresh takes it with a token of its own
// and gives it back when done; the lease's time limit frees it if its holder dies. Without Redis
// every instance may do everything itself: local state keeps serving.
import {randomBytes} from 'node:crypto';
import type {TeamConnection} from './connection.js';
import {keys} from './keys.js';
import {claimLease, releaseLease, run} from './scripts.js';

export type LeaseOutcome = 'held' | 'elsewhere' | 'offline';

export class Leases {
	readonly #connection: TeamConnection;
	readonly #instanceId: string;

	constructor(connection: TeamConnection, instanceId: string) {
		this.#connection = connection;
		this.#instanceId = instanceId;
	}

	/**
	 * Should this instance do `work` for `account` now? True when it holds (or just took) the lease
	 * for ttlMs, and whenever Redis cannot be asked.
	 */
	claim = async (work: string, account: string, ttlMs: number): Promise<boolean> => {
		if (this.#connection.state !== 'connected') {
			return true;
		}

		try {
			return await run(this.#connection.commands, claimLease, [keys.lease(work, account)], [this.#instanceId, Math.max(1, Math.round(ttlMs))]) === 1;
		} catch {
			return true;
		}
	};

	/** Takes the lease for a job with an end; returns the holder token to release it with. */
	async acquire(work: string, account: string, ttlMs: number): Promise<{outcome: LeaseOutcome; token?: string}> {
		if (this.#connection.state !== 'connected') {
			return {outcome: 'offline'};
		}

		const token = `${this.#instanceId}:${randomBytes(8).toString('hex')}`;
		try {
			const answer = await this.#connection.commands.set(keys.lease(work, account), token, 'PX', Math.max(1, Math.round(ttlMs)), 'NX');
			return answer === 'OK' ? {outcome: 'held', token} : {outcome: 'elsewhere'};
		} catch {
			return {outcome: 'offline'};
		}
	}

	/** Is the lease still taken by someone (so waiting for its holder still makes sense)? */
	async taken(work: string, account: string): Promise<boolean> {
		if (this.#connection.state !== 'connected') {
			return false;
		}

		try {
			return await this.#connection.commands.exists(keys.lease(work, account)) === 1;
		} catch {
			return false;
		}
	}

	async release(work: string, account: string, token: string): Promise<void> {
		if (this.#connection.state !== 'connected') {
			// It ends by itself at its time limit.
			return;
		}

		await run(this.#connection.commands, releaseLease, [keys.lease(work, account)], [token]).catch(() => undefined);
	}
}
