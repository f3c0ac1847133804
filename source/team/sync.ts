// The pool's shared state, kept in step with the local store. Outgoing: every local change the
// store reports is queued on the request path and goes out behind it, batched per turn of the
// event loop, as one pipeline of key writes and one message on the channel. Incoming: another
// instance's message is checked and applied to the local store with applyRemote, which tells
// nobody, so nothing echoes. After every (re)connection, reconcile reads what Redis holds, takes
// what is newer there, writes back what is newer here, and announces it: the state an outage or a
// restart of Redis lost comes back from the instances.
import type {ChainableCommander} from 'ioredis';
import type {AccountConfig} from '../accounts/types.js';
import type {RemoteEvent, RemoteRequest} from '../monitor/contract.js';
import {burstWindowMs} from '../state/account-book.js';
import type {RequestRecord, StoreEvent} from '../state/records.js';
import {utcDayKey} from '../state/savings.js';
import type {SharedFact} from '../state/shared-facts.js';
import {staggerMs} from '../state/stagger.js';
import type {StateStore} from '../state/store.js';
import {Drops, readTelemetry} from '../state/validate-state.js';
import {isRecord} from '../util/json.js';
import {Ring} from '../util/ring.js';
import {maxHorizonMs} from '../util/time-horizon.js';
import type {TeamConnection} from './connection.js';
import {burstTtlMs, keys, telemetryTtlMs} from './keys.js';
import {checkMessage, checkStoredFact, compactRequest, sharedEventKinds, type Checked, type CompactRequest, type PoolMessage} from './messages.js';
import {clearCooldown, queue, setCooldown} from './scripts.js';

/** What the sync reads and writes of the store. */
export type SyncStore = Pick<StateStore,
	| 'accounts' | 'now' | 'telemetry' | 'cooldownUntil' | 'cooldownReason' | 'isPaused' | 'pinnedAccount' | 'freshSnapshot'
	| 'applyRemote' | 'teamChanged' | 'on' | 'off'>;

export type SyncOptions = {
	store: SyncStore;
	connection: TeamConnection;
	instanceId: string;
	instanceName: string;
	/** Other instances' requests and events kept for the log. */
	remoteLogSize?: number;
	/** The longest a change that is not urgent waits to go out (default 100 ms). */
	lazyFlushMs?: number;
};

/** Facts the instances announce themselves; a cooldown is announced by its script (with the staggered deadline). */
type Outgoing = {
	telemetry: Map<string, SharedFact & {type: 'telemetry'}>;
	cooldowns: Map<string, SharedFact & {type: 'cooldown'}>;
	/** Everything else, in order. */
	facts: SharedFact[];
	requests: CompactRequest[];
	events: StoreEvent[];
	savings: Map<string, number>;
};

const emptyOutgoing = (): Outgoing => ({telemetry: new Map(), cooldowns: new Map(), facts: [], requests: [], events: [], savings: new Map()});
/**
 * Others' logs get at most this many requests and events per batch: a flood must not grow memory
 * while Redis is slow, and a batch must stay well under maxMessageBytes (a request is ~400 bytes).
 */
const maxLogPerBatch = 200;

export class PoolSync {
	readonly #store: SyncStore;
	readonly #connection: TeamConnection;
	readonly #id: string;
	readonly #name: string;
	readonly #known: ReadonlySet<string>;
	readonly #oauth: ReadonlySet<string>;
	readonly #remoteRequests: Ring<RemoteRequest>;
	readonly #remoteEvents: Ring<RemoteEvent>;
	#outgoing = emptyOutgoing();
	#flushScheduled = false;
	#lazyTimer: NodeJS.Timeout | undefined;
	readonly #lazyFlushMs: number;
	#flushing: Promise<void> | undefined;
	/** Our own burst attempts in the window: member names, by account (reconcile writes them back). */
	readonly #ownBurst = new Map<string, Array<{stampMs: number; member: string}>>();
	#memberSequence = 0;
	/** Others' burst attempts applied here: `${from}:${account}:${their stamp}` → our stamps (several share a millisecond). */
	readonly #remoteBurst = new Map<string, {localMs: number[]; seenMs: number}>();
	/** Changes made while Redis was away that Redis must take over (not adopt) on reconcile. */
	#pinChangedOffline = false;
	readonly #pausedChangedOffline = new Set<string>();
	/**
	 * While a reconcile runs: the pin ('pin') and pauses ('paused:<account>') changed since its read,
	 * here or by a message. Its read is older than those, so it must not undo them.
	 */
	#changedSinceRead: Set<string> | undefined;
	#closed = false;

