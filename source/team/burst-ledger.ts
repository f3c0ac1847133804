// Burst attempts across the pool, as this instance tracks them (subscription accounts only). Our
// own attempts get a member name of their own in the account's sorted set, unique even within one
// millisecond, so a refund removes exactly one and a reconcile can write them back. Others'
// attempts are counted here with our own clock's stamp, and remembered by the sender's stamp so
// their refund, or a reconcile that finds them in Redis, matches the attempt already counted.
import {burstWindowMs} from '../state/account-book.js';

type OwnAttempt = {stampMs: number; member: string};

/** Others' attempts, per sender, account and the sender's stamp: how Redis's members name them too. */
export function remoteAttemptKey(from: string, account: string, stamp: number | string): string {
	return `${from}:${account}:${stamp}`;
}

export class BurstLedger {
	readonly #instanceId: string;
	readonly #now: () => number;
	/** Our own burst attempts in the window: member names, by account (reconcile writes them back). */
	readonly #own = new Map<string, OwnAttempt[]>();
	#memberSequence = 0;
	/** Others' burst attempts applied here: remoteAttemptKey → our stamps (several share a millisecond). */
	readonly #remote = new Map<string, {localMs: number[]; seenMs: number}>();

	constructor(instanceId: string, now: () => number) {
		this.#instanceId = instanceId;
		this.#now = now;
	}

	/** Counts one of our attempts; returns its member name in Redis. */
	addOwn(account: string, stampMs: number): string {
		const member = `${this.#instanceId}:${stampMs}:${this.#memberSequence++}`;
		const own = this.#own.get(account) ?? [];
		const cutoff = this.#now() - burstWindowMs;
		while (own.length > 0 && own[0]!.stampMs <= cutoff) {
			own.shift();
		}

		own.push({stampMs, member});
		this.#own.set(account, own);
		return member;
	}

	/** Gives one of our attempts back; returns the member name to remove, if it was counted. */
	removeOwn(account: string, stampMs: number): string | undefined {
		const own = this.#own.get(account);
		const at = own?.findLastIndex(entry => entry.stampMs === stampMs) ?? -1;
		return at === -1 ? undefined : own!.splice(at, 1)[0]!.member;
	}

	/** Our attempts still inside the burst window. */
	ownInWindow(account: string, now: number): OwnAttempt[] {
		return (this.#own.get(account) ?? []).filter(entry => entry.stampMs > now - burstWindowMs);
	}

	/** Another instance's attempt, counted here at localMs. Entries older than two windows are forgotten. */
	rememberRemote(key: string, localMs: number): void {
		const cutoff = localMs - (2 * burstWindowMs);
		for (const [oldKey, entry] of this.#remote) {
			if (entry.seenMs > cutoff) {
				break;
			}

			this.#remote.delete(oldKey);
		}

		const entry = this.#remote.get(key);
		if (entry) {
			entry.localMs.push(localMs);
		} else {
			this.#remote.set(key, {localMs: [localMs], seenMs: localMs});
		}
	}

	/** Their refund: our stamp of the attempt it gives back, if we counted it. */
	takeRemote(key: string): number | undefined {
		return this.#remote.get(key)?.localMs.pop();
	}

	/** How many of the sender's attempts with this stamp are counted here. */
	remoteCount(key: string): number {
		return this.#remote.get(key)?.localMs.length ?? 0;
	}
}

/**
 * Others' attempts in a burst set as Redis returns it (member, score, member, score…), counted per
 * remoteAttemptKey: the members are `<instance>:<stamp>:<sequence>`, and our own are skipped.
 */
export function othersAttempts(flat: readonly string[], instanceId: string, account: string): Map<string, {count: number; stampMs: number}> {
	const there = new Map<string, {count: number; stampMs: number}>();
	for (let index = 0; index + 1 < flat.length; index += 2) {
		const [memberId, stamp] = flat[index]!.split(':');
		const stampMs = Number(flat[index + 1]);
		if (memberId !== instanceId && memberId && stamp !== undefined && Number.isFinite(stampMs)) {
			const key = remoteAttemptKey(memberId, account, stamp);
			there.set(key, {count: (there.get(key)?.count ?? 0) + 1, stampMs});
		}
	}

	return there;
}
