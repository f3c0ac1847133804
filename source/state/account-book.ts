// Each account's runtime record: its cooldown, pause, login and health flags, the run of 401s,
// model exclusions, the burst window and when it was last used. Plain bookkeeping; whether a
// change is saved or shown is decided by the store.
import type {AccountConfig} from '../accounts/types.js';
import {clampDeadline} from '../util/time-horizon.js';
import {StampWindow} from './stamp-window.js';
import type {PersistedAccount} from './persisted-state.js';
import {staggerDeadline} from './stagger.js';

/** Attempts counted for burst pacing over this rolling window. */
export const burstWindowMs = 60_000;

export type AccountRecord = PersistedAccount & {
	/** Attempt timestamps in the last minute, oldest first. */
	/** Attempts in the burst window, oldest first. */
	burst: StampWindow;
	lastUsedMs: number;
	healthFailures: number;
	/** 401s in a row. */
	unauthorized: number;
	/** When the running cooldown began (for "back after a long cooldown" alerts). */
	cooldownStartedMs: number;
};

export type CooldownOptions = {
	reason: string;
	/** Keep ≥ 5 s away from other accounts' deadlines. */
	staggered?: boolean;
};

function freshRecord(saved?: PersistedAccount, nowMs = 0): AccountRecord {
	return {
		cooldownUntilMs: saved?.cooldownUntilMs ?? 0,
		cooldownReason: saved?.cooldownReason,
		lastCooldownEndMs: saved?.lastCooldownEndMs ?? 0,
		paused: saved?.paused ?? false,
		authFailed: saved?.authFailed ?? false,
		unhealthy: saved?.unhealthy ?? false,
		excludedModels: (saved?.excludedModels ?? []).filter(entry => entry.untilMs > nowMs),
		burst: new StampWindow(),
		lastUsedMs: 0,
		healthFailures: 0,
		unauthorized: 0,
		cooldownStartedMs: 0,
	};
}

export class AccountBook {
	readonly #records = new Map<string, AccountRecord>();

	constructor(accounts: readonly AccountConfig[], saved: Readonly<Record<string, PersistedAccount>>, nowMs: number) {
		for (const account of accounts) {
			this.#records.set(account.name, freshRecord(saved[account.name], nowMs));
		}
	}

	/** The record of an account (created empty for a name the config does not list). */
	get(name: string): AccountRecord {
		let record = this.#records.get(name);
		if (!record) {
			record = freshRecord();
			this.#records.set(name, record);
		}

		return record;
	}

	entries(): IterableIterator<[string, AccountRecord]> {
		return this.#records.entries();
	}

	/** What survives a restart. */
	serialize(): Record<string, PersistedAccount> {
		const saved: Record<string, PersistedAccount> = {};
		for (const [name, record] of this.#records) {
			saved[name] = {
				cooldownUntilMs: record.cooldownUntilMs,
				cooldownReason: record.cooldownReason,
				lastCooldownEndMs: record.lastCooldownEndMs,
				paused: record.paused,
				authFailed: record.authFailed,
				unhealthy: record.unhealthy,
				excludedModels: record.excludedModels,
			};
		}

		return saved;
	}

	/** Requests counted against the burst limit in the last minute (older stamps are dropped here). */
	burstCount(name: string, nowMs: number): number {
		const {burst} = this.get(name);
		burst.dropUpTo(nowMs - burstWindowMs);
		return burst.size;
	}

	/** An attempt routed here now; burst pacing counts only those that may spend quota. Returns its stamp. */
	recordAttempt(name: string, countsForBurst: boolean, nowMs: number): number {
		const record = this.get(name);
		if (countsForBurst) {
			record.burst.push(nowMs);
		}

		record.lastUsedMs = nowMs;
		return nowMs;
	}

	/** Gives back the burst slot of an attempt; false when it was not counted. */
	refundAttempt(name: string, stampMs: number): boolean {
		return this.#records.get(name)?.burst.remove(stampMs) ?? false;
	}

	/**
	 * Cools an account until untilMs (optionally staggered away from other accounts). A new
	 * cooldown never shortens a running one. Deadlines come from upstream headers: one past the
	 * time horizon is cut to it, a non-finite one ignored. Returns the deadline in force and
	 * whether anything changed.
	 */
	setCooldown(name: string, untilMs: number, options: CooldownOptions, nowMs: number): {deadline: number; changed: boolean} {
		const record = this.get(name);
		const requested = clampDeadline(untilMs, nowMs);
		if (requested === undefined) {
			return {deadline: record.cooldownUntilMs, changed: false};
		}

		let deadline = requested;
		if (options.staggered) {
			const others: number[] = [];
			for (const [other, otherRecord] of this.#records) {
				if (other !== name) {
					others.push(otherRecord.cooldownUntilMs);
				}
			}

			// Staggering may push a deadline at the horizon a few seconds past it; cut it back.
			deadline = clampDeadline(staggerDeadline(requested, others, nowMs), nowMs)!;
		}

		if (record.cooldownUntilMs > deadline) {
			return {deadline: record.cooldownUntilMs, changed: false};
		}

		if (record.cooldownUntilMs <= nowMs) {
			record.cooldownStartedMs = nowMs;
		}

		record.cooldownUntilMs = deadline;
		record.cooldownReason = options.reason;
		return {deadline, changed: true};
	}

	/** Ends a cooldown early (the cooldown watch announces it); false when none was running. */
	clearCooldown(name: string, nowMs: number): boolean {
		const record = this.get(name);
		if (record.cooldownUntilMs <= 0) {
			return false;
		}

		record.cooldownUntilMs = nowMs;
		return true;
	}

	/** Why the account is cooling, while it is. */
	cooldownReason(name: string, nowMs: number): string | undefined {
		const record = this.#records.get(name);
		return record && record.cooldownUntilMs > nowMs ? record.cooldownReason : undefined;
	}

	/** Keeps one model away from an account until untilMs (bounded like a cooldown deadline). */
	excludeModel(name: string, model: string, untilMs: number, nowMs: number): boolean {
		const deadline = clampDeadline(untilMs, nowMs);
		if (deadline === undefined) {
			return false;
		}

		const record = this.get(name);
		record.excludedModels = [...record.excludedModels.filter(entry => entry.model !== model), {model, untilMs: deadline}];
		return true;
	}

	/** Sets a flag; true when that changed it. */
	setFlag(name: string, flag: 'paused' | 'authFailed' | 'unhealthy', value: boolean): boolean {
		const record = this.get(name);
		if (record[flag] === value) {
			return false;
		}

		record[flag] = value;
		return true;
	}

	/** One health-check result; the failure count after it, and whether the account's health flipped. */
	recordHealth(name: string, healthy: boolean, unhealthyAfter: number): {failures: number; flipped: boolean} {
		const record = this.get(name);
		record.healthFailures = healthy ? 0 : record.healthFailures + 1;
		const flipped = this.setFlag(name, 'unhealthy', record.healthFailures >= unhealthyAfter);
		return {failures: record.healthFailures, flipped};
	}
}