	constructor(options: SyncOptions) {
		this.#store = options.store;
		this.#connection = options.connection;
		this.#id = options.instanceId;
		this.#name = options.instanceName;
		this.#known = new Set(options.store.accounts.map(account => account.name));
		this.#oauth = new Set(options.store.accounts.filter((account: AccountConfig) => account.kind === 'oauth').map(account => account.name));
		this.#lazyFlushMs = options.lazyFlushMs ?? 100;
		this.#remoteRequests = new Ring(options.remoteLogSize ?? 200);
		this.#remoteEvents = new Ring(options.remoteLogSize ?? 200);
		this.#store.on('request', this.#onRequest);
		this.#store.on('event', this.#onEvent);
	}

	get remoteRequests(): RemoteRequest[] {
		return this.#remoteRequests.newestFirst();
	}

	get remoteEvents(): RemoteEvent[] {
		return this.#remoteEvents.newestFirst();
	}

	// ---------------------------------------------------------------- local → pool

	/** The store's hook: called on the request path, so it only queues. */
	shared = (fact: SharedFact): void => {
		this.#noteChange(fact);
		if (this.#connection.state !== 'connected') {
			this.#offline(fact);
			return;
		}

		switch (fact.type) {
			case 'telemetry': {
				this.#outgoing.telemetry.set(fact.account, fact);
				// What an account reported can wait a moment: a spent window comes with a cooldown, which cannot.
				this.#schedule(false);
				return;
			}

			case 'cooldown': {
				const queued = this.#outgoing.cooldowns.get(fact.account);
				if (!queued || queued.untilMs < fact.untilMs) {
					this.#outgoing.cooldowns.set(fact.account, fact);
				}

				break;
			}

			case 'attempt':
			case 'refund': {
				// Burst pacing is for subscription accounts only.
				if (!this.#oauth.has(fact.account)) {
					return;
				}

				this.#outgoing.facts.push(fact);
				break;
			}

			default: {
				this.#outgoing.facts.push(fact);
			}
		}

		this.#schedule(true);
	};

	readonly #onRequest = (record: RequestRecord): void => {
		if (this.#connection.state !== 'connected') {
			return;
		}

		if (this.#outgoing.requests.length < maxLogPerBatch) {
			this.#outgoing.requests.push(compactRequest(record));
		}

		const tokens = record.inputTokens + record.outputTokens + record.cacheReadTokens + record.cacheWriteTokens;
		if (record.account && tokens > 0) {
			const day = utcDayKey(record.tsMs);
			const add = (field: string, value: number) => {
				if (value !== 0) {
					this.#outgoing.savings.set(field, (this.#outgoing.savings.get(field) ?? 0) + value);
				}
			};

			for (const prefix of ['all', `day:${day}`]) {
				add(`${prefix}:inputTokens`, record.inputTokens);
				add(`${prefix}:outputTokens`, record.outputTokens);
				add(`${prefix}:cacheReadTokens`, record.cacheReadTokens);
				add(`${prefix}:cacheWriteTokens`, record.cacheWriteTokens);
				add(`${prefix}:usd`, record.costUsd);
			}
		}

