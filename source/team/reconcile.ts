// After every (re)connection: read what Redis holds, take what is newer there, write back what is
// newer here, and announce it, so the state an outage or a restart of Redis lost comes back from
// the instances. Redis that lost its data (no epoch) takes everything this instance knows;
// otherwise the pool's pin and pauses stand, except what was changed here while Redis was away.
// Telemetry: the newer wins; cooldowns and exclusions: the later deadline wins; burst windows:
// both sides' attempts.
import type {ChainableCommander} from 'ioredis';
import {burstWindowMs} from '../state/account-book.js';
import type {SharedFact} from '../state/shared-facts.js';
import {staggerMs} from '../state/stagger.js';
import type {StateStore} from '../state/store.js';
import {Drops, readTelemetry} from '../state/validate-state.js';
import {isRecord} from '../util/json.js';
import {maxHorizonMs} from '../util/time-horizon.js';
import {othersAttempts, type BurstLedger} from './burst-ledger.js';
import type {TeamConnection} from './connection.js';
import {burstTtlMs, keys, telemetryTtlMs} from './keys.js';
import {checkStoredFact, type PoolMessage} from './messages.js';
import {queue, setCooldown} from './scripts.js';

export type ReconcileOptions = {
	store: Pick<StateStore, 'accounts' | 'now' | 'telemetry' | 'cooldownUntil' | 'cooldownReason' | 'isPaused' | 'pinnedAccount' | 'freshSnapshot' | 'applyRemote'>;
	connection: TeamConnection;
	instanceId: string;
	instanceName: string;
	/** This instance's accounts, and the subscription accounts among them. */
	known: ReadonlySet<string>;
	oauth: ReadonlySet<string>;
	burst: BurstLedger;
};

export class PoolReconcile {
	readonly #options: ReconcileOptions;
	/** Changes made while Redis was away that Redis must take over (not adopt) on reconcile. */
	#pinChangedOffline = false;
	readonly #pausedChangedOffline = new Set<string>();
	/**
	 * While a reconcile runs: the pin ('pin') and pauses ('paused:<account>') changed since its read,
	 * here or by a message. Its read is older than those, so it must not undo them.
	 */
	#changedSinceRead: Set<string> | undefined;

	constructor(options: ReconcileOptions) {
		this.#options = options;
	}

	/** Every change to the shared state, made here or applied from a message. */
	noteChange(fact: SharedFact): void {
		if (fact.type === 'pin') {
			this.#changedSinceRead?.add('pin');
		} else if (fact.type === 'paused') {
			this.#changedSinceRead?.add(`paused:${fact.account}`);
		}
	}

	/** A local change while Redis is away: remember what the next reconcile must push rather than adopt. */
	offline(fact: SharedFact): void {
		if (fact.type === 'pin') {
			this.#pinChangedOffline = true;
		} else if (fact.type === 'paused') {
			this.#pausedChangedOffline.add(fact.account);
		} else if (fact.type === 'attempt' && this.#options.oauth.has(fact.account)) {
			this.#options.burst.addOwn(fact.account, fact.stampMs);
		}
	}

	async run(): Promise<void> {
		const changed = new Set<string>();
		this.#changedSinceRead = changed;
		try {
			await this.#reconcileFrom(changed);
		} finally {
			this.#changedSinceRead = undefined;
		}
	}

	async #reconcileFrom(changed: ReadonlySet<string>): Promise<void> {
		const {store, connection: {commands}, instanceId, instanceName} = this.#options;
		const names = store.accounts.map(account => account.name);
		const now = store.now();
		const read = commands.pipeline();
		read.get(keys.epoch);
		read.get(keys.pin);
		read.smembers(keys.paused);
		for (const name of names) {
			read.get(keys.telemetry(name));
			read.get(keys.cooldown(name));
			read.zrangebyscore(keys.burst(name), now - burstWindowMs, '+inf', 'WITHSCORES');
			read.hgetall(keys.exclusions(name));
		}

		const results = await read.exec();
		const failed = results?.find(([error]) => error)?.[0];
		if (!results || failed) {
			throw new Error(`reading the pool state failed: ${failed?.message ?? 'no answer'}`);
		}

		const value = (index: number) => results[index]![1];
		const fresh = value(0) === null;
		const write = commands.pipeline();
		const announce: SharedFact[] = [];
		if (fresh) {
			write.set(keys.epoch, String(now), 'NX');
		}

		// A pin or pause changed since the read (a message, or here) is newer than what it returned.
		if (!changed.has('pin')) {
			this.#reconcilePin(value(1) as string | null, fresh, write, announce);
		}

		this.#reconcilePaused(new Set(value(2) as string[]), fresh, write, announce, changed);
		const snapshot = store.freshSnapshot();
		for (const [index, name] of names.entries()) {
			const base = 3 + (index * 4);
			this.#reconcileTelemetry(name, value(base) as string | null, now, write, announce);
			this.#reconcileCooldown(name, value(base + 1) as string | null, now, write);
			this.#reconcileBurst(name, value(base + 2) as string[], now, write);
			const local = snapshot.accounts.find(account => account.name === name)?.excludedModels ?? [];
			this.#reconcileExclusions(name, value(base + 3) as Record<string, string>, local, now, write, announce);
		}

		if (announce.length > 0) {
			const message: PoolMessage = {
				v: 1, from: instanceId, name: instanceName, facts: announce,
			};
			write.publish(keys.channel, JSON.stringify(message));
		}

