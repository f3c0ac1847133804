// The background upkeep of subscription logins: a timer that renews tokens shortly before they
// expire, so a request rarely waits for a refresh, and watches the accounts waiting for the user.
// It sleeps until the next token comes due or a backoff ends, at most checkEveryMs. An account put
// in reauth by a run of 401s, its refresh token not known dead, tries a refresh every
// reauthRetryMs: the 401s may have been the upstream's passing trouble.
import type {AuthStore} from '../../state/ports.js';
import type {LoginRefresh, LoginSlot} from './login-refresh.js';
import type {PairStores} from './pair-stores.js';
import {
	dueAt, isDead, isDue, type RefreshTimings,
} from './refresh-policy.js';

export type RefreshUpkeepOptions = {
	slots: ReadonlyMap<string, LoginSlot>;
	store: Pick<AuthStore, 'now' | 'accountState'>;
	refresh: LoginRefresh;
	pairs: PairStores;
	timings: RefreshTimings;
	/** The longest sleep. */
	checkEveryMs: number;
	reauthRetryMs: number;
};

export class RefreshUpkeep {
	readonly #options: RefreshUpkeepOptions;
	readonly #store: Pick<AuthStore, 'now' | 'accountState'>;
	#timer: NodeJS.Timeout | undefined;
	#running = false;

	constructor(options: RefreshUpkeepOptions) {
		this.#options = options;
		this.#store = options.store;
	}

	/** Starts, offering every pair to the pool and giving an account left in reauth by an earlier run one recovery attempt. */
	start(): void {
		if (this.#running) {
			return;
		}

		this.#running = true;
		for (const slot of this.#options.slots.values()) {
			// The pool keeps the newest pair it has been offered: ours may be news to it.
			void this.#options.pairs.publish(slot.name, slot.credential);
			if (this.#store.accountState(slot.name) === 'reauth') {
				slot.reauthTriedMs = this.#store.now();
				void this.#options.refresh.once(slot, {force: true});
			}
		}

		this.#tick();
	}

	stop(): void {
		this.#running = false;
		clearTimeout(this.#timer);
		this.#timer = undefined;
	}

	/** Sleeps until the next token comes due or a backoff ends, at most checkEveryMs. */
	schedule(): void {
		if (!this.#running) {
			return;
		}

		const {slots, timings, checkEveryMs, reauthRetryMs} = this.#options;
		const now = this.#store.now();
		let next = now + checkEveryMs;
		for (const slot of slots.values()) {
			// Accounts waiting for the user are looked at every checkEveryMs, or at their next retry.
			if (slot.inFlight) {
				continue;
			}

			if (!this.#waitingForUser(slot)) {
				next = Math.min(next, dueAt(slot, timings));
			} else if (slot.reauthTriedMs !== undefined && !isDead(slot)) {
				next = Math.min(next, slot.reauthTriedMs + reauthRetryMs);
			}
		}

		clearTimeout(this.#timer);
		this.#timer = setTimeout(() => {
			this.#tick();
		}, Math.max(50, next - now)).unref();
	}

	#tick(): void {
		if (!this.#running) {
			return;
		}

		const {slots, refresh, timings} = this.#options;
		for (const slot of slots.values()) {
			if (slot.inFlight) {
				continue;
			}

			if (this.#mayRetryReauth(slot)) {
				slot.reauthTriedMs = this.#store.now();
				void refresh.once(slot, {force: true});
			} else if (this.#waitingForUser(slot)) {
				refresh.watchForNewLogin(slot);
			} else if (isDue(slot, this.#store.now(), timings)) {
				void refresh.once(slot, {force: false});
			}
		}

		this.schedule();
	}

	/** Dead refresh token, or in reauth for another reason: only a new login helps. */
	#waitingForUser(slot: LoginSlot): boolean {
		return isDead(slot) || this.#store.accountState(slot.name) === 'reauth';
	}

	/**
	 * In reauth because of 401s, not a dead refresh token, and reauthRetryMs since the last try
	 * (counted from when this was first seen): one more forced refresh. A dead token never qualifies.
	 */
	#mayRetryReauth(slot: LoginSlot): boolean {
		if (isDead(slot) || this.#store.accountState(slot.name) !== 'reauth') {
			slot.reauthTriedMs = undefined;
			return false;
		}

		const now = this.#store.now();
		slot.reauthTriedMs ??= now;
		return now - slot.reauthTriedMs >= this.#options.reauthRetryMs;
	}
}