		this.#schedule(false);
	};

	readonly #onEvent = (event: StoreEvent): void => {
		if (this.#connection.state === 'connected' && sharedEventKinds.has(event.kind) && this.#outgoing.events.length < maxLogPerBatch) {
			this.#outgoing.events.push(event);
			this.#schedule(false);
		}
	};

	/** Redis is away: remember what reconcile must push rather than adopt. */
	#offline(fact: SharedFact): void {
		if (fact.type === 'pin') {
			this.#pinChangedOffline = true;
		} else if (fact.type === 'paused') {
			this.#pausedChangedOffline.add(fact.account);
		} else if (fact.type === 'attempt' && this.#oauth.has(fact.account)) {
			this.#addOwnAttempt(fact.account, fact.stampMs);
		}
	}

	#addOwnAttempt(account: string, stampMs: number): string {
		const member = `${this.#id}:${stampMs}:${this.#memberSequence++}`;
		const own = this.#ownBurst.get(account) ?? [];
		const cutoff = this.#store.now() - burstWindowMs;
		while (own.length > 0 && own[0]!.stampMs <= cutoff) {
			own.shift();
		}

		own.push({stampMs, member});
		this.#ownBurst.set(account, own);
		return member;
	}

	#removeOwnAttempt(account: string, stampMs: number): string | undefined {
		const own = this.#ownBurst.get(account);
		const at = own?.findLastIndex(entry => entry.stampMs === stampMs) ?? -1;
		return at === -1 ? undefined : own!.splice(at, 1)[0]!.member;
	}

	/**
	 * Urgent changes (cooldowns, burst attempts, pauses, the pin) go out after this turn of the
	 * event loop, so another instance does not route to a spent account; the rest (telemetry, log
	 * rows, savings) within lazyFlushMs, batched with whatever else comes meanwhile: under steady
	 * traffic that is one pipeline for many requests instead of one per request.
	 */
	#schedule(urgent: boolean): void {
		if (this.#closed) {
			return;
		}

		if (urgent && !this.#flushScheduled) {
			this.#flushScheduled = true;
			setImmediate(() => {
				this.#flushScheduled = false;
				void this.flush();
			});
		} else if (!urgent && !this.#lazyTimer) {
			this.#lazyTimer = setTimeout(() => {
				this.#lazyTimer = undefined;
				void this.flush();
			}, this.#lazyFlushMs).unref();
		}
	}

	/** Sends what is queued (one flush at a time; what arrives meanwhile goes with the next). */
	async flush(): Promise<void> {
		while (this.#flushing) {
			// eslint-disable-next-line no-await-in-loop
			await this.#flushing;
		}

		const batch = this.#outgoing;
		this.#outgoing = emptyOutgoing();
		if (batch.telemetry.size + batch.cooldowns.size + batch.facts.length + batch.requests.length + batch.events.length + batch.savings.size === 0) {
			return;
		}

		this.#flushing = this.#send(batch).finally(() => {
			this.#flushing = undefined;
		});
		return this.#flushing;
	}

	async #send(batch: Outgoing): Promise<void> {
		const now = this.#store.now();
		const pipeline = this.#connection.commands.pipeline();
		const announced: SharedFact[] = [];
		for (const fact of batch.telemetry.values()) {
			pipeline.set(keys.telemetry(fact.account), JSON.stringify(fact.telemetry), 'PX', telemetryTtlMs(fact.telemetry, now));
			announced.push(fact);
		}

		for (const fact of batch.cooldowns.values()) {
			queue(pipeline, setCooldown, [keys.cooldown(fact.account), keys.deadlines], [fact.account, fact.untilMs, fact.reason, fact.staggered ? 1 : 0, now, staggerMs, now + maxHorizonMs, keys.channel, this.#id, this.#name]);
		}

		const burstTouched = new Set<string>();
		for (const fact of batch.facts) {
			switch (fact.type) {
				case 'cooldown-cleared': {
					queue(pipeline, clearCooldown, [keys.cooldown(fact.account), keys.deadlines], [fact.account, fact.untilMs]);
					break;
				}

				case 'attempt': {
					pipeline.zadd(keys.burst(fact.account), fact.stampMs, this.#addOwnAttempt(fact.account, fact.stampMs));
					burstTouched.add(fact.account);
					break;
				}

				case 'refund': {
					const member = this.#removeOwnAttempt(fact.account, fact.stampMs);
					if (member) {
						pipeline.zrem(keys.burst(fact.account), member);
					}

					break;
				}

				case 'exclusion': {
					pipeline.hset(keys.exclusions(fact.account), fact.model, String(fact.untilMs));
					pipeline.pexpire(keys.exclusions(fact.account), Math.max(1, Math.min(fact.untilMs, now + maxHorizonMs) - now), 'GT');
					// A new hash has no expiry for GT to compare with.
					pipeline.pexpire(keys.exclusions(fact.account), Math.max(1, Math.min(fact.untilMs, now + maxHorizonMs) - now), 'NX');
					break;
				}

				case 'paused': {
					if (fact.paused) {
						pipeline.sadd(keys.paused, fact.account);
					} else {
						pipeline.srem(keys.paused, fact.account);
					}

					break;
				}

				case 'pin': {
					if (fact.account === null) {
						pipeline.del(keys.pin);
					} else {
						pipeline.set(keys.pin, fact.account);
					}

					break;
				}

				case 'telemetry':
				case 'cooldown': {
					break;
				}
			}

			announced.push(fact);
		}

		for (const account of burstTouched) {
			pipeline.zremrangebyscore(keys.burst(account), '-inf', now - burstWindowMs);
			pipeline.pexpire(keys.burst(account), burstTtlMs);
		}

		if (batch.savings.size > 0) {
			const savingsKey = keys.savings(this.#id);
			for (const [field, value] of batch.savings) {
				if (field.endsWith(':usd')) {
					pipeline.hincrbyfloat(savingsKey, field, value);
				} else {
					pipeline.hincrby(savingsKey, field, Math.round(value));
				}
			}

			pipeline.sadd(keys.savingsInstances, this.#id);
		}

		const message: PoolMessage = {v: 1, from: this.#id, name: this.#name};
		if (announced.length > 0) {
			message.facts = announced;
		}

		if (batch.requests.length > 0) {
			message.requests = batch.requests;
		}

		if (batch.events.length > 0) {
			message.events = batch.events;
		}

		if (message.facts ?? message.requests ?? message.events) {
			pipeline.publish(keys.channel, JSON.stringify(message));
		}

		let results: Array<[Error | null, unknown]> | null;
		try {
			results = await pipeline.exec();
		} catch {
			// Redis went away mid-batch: reconcile puts back what matters.
			return;
		}

		// A cooldown the pool's deadlines staggered later here than we had it: take that deadline too.
		let index = batch.telemetry.size;
		for (const fact of batch.cooldowns.values()) {
			const [error, value] = results?.[index++] ?? [null, undefined];
			const deadline = !error && Array.isArray(value) ? Number(value[0]) : Number.NaN;
			if (Number.isFinite(deadline) && deadline > this.#store.cooldownUntil(fact.account)) {
				this.#store.applyRemote({type: 'cooldown', account: fact.account, untilMs: deadline, reason: fact.reason, staggered: false});
			}
		}
	}

	/** Savings increments not sent yet: dropped when the hash is rewritten whole (they are in it). */
	dropQueuedSavings(): void {
		this.#outgoing.savings.clear();
	}

	// ---------------------------------------------------------------- pool → local

	/** A message from the channel. */
	received(bytes: Buffer): Checked | undefined {
		const checked = checkMessage(bytes, this.#known, this.#store.now());
		if (!checked || checked.from === this.#id) {
			return undefined;
		}

		for (const fact of checked.facts) {
			this.#apply(fact, checked.from, checked.name);
		}

		for (const request of checked.requests) {
			this.#remoteRequests.push(request);
		}

		for (const event of checked.events) {
			this.#remoteEvents.push(event);
		}

		if (checked.requests.length + checked.events.length > 0) {
			this.#store.teamChanged();
		}

		return checked;
	}

	#apply(fact: SharedFact, from: string, fromName: string): void {
		const store = this.#store;
		this.#noteChange(fact);
		switch (fact.type) {
			case 'telemetry': {
				if (fact.telemetry.updatedMs > (store.telemetry(fact.account)?.updatedMs ?? 0)) {
					store.applyRemote(fact);
				}

				break;
			}

			case 'attempt': {
				if (!this.#oauth.has(fact.account)) {
					break;
				}

				// Stamped on arrival: burst windows must not depend on how well two clocks agree.
				const now = store.now();
				this.#rememberRemoteAttempt(`${from}:${fact.account}:${fact.stampMs}`, now);
				store.applyRemote({type: 'attempt', account: fact.account, stampMs: now});
				break;
			}

			case 'refund': {
				const localMs = this.#remoteBurst.get(`${from}:${fact.account}:${fact.stampMs}`)?.localMs.pop();
				if (localMs !== undefined) {
					store.applyRemote({type: 'refund', account: fact.account, stampMs: localMs});
				}

				break;
			}

			case 'paused': {
				if (store.isPaused(fact.account) !== fact.paused) {
					store.applyRemote(fact);
					this.#remoteEvents.push({tsMs: store.now(), kind: 'info', account: fact.account, message: `${fact.account} ${fact.paused ? 'paused' : 'resumed'}`, instance: fromName});
					store.teamChanged();
				}

				break;
			}

			case 'pin': {
				if (store.pinnedAccount !== fact.account) {
					store.applyRemote(fact);
				}

				break;
			}

			default: {
				store.applyRemote(fact);
			}
		}
	}

	#noteChange(fact: SharedFact): void {
		if (fact.type === 'pin') {
			this.#changedSinceRead?.add('pin');
		} else if (fact.type === 'paused') {
			this.#changedSinceRead?.add(`paused:${fact.account}`);
		}
	}

	#rememberRemoteAttempt(key: string, localMs: number): void {
		const cutoff = localMs - (2 * burstWindowMs);
		for (const [oldKey, entry] of this.#remoteBurst) {
			if (entry.seenMs > cutoff) {
				break;
			}

			this.#remoteBurst.delete(oldKey);
		}

		const entry = this.#remoteBurst.get(key);
		if (entry) {
			entry.localMs.push(localMs);
		} else {
			this.#remoteBurst.set(key, {localMs: [localMs], seenMs: localMs});
		}
	}

	// ---------------------------------------------------------------- reconcile

	/**
	 * After (re)connecting. Redis that lost its data (no epoch) takes everything this instance
	 * knows; otherwise the pool's pin and pauses stand, except what was changed here while Redis
	 * was away. Telemetry: the newer wins; cooldowns and exclusions: the later deadline wins; burst
	 * windows: both sides' attempts.
	 */
	async reconcile(): Promise<void> {
		const changed = new Set<string>();
		this.#changedSinceRead = changed;
		try {
			await this.#reconcileFrom(changed);
		} finally {
			this.#changedSinceRead = undefined;
		}
	}

	async #reconcileFrom(changed: ReadonlySet<string>): Promise<void> {
		const store = this.#store;
		const {commands} = this.#connection;
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
			const message: PoolMessage = {v: 1, from: this.#id, name: this.#name, facts: announce};
			write.publish(keys.channel, JSON.stringify(message));
		}

		await write.exec();
		this.#pinChangedOffline = false;
		this.#pausedChangedOffline.clear();
	}

	#reconcilePin(remote: string | null, fresh: boolean, write: ChainableCommander, announce: SharedFact[]): void {
		const local = this.#store.pinnedAccount;
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

		const pinned = remote !== null && this.#known.has(remote) ? remote : null;
		if (pinned !== local) {
			this.#store.applyRemote({type: 'pin', account: pinned});
		}
	}

	#reconcilePaused(remote: ReadonlySet<string>, fresh: boolean, write: ChainableCommander, announce: SharedFact[], changed: ReadonlySet<string>): void {
		for (const name of this.#known) {
			if (changed.has(`paused:${name}`)) {
				continue;
			}

			const local = this.#store.isPaused(name);
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
				this.#store.applyRemote({type: 'paused', account: name, paused: there});
			}
		}
	}

	#reconcileTelemetry(name: string, text: string | null, now: number, write: ChainableCommander, announce: SharedFact[]): void {
		const remote = text === null ? undefined : readTelemetry(parseJson(text), 'telemetry', new Drops(0), now);
		const local = this.#store.telemetry(name);
		if (remote && remote.updatedMs > (local?.updatedMs ?? 0)) {
			this.#store.applyRemote({type: 'telemetry', account: name, telemetry: remote});
		} else if (local && local.updatedMs > (remote?.updatedMs ?? 0)) {
			write.set(keys.telemetry(name), JSON.stringify(local), 'PX', telemetryTtlMs(local, now));
			announce.push({type: 'telemetry', account: name, telemetry: local});
		}
	}

	#reconcileCooldown(name: string, text: string | null, now: number, write: ChainableCommander): void {
		const stored = text === null ? undefined : parseJson(text);
		const remote = isRecord(stored) ? checkStoredFact({type: 'cooldown', account: name, untilMs: stored['untilMs'], reason: stored['reason']}, this.#known, now) : undefined;
		const localUntil = this.#store.cooldownUntil(name);
		if (remote?.type === 'cooldown' && remote.untilMs > localUntil) {
			this.#store.applyRemote(remote);
		} else if (localUntil > now && localUntil > (remote?.type === 'cooldown' ? remote.untilMs : 0)) {
			// The script announces it.
			queue(write, setCooldown, [keys.cooldown(name), keys.deadlines], [name, localUntil, this.#store.cooldownReason(name) ?? 'cooldown', 0, now, staggerMs, now + maxHorizonMs, keys.channel, this.#id, this.#name]);
		}
	}

	#reconcileBurst(name: string, flat: string[], now: number, write: ChainableCommander): void {
		if (!this.#oauth.has(name)) {
			return;
		}

		// Others' attempts Redis holds that never reached us (sent while we were away), counted per millisecond.
		const there = new Map<string, {count: number; stampMs: number}>();
		for (let index = 0; index + 1 < flat.length; index += 2) {
			const [memberId, stamp] = flat[index]!.split(':');
			const stampMs = Number(flat[index + 1]);
			if (memberId !== this.#id && memberId && stamp !== undefined && Number.isFinite(stampMs)) {
				const key = `${memberId}:${name}:${stamp}`;
				there.set(key, {count: (there.get(key)?.count ?? 0) + 1, stampMs});
			}
		}

		for (const [key, {count, stampMs}] of there) {
			for (let missing = count - (this.#remoteBurst.get(key)?.localMs.length ?? 0); missing > 0; missing--) {
				const localMs = Math.min(stampMs, now);
				this.#rememberRemoteAttempt(key, localMs);
				this.#store.applyRemote({type: 'attempt', account: name, stampMs: localMs});
			}
		}

		const own = (this.#ownBurst.get(name) ?? []).filter(entry => entry.stampMs > now - burstWindowMs);
		if (own.length > 0) {
			write.zadd(keys.burst(name), ...own.flatMap(entry => [entry.stampMs, entry.member]));
			write.pexpire(keys.burst(name), burstTtlMs);
		}
	}

	#reconcileExclusions(name: string, remote: Record<string, string>, local: ReadonlyArray<{model: string; untilMs: number}>, now: number, write: ChainableCommander, announce: SharedFact[]): void {
		const theirs = new Map<string, number>();
		for (const [model, until] of Object.entries(remote)) {
			const fact = checkStoredFact({type: 'exclusion', account: name, model, untilMs: Number(until)}, this.#known, now);
			if (fact?.type === 'exclusion' && fact.untilMs > now) {
				theirs.set(fact.model, fact.untilMs);
			}
		}

		const ours = new Map(local.map(entry => [entry.model, entry.untilMs]));
		for (const [model, untilMs] of theirs) {
			if (untilMs > (ours.get(model) ?? 0)) {
				this.#store.applyRemote({type: 'exclusion', account: name, model, untilMs});
			}
		}

		let latest = 0;
		for (const [model, untilMs] of ours) {
			if (untilMs > now && untilMs > (theirs.get(model) ?? 0)) {
				write.hset(keys.exclusions(name), model, String(untilMs));
				announce.push({type: 'exclusion', account: name, model, untilMs});
				latest = Math.max(latest, untilMs);
			}
		}

		if (latest > 0) {
			write.pexpire(keys.exclusions(name), Math.max(1, latest - now), 'GT');
			write.pexpire(keys.exclusions(name), Math.max(1, latest - now), 'NX');
		}
	}

	close(): void {
		this.#closed = true;
		clearTimeout(this.#lazyTimer);
		this.#lazyTimer = undefined;
		this.#store.off('request', this.#onRequest);
		this.#store.off('event', this.#onEvent);
	}
}

function parseJson(text: string): unknown {
	try {
		return JSON.parse(text);
	} catch {
		return undefined;
	}
}