		await write.exec();
		this.#pinChangedOffline = false;
		this.#pausedChangedOffline.clear();
	}

	#reconcilePin(remote: string | null, fresh: boolean, write: ChainableCommander, announce: SharedFact[]): void {
		const {store, known} = this.#options;
		const local = store.pinnedAccount;
		const pushLocal = this.#pinChangedOffline || (fresh && remote === null);
		if (pushLocal) {
			if (local !== remote) {
				if (local === null) {
					write.del(keys.pin);
				} else {
					write.set(keys.pin, local);
				}

				announce.push({type: 'pin', account: local});
			}

			return;
		}

		const pinned = remote !== null && known.has(remote) ? remote : null;
		if (pinned !== local) {
			store.applyRemote({type: 'pin', account: pinned});
		}
	}

	#reconcilePaused(remote: ReadonlySet<string>, fresh: boolean, write: ChainableCommander, announce: SharedFact[], changed: ReadonlySet<string>): void {
		const {store, known} = this.#options;
		for (const name of known) {
			if (changed.has(`paused:${name}`)) {
				continue;
			}

			const local = store.isPaused(name);
			const there = remote.has(name);
			// A fresh Redis takes every pause anyone had (the union); otherwise only changes made offline.
			const pushLocal = this.#pausedChangedOffline.has(name) || (fresh && local);
			if (pushLocal && local !== there) {
				if (local) {
					write.sadd(keys.paused, name);
				} else {
					write.srem(keys.paused, name);
				}

				announce.push({type: 'paused', account: name, paused: local});
			} else if (!pushLocal && local !== there) {
				store.applyRemote({type: 'paused', account: name, paused: there});
			}
		}
	}

	#reconcileTelemetry(name: string, text: string | null, now: number, write: ChainableCommander, announce: SharedFact[]): void {
		const {store} = this.#options;
		const remote = text === null ? undefined : readTelemetry(parseJson(text), 'telemetry', new Drops(0), now);
		const local = store.telemetry(name);
		if (remote && remote.updatedMs > (local?.updatedMs ?? 0)) {
			store.applyRemote({type: 'telemetry', account: name, telemetry: remote});
		} else if (local && local.updatedMs > (remote?.updatedMs ?? 0)) {
			write.set(keys.telemetry(name), JSON.stringify(local), 'PX', telemetryTtlMs(local, now));
			announce.push({type: 'telemetry', account: name, telemetry: local});
		}
	}

	#reconcileCooldown(name: string, text: string | null, now: number, write: ChainableCommander): void {
		const {store, known, instanceId, instanceName} = this.#options;
		const stored = text === null ? undefined : parseJson(text);
		const remote = isRecord(stored)
			? checkStoredFact({
				type: 'cooldown', account: name, untilMs: stored['untilMs'], reason: stored['reason'],
			}, known, now)
			: undefined;
		const localUntil = store.cooldownUntil(name);
		if (remote?.type === 'cooldown' && remote.untilMs > localUntil) {
			store.applyRemote(remote);
		} else if (localUntil > now && localUntil > (remote?.type === 'cooldown' ? remote.untilMs : 0)) {
			// The script announces it.
			queue(write, setCooldown, [keys.cooldown(name), keys.deadlines], [name, localUntil, store.cooldownReason(name) ?? 'cooldown', 0, now, staggerMs, now + maxHorizonMs, keys.channel, instanceId, instanceName]);
		}
	}

	#reconcileBurst(name: string, flat: string[], now: number, write: ChainableCommander): void {
		const {store, oauth, burst, instanceId} = this.#options;
		if (!oauth.has(name)) {
			return;
		}

		// Others' attempts Redis holds that never reached us (sent while we were away).
		for (const [key, {count, stampMs}] of othersAttempts(flat, instanceId, name)) {
			for (let missing = count - burst.remoteCount(key); missing > 0; missing--) {
				const localMs = Math.min(stampMs, now);
				burst.rememberRemote(key, localMs);
				store.applyRemote({type: 'attempt', account: name, stampMs: localMs});
			}
		}

		const own = burst.ownInWindow(name, now);
		if (own.length > 0) {
			write.zadd(keys.burst(name), ...own.flatMap(entry => [entry.stampMs, entry.member]));
			write.pexpire(keys.burst(name), burstTtlMs);
		}
	}

	#reconcileExclusions(name: string, remote: Record<string, string>, local: ReadonlyArray<{model: string; untilMs: number}>, now: number, write: ChainableCommander, announce: SharedFact[]): void {
		const {store, known} = this.#options;
		const theirs = new Map<string, number>();
		for (const [model, until] of Object.entries(remote)) {
			const fact = checkStoredFact({
				type: 'exclusion', account: name, model, untilMs: Number(until),
			}, known, now);
			if (fact?.type === 'exclusion' && fact.untilMs > now) {
				theirs.set(fact.model, fact.untilMs);
			}
		}

		const ours = new Map(local.map(entry => [entry.model, entry.untilMs]));
		for (const [model, untilMs] of theirs) {
			if (untilMs > (ours.get(model) ?? 0)) {
				store.applyRemote({
					type: 'exclusion', account: name, model, untilMs,
				});
			}
		}

		let latest = 0;
		for (const [model, untilMs] of ours) {
			if (untilMs > now && untilMs > (theirs.get(model) ?? 0)) {
				write.hset(keys.exclusions(name), model, String(untilMs));
				announce.push({
					type: 'exclusion', account: name, model, untilMs,
				});
				latest = Math.max(latest, untilMs);
			}
		}

		if (latest > 0) {
			write.pexpire(keys.exclusions(name), Math.max(1, latest - now), 'GT');
			write.pexpire(keys.exclusions(name), Math.max(1, latest - now), 'NX');
		}
	}
}

function parseJson(text: string): unknown {
	try {
		return JSON.parse(text);
	} catch {
		return undefined;
	}
}
