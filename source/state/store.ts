import {EventEmitter} from 'node:events';
import type {AccountConfig} from '../accounts/types.js';
import type {AccountState, AccountView, MonitorStore, StoreSnapshot} from '../monitor/contract.js';
import type {Effort, Overrides} from './overrides.js';
import {keyHeadroom, windowLive, windowSpent, windowUtilization, type RateLimitTelemetry} from '../anthropic/telemetry.js';
import type {RequestRecord, SavingsTotals, StoreEvent, StoreEventKind} from './records.js';
import type {StrategyName} from '../routing/strategies.js';
import type {RoutingAccount, RoutingSnapshot} from '../routing/types.js';
import {removeStaleTempFiles, writeFileAtomic, writeFileAtomicSync} from '../util/atomic-write.js';
import {emptyPersistedState, loadPersistedState, type PersistedAccount, type PersistedState} from './persisted-state.js';
import {addTotals, emptyTotals, pruneDaily, summarize, utcDayKey} from './savings.js';
import {staggerDeadline} from './stagger.js';
import {Ring} from '../util/ring.js';
import {terminalSafe} from '../util/terminal-safe.js';
import {clampDeadline} from '../util/time-horizon.js';

export const requestRingSize = 200;
// Shared by every routing snapshot of an account with no model exclusions (the usual case).
const noModels: readonly string[] = Object.freeze([]);
const eventRingSize = 100;
const maxStickyEntries = 10_000;
const burstWindowMs = 60_000;
const localWindowMs = 5 * 60 * 60 * 1000;

export type StoreSettings = {
	strategy: StrategyName;
	burstRpmLimit: number;
	stickyTtlMs: number;
	expirySoonSeconds: number;
	fallbackModel: string | null;
};

export type StateStoreOptions = {
	accounts: AccountConfig[];
	settings: StoreSettings;
	version: string;
	/** state.json; omit for a purely in-memory store. */
	stateFile?: string;
	now?: () => number;
	/** Subscriber batching interval. */
	notifyIntervalMs?: number;
	/** Write-behind delay for state.json. */
	persistDelayMs?: number;
	demo?: boolean;
	/** Commands that fix a reauth state, per account kind. */
	fixHint?: (account: AccountConfig) => string;
};

type AccountRuntime = PersistedAccount & {
	/** Attempt timestamps in the last minute, oldest first. */
	burst: number[];
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

export type CooldownEnded = {reason: string | undefined; durationMs: number};

export type StoreEvents = {
	request: [RequestRecord];
	event: [StoreEvent];
	/** An account's cooldown just ended (strong resume hooks in here). */
	'cooldown-ended': [string, CooldownEnded];
};

/**
 * The one piece of state shared by the proxy and the monitor: persisted account state, runtime
 * overrides, the request ring and savings. The proxy reads it synchronously on every request
 * (routingSnapshot); the monitor reads immutable snapshots that are rebuilt and announced at most
 * every notifyIntervalMs, never per request or per chunk. Persistence is write-behind: changes are
 * coalesced and written atomically (temp + rename, 0600) at most every persistDelayMs.
 */
export class StateStore extends EventEmitter<StoreEvents> implements MonitorStore {
	readonly version: string;
	readonly startedMs: number;
	listenUrl = '';
	readonly #now: () => number;
	readonly #stateFile: string | undefined;
	readonly #notifyIntervalMs: number;
	readonly #persistDelayMs: number;
	readonly #demo: boolean;
	readonly #fixHint: (account: AccountConfig) => string;
	#accounts: AccountConfig[];
	#settings: StoreSettings;
	readonly #runtime = new Map<string, AccountRuntime>();
	#telemetry = new Map<string, RateLimitTelemetry>();
	readonly #sticky = new Map<string, {account: string; expiresMs: number}>();
	readonly #window = new Map<string, {startMs: number; tokens: number}>();
	#pinned: string | null = null;
	#lastUsed: string | null = null;
	readonly #daily = new Map<string, SavingsTotals>();
	#allTime: SavingsTotals = emptyTotals();
	readonly #requests = new Ring<RequestRecord>(requestRingSize);
	#events: StoreEvent[] = [];
	#overrides: Overrides = {strategy: null, model: null, effort: null, burstRpmLimit: null, fallbackModel: null, alertsMuted: false};
	#held = 0;
	#inFlight = 0;
	#carousel = 0;
	#snapshot: StoreSnapshot | undefined;
	readonly #listeners = new Set<() => void>();
	#notifyTimer: NodeJS.Timeout | undefined;
	#persistTimer: NodeJS.Timeout | undefined;
	#persisting: Promise<void> | undefined;
	#persistAgain = false;
	#cooldownTimer: NodeJS.Timeout | undefined;
	#closed = false;
	readonly loadWarning: string | undefined;

	constructor(options: StateStoreOptions) {
		super();
		this.#now = options.now ?? Date.now;
		this.version = options.version;
		this.startedMs = this.#now();
		this.#stateFile = options.stateFile;
		this.#notifyIntervalMs = options.notifyIntervalMs ?? 100;
		this.#persistDelayMs = options.persistDelayMs ?? 1000;
		this.#demo = options.demo ?? false;
		this.#fixHint = options.fixHint ?? (account => account.kind === 'oauth'
			? `shunt add-account ${account.name}`
			: `shunt remove-account ${account.name} && shunt add-account ${account.name} --api-key -`);
		this.#accounts = [...options.accounts];
		this.#settings = {...options.settings};

		let persisted = emptyPersistedState();
		if (this.#stateFile) {
			// Writes a kill -9 interrupted leave temp files behind; nothing else would remove them.
			removeStaleTempFiles(this.#stateFile);
			const loaded = loadPersistedState(this.#stateFile, this.startedMs);
			persisted = loaded.state;
			this.loadWarning = loaded.warning;
		}

		this.#restore(persisted);
		this.#scheduleCooldownWatch();
	}

	// ---------------------------------------------------------------- persistence

	#restore(state: PersistedState): void {
		const now = this.#now();
		const known = new Set(this.#accounts.map(account => account.name));
		for (const account of this.#accounts) {
			const saved = state.accounts[account.name];
			this.#runtime.set(account.name, {
				cooldownUntilMs: saved?.cooldownUntilMs ?? 0,
				cooldownReason: saved?.cooldownReason,
				lastCooldownEndMs: saved?.lastCooldownEndMs ?? 0,
				paused: saved?.paused ?? false,
				authFailed: saved?.authFailed ?? false,
				unhealthy: saved?.unhealthy ?? false,
				excludedModels: (saved?.excludedModels ?? []).filter(entry => entry.untilMs > now),
				burst: [],
				lastUsedMs: 0,
				healthFailures: 0,
				unauthorized: 0,
				cooldownStartedMs: 0,
			});
		}

		for (const [name, telemetry] of Object.entries(state.telemetry)) {
			if (known.has(name)) {
				this.#telemetry.set(name, telemetry);
			}
		}

		for (const [name, window] of Object.entries(state.window)) {
			if (known.has(name)) {
				this.#window.set(name, window);
			}
		}

		this.#pinned = state.pinnedAccount && known.has(state.pinnedAccount) ? state.pinnedAccount : null;
		this.#lastUsed = state.lastUsedAccount && known.has(state.lastUsedAccount) ? state.lastUsedAccount : null;
		for (const [day, totals] of Object.entries(state.savingsDaily)) {
			this.#daily.set(day, {...emptyTotals(), ...totals});
		}

		this.#allTime = {...state.savingsAllTime};
	}

	#serialize(): PersistedState {
		const state = emptyPersistedState();
		for (const [name, runtime] of this.#runtime) {
			state.accounts[name] = {
				cooldownUntilMs: runtime.cooldownUntilMs,
				cooldownReason: runtime.cooldownReason,
				lastCooldownEndMs: runtime.lastCooldownEndMs,
				paused: runtime.paused,
				authFailed: runtime.authFailed,
				unhealthy: runtime.unhealthy,
				excludedModels: runtime.excludedModels,
			};
		}

		state.telemetry = Object.fromEntries(this.#telemetry);
		state.window = Object.fromEntries(this.#window);
		state.pinnedAccount = this.#pinned;
		state.lastUsedAccount = this.#lastUsed;
		state.savingsDaily = Object.fromEntries(this.#daily);
		state.savingsAllTime = this.#allTime;
		return state;
	}

	/** Marks persisted data changed; the write happens later, coalesced with other changes. */
	#persistSoon(): void {
		if (!this.#stateFile || this.#closed) {
			return;
		}

		if (this.#persisting) {
			this.#persistAgain = true;
			return;
		}

		this.#persistTimer ??= setTimeout(() => {
			this.#persistTimer = undefined;
			void this.#writeNow();
		}, this.#persistDelayMs).unref();
	}

	async #writeNow(): Promise<void> {
		const file = this.#stateFile;
		if (!file) {
			return;
		}

		this.#persisting = writeFileAtomic(file, JSON.stringify(this.#serialize()))
			.catch((error: unknown) => {
				this.addEvent('info', `could not save ${file}: ${(error as Error).message}`);
			});
		await this.#persisting;
		this.#persisting = undefined;
		if (this.#persistAgain) {
			this.#persistAgain = false;
			this.#persistSoon();
		}
	}

	/** Writes state.json now, synchronously (shutdown). */
	flushSync(): void {
		if (this.#persistTimer) {
			clearTimeout(this.#persistTimer);
			this.#persistTimer = undefined;
		}

		if (this.#stateFile) {
			writeFileAtomicSync(this.#stateFile, JSON.stringify(this.#serialize()));
		}
	}

	/** Stops timers and writes the final state. Safe to call twice. */
	close(): void {
		if (this.#closed) {
			return;
		}

		this.flushSync();
		this.#closed = true;
		clearTimeout(this.#notifyTimer);
		clearTimeout(this.#cooldownTimer);
		this.#listeners.clear();
	}

	// ---------------------------------------------------------------- subscribers

	subscribe = (listener: () => void): (() => void) => {
		this.#listeners.add(listener);
		return () => {
			this.#listeners.delete(listener);
		};
	};

	getSnapshot = (): StoreSnapshot => {
		this.#snapshot ??= this.#buildSnapshot();
		return this.#snapshot;
	};

	/** Something the monitor shows changed: rebuild and announce once per interval at most. */
	#changed(): void {
		if (this.#closed || this.#notifyTimer) {
			return;
		}

		this.#notifyTimer = setTimeout(() => {
			this.#notifyTimer = undefined;
			this.#snapshot = undefined;
			for (const listener of this.#listeners) {
				listener();
			}
		}, this.#notifyIntervalMs).unref();
	}

	// ---------------------------------------------------------------- cooldown watch

	/** One timer at the soonest cooldown end, so recoveries are announced when they happen. */
	#scheduleCooldownWatch(): void {
		clearTimeout(this.#cooldownTimer);
		this.#cooldownTimer = undefined;
		if (this.#closed) {
			return;
		}

		const now = this.#now();
		let soonest = Number.POSITIVE_INFINITY;
		for (const [name, runtime] of this.#runtime) {
			if (runtime.cooldownUntilMs === 0) {
				continue;
			}

			if (runtime.cooldownUntilMs <= now) {
				this.#endCooldown(name, runtime);
			} else {
				soonest = Math.min(soonest, runtime.cooldownUntilMs);
			}
		}

		if (Number.isFinite(soonest)) {
			// Timers longer than ~24.8 days overflow; re-check daily instead.
			const delay = Math.min(soonest - now, 86_400_000);
			this.#cooldownTimer = setTimeout(() => {
				this.#scheduleCooldownWatch();
			}, Math.max(delay, 1)).unref();
		}
	}

	#endCooldown(name: string, runtime: AccountRuntime): void {
		const durationMs = runtime.cooldownStartedMs > 0 ? runtime.cooldownUntilMs - runtime.cooldownStartedMs : 0;
		runtime.lastCooldownEndMs = runtime.cooldownUntilMs;
		runtime.cooldownUntilMs = 0;
		const reason = runtime.cooldownReason;
		runtime.cooldownReason = undefined;
		this.#persistSoon();
		this.addEvent('recovered', `${name} is back${reason ? ` after ${reason}` : ''}`, name);
		this.emit('cooldown-ended', name, {reason, durationMs});
	}

	// ---------------------------------------------------------------- reads for the proxy

	get accounts(): readonly AccountConfig[] {
		return this.#accounts;
	}

	get settings(): Readonly<StoreSettings> {
		return this.#settings;
	}

	get overrides(): Readonly<Overrides> {
		return this.#overrides;
	}

	now(): number {
		return this.#now();
	}

	effectiveStrategy(): StrategyName {
		return this.#overrides.strategy ?? this.#settings.strategy;
	}

	effectiveBurstLimit(): number {
		return this.#overrides.burstRpmLimit ?? this.#settings.burstRpmLimit;
	}

	/** Fallback: runtime override ?? config; null = automatic; "off" = never. */
	effectiveFallbackModel(): string | null {
		return this.#overrides.fallbackModel ?? this.#settings.fallbackModel;
	}

	telemetry(name: string): RateLimitTelemetry | undefined {
		return this.#telemetry.get(name);
	}

	isPaused(name: string): boolean {
		return this.#runtime.get(name)?.paused ?? false;
	}

	cooldownUntil(name: string): number {
		return this.#runtime.get(name)?.cooldownUntilMs ?? 0;
	}

	/** Why the account is cooling, while it is. */
	cooldownReason(name: string): string | undefined {
		const runtime = this.#runtime.get(name);
		return runtime && runtime.cooldownUntilMs > this.#now() ? runtime.cooldownReason : undefined;
	}

	/** Everything routing needs, taken at one instant. */
	routingSnapshot(): RoutingSnapshot {
		const now = this.#now();
		const nowSeconds = now / 1000;
		const accounts: RoutingAccount[] = this.#accounts.map((account, index) => {
			const runtime = this.#runtimeFor(account.name);
			const telemetry = this.#telemetry.get(account.name);
			const routing: RoutingAccount = {
				name: account.name,
				kind: account.kind,
				index,
				paused: runtime.paused,
				authFailed: runtime.authFailed,
				unhealthy: runtime.unhealthy,
				cooldownUntilMs: runtime.cooldownUntilMs,
				cooldownReason: runtime.cooldownUntilMs > now ? runtime.cooldownReason : undefined,
				lastCooldownEndMs: runtime.cooldownUntilMs > 0 && runtime.cooldownUntilMs <= now ? runtime.cooldownUntilMs : runtime.lastCooldownEndMs,
				burstCount: this.#burstCount(runtime, now),
				excludedModels: runtime.excludedModels.length === 0 ? noModels : runtime.excludedModels.filter(entry => entry.untilMs > now).map(entry => entry.model),
				lastUsedMs: runtime.lastUsedMs,
			};
			if (telemetry) {
				const {fiveHour, sevenDay} = telemetry;
				if (windowLive(fiveHour, nowSeconds)) {
					routing.util5h = fiveHour.utilization;
					routing.reset5h = fiveHour.reset;
					routing.status5h = fiveHour.status;
				}

				if (windowLive(sevenDay, nowSeconds)) {
					routing.util7d = sevenDay.utilization;
					routing.reset7d = sevenDay.reset;
					routing.status7d = sevenDay.status;
				}

				const key = keyHeadroom(telemetry, now);
				routing.keyHeadroom = key.headroom;
				routing.keyBlockedUntilMs = key.blockedUntilMs;
			}

			return routing;
		});
		return {
			nowMs: now,
			accounts,
			pinned: this.#pinned,
			strategy: this.effectiveStrategy(),
			burstRpmLimit: this.effectiveBurstLimit(),
			expirySoonSeconds: this.#settings.expirySoonSeconds,
		};
	}

	#runtimeFor(name: string): AccountRuntime {
		let runtime = this.#runtime.get(name);
		if (!runtime) {
			runtime = {cooldownUntilMs: 0, lastCooldownEndMs: 0, paused: false, authFailed: false, unhealthy: false, excludedModels: [], burst: [], lastUsedMs: 0, healthFailures: 0, unauthorized: 0, cooldownStartedMs: 0};
			this.#runtime.set(name, runtime);
		}

		return runtime;
	}

	#burstCount(runtime: AccountRuntime, now: number): number {
		const cutoff = now - burstWindowMs;
		while (runtime.burst.length > 0 && runtime.burst[0]! <= cutoff) {
			runtime.burst.shift();
		}

		return runtime.burst.length;
	}

	/** Carousel's process-wide counter: read it for a decision, advance it when carousel picked. */
	peekCarousel(): number {
		return this.#carousel;
	}

	nextCarousel(): void {
		this.#carousel++;
	}

	stickyAccount(key: string): string | undefined {
		const entry = this.#sticky.get(key);
		if (!entry) {
			return undefined;
		}

		if (entry.expiresMs <= this.#now()) {
			this.#sticky.delete(key);
			return undefined;
		}

		return entry.account;
	}

	/**
	 * Binds a session to an account for stickyTtlMs from now (the TTL restarts on every bind).
	 * Bindings live in memory only: persisting them rewrote state.json on nearly every request.
	 */
	setSticky(key: string, account: string): void {
		const now = this.#now();
		if (this.#sticky.size >= maxStickyEntries && !this.#sticky.has(key)) {
			for (const [stickyKey, entry] of this.#sticky) {
				if (entry.expiresMs <= now) {
					this.#sticky.delete(stickyKey);
				}
			}

			// Still full of live sessions: drop the oldest (Map iteration order is insertion order).
			while (this.#sticky.size >= maxStickyEntries) {
				const oldest = this.#sticky.keys().next().value as string;
				this.#sticky.delete(oldest);
			}
		}

		this.#sticky.delete(key);
		this.#sticky.set(key, {account, expiresMs: now + this.#settings.stickyTtlMs});
	}

	// ---------------------------------------------------------------- writes from the proxy

	/**
	 * Called for every attempt routed to an account, before it is sent. Burst pacing counts
	 * message attempts only: Claude Code's connection warm-ups must not eat a subscription's budget.
	 */
	recordAttempt(name: string, countsForBurst: boolean): number {
		const runtime = this.#runtimeFor(name);
		const now = this.#now();
		if (countsForBurst) {
			runtime.burst.push(now);
		}

		runtime.lastUsedMs = now;
		this.#changed();
		return now;
	}

	/**
	 * Gives back the burst slot of an attempt that the upstream refused for its token (a 401 that
	 * leads to a refresh): a refresh during a burst must not stall the burst's retries.
	 */
	refundAttempt(name: string, stampMs: number): void {
		const burst = this.#runtime.get(name)?.burst;
		const at = burst?.lastIndexOf(stampMs) ?? -1;
		if (burst && at !== -1) {
			burst.splice(at, 1);
			this.#changed();
		}
	}

	/** A 2xx from this account: its run of 401s is over. */
	recordSuccess(name: string): void {
		this.#runtimeFor(name).unauthorized = 0;
	}

	/** Returns how many 401s in a row this account has now given. */
	recordUnauthorized(name: string): number {
		const runtime = this.#runtimeFor(name);
		runtime.unauthorized++;
		return runtime.unauthorized;
	}

	/** The command that fixes an account that needs re-authentication. */
	fixHint(name: string): string {
		const account = this.#accounts.find(candidate => candidate.name === name);
		return account ? this.#fixHint(account) : `shunt add-account ${name}`;
	}

	/**
	 * Merges what one response's rate-limit headers said. Fields a response did not carry (or
	 * carried unparseable) keep their previous value instead of being wiped.
	 */
	recordTelemetry(name: string, telemetry: RateLimitTelemetry): void {
		const merged: RateLimitTelemetry = {...this.#telemetry.get(name), updatedMs: telemetry.updatedMs};
		for (const key in telemetry) {
			const value = telemetry[key as keyof RateLimitTelemetry];
			if (value !== undefined) {
				(merged as Record<string, unknown>)[key] = value;
			}
		}

		this.#telemetry.set(name, merged);
		this.#persistSoon();
		this.#changed();
	}

	/**
	 * Cools an account until untilMs (optionally staggered away from other accounts). A new
	 * cooldown never shortens a running one. Returns the deadline in force afterwards. Deadlines
	 * come from upstream headers: one past the time horizon is cut to it, a non-finite one ignored.
	 */
	setCooldown(name: string, untilMs: number, options: CooldownOptions): number {
		const runtime = this.#runtimeFor(name);
		const now = this.#now();
		const requested = clampDeadline(untilMs, now);
		if (requested === undefined) {
			return runtime.cooldownUntilMs;
		}

		let deadline = requested;
		if (options.staggered) {
			const others: number[] = [];
			for (const [other, otherRuntime] of this.#runtime) {
				if (other !== name) {
					others.push(otherRuntime.cooldownUntilMs);
				}
			}

			// Staggering may push a deadline at the horizon a few seconds past it; cut it back.
			deadline = clampDeadline(staggerDeadline(requested, others, now), now)!;
		}

		if (runtime.cooldownUntilMs > deadline) {
			return runtime.cooldownUntilMs;
		}

		if (runtime.cooldownUntilMs <= now) {
			runtime.cooldownStartedMs = now;
		}

		runtime.cooldownUntilMs = deadline;
		runtime.cooldownReason = options.reason;
		this.#persistSoon();
		this.#scheduleCooldownWatch();
		this.#changed();
		return deadline;
	}

	/** Ends a cooldown early (for example when fresh telemetry shows the window has reset). */
	clearCooldown(name: string): void {
		const runtime = this.#runtimeFor(name);
		if (runtime.cooldownUntilMs > 0) {
			runtime.cooldownUntilMs = this.#now();
			this.#scheduleCooldownWatch();
		}
	}

	/** Keeps one model away from an account until untilMs (bounded like a cooldown deadline). */
	excludeModel(name: string, model: string, untilMs: number): void {
		const deadline = clampDeadline(untilMs, this.#now());
		if (deadline === undefined) {
			return;
		}

		const runtime = this.#runtimeFor(name);
		runtime.excludedModels = [...runtime.excludedModels.filter(entry => entry.model !== model), {model, untilMs: deadline}];
		this.#persistSoon();
		this.#changed();
	}

	setAuthFailed(name: string, failed: boolean): void {
		const runtime = this.#runtimeFor(name);
		if (runtime.authFailed !== failed) {
			runtime.authFailed = failed;
			this.#persistSoon();
			this.#changed();
		}
	}

	/** Health-check bookkeeping: returns the consecutive failure count after this result. */
	recordHealth(name: string, healthy: boolean, unhealthyAfter: number): number {
		const runtime = this.#runtimeFor(name);
		runtime.healthFailures = healthy ? 0 : runtime.healthFailures + 1;
		const unhealthy = runtime.healthFailures >= unhealthyAfter;
		if (unhealthy !== runtime.unhealthy) {
			runtime.unhealthy = unhealthy;
			this.#persistSoon();
			this.addEvent('health', `${name} is ${unhealthy ? 'unhealthy' : 'healthy again'}`, name);
		}

		return runtime.healthFailures;
	}

	healthFailures(name: string): number {
		return this.#runtime.get(name)?.healthFailures ?? 0;
	}

	beginRequest(): void {
		this.#inFlight++;
		this.#changed();
	}

	endRequest(): void {
		this.#inFlight = Math.max(0, this.#inFlight - 1);
		this.#changed();
	}

	get inFlight(): number {
		return this.#inFlight;
	}

	holdStarted(): void {
		this.#held++;
		this.#changed();
	}

	holdEnded(): void {
		this.#held = Math.max(0, this.#held - 1);
		this.#changed();
	}

	/** A finished client request: the ring, the local window, savings, last used. */
	recordRequest(record: RequestRecord): void {
		// The model and path are the client's (or the upstream's) text, drawn by the monitor and
		// logged headless: cleaned once here, where every reader gets them.
		record.model = terminalSafe(record.model);
		record.path = terminalSafe(record.path);
		for (const attempt of record.attempts) {
			if (attempt.reason !== undefined) {
				attempt.reason = terminalSafe(attempt.reason);
			}
		}

		this.#requests.push(record);

		const account = record.account;
		const tokens = record.inputTokens + record.outputTokens + record.cacheReadTokens + record.cacheWriteTokens;
		if (account && record.status >= 200 && record.status < 300) {
			this.#lastUsed = account;
		}

		if (account && tokens > 0) {
			this.#addToWindow(account, record.inputTokens + record.outputTokens + record.cacheWriteTokens, record.tsMs);
			const usage: SavingsTotals = {
				inputTokens: record.inputTokens,
				outputTokens: record.outputTokens,
				cacheReadTokens: record.cacheReadTokens,
				cacheWriteTokens: record.cacheWriteTokens,
				usd: record.costUsd,
			};
			const day = utcDayKey(record.tsMs);
			let bucket = this.#daily.get(day);
			if (!bucket) {
				// A new day: the moment to drop buckets that have aged out.
				bucket = emptyTotals();
				this.#daily.set(day, bucket);
				pruneDaily(this.#daily, record.tsMs);
			}

			addTotals(bucket, usage);
			addTotals(this.#allTime, usage);
		}

		this.#persistSoon();
		this.#changed();
		this.emit('request', record);
	}

	/** The local 5-hour window counts tokens that weigh on limits; cache reads are left out. */
	#addToWindow(name: string, tokens: number, nowMs: number): void {
		const window = this.#window.get(name);
		if (!window || nowMs >= window.startMs + localWindowMs) {
			this.#window.set(name, {startMs: nowMs, tokens});
		} else {
			window.tokens += tokens;
		}
	}

	addEvent(kind: StoreEventKind, message: string, account?: string): StoreEvent {
		// Messages quote upstream answers, client model ids and error texts.
		const event: StoreEvent = {tsMs: this.#now(), kind, account, message: terminalSafe(message)};
		this.#events.unshift(event);
		if (this.#events.length > eventRingSize) {
			this.#events.length = eventRingSize;
		}

		this.#changed();
		this.emit('event', event);
		return event;
	}

	// ---------------------------------------------------------------- actions (monitor, control API)

	hasAccount(name: string): boolean {
		return this.#accounts.some(account => account.name === name);
	}

	pin = (account: string | null): void => {
		if (account !== null && !this.hasAccount(account)) {
			throw new Error(`unknown account "${account}"`);
		}

		this.#pinned = account;
		this.#persistSoon();
		this.#changed();
	};

	setStrategy = (strategy: StrategyName | null): void => {
		this.#overrides = {...this.#overrides, strategy};
		this.#changed();
	};

	setAlertsMuted = (muted: boolean): void => {
		this.#overrides = {...this.#overrides, alertsMuted: muted};
		this.#changed();
	};

	setModelOverride = (model: string | null): void => {
		this.#overrides = {...this.#overrides, model};
		this.#changed();
	};

	setEffortOverride = (effort: Effort | null): void => {
		this.#overrides = {...this.#overrides, effort};
		this.#changed();
	};

	setBurstRpmLimit = (limit: number | null): void => {
		this.#overrides = {...this.#overrides, burstRpmLimit: limit};
		this.#changed();
	};

	setFallbackModel = (model: string | null): void => {
		this.#overrides = {...this.#overrides, fallbackModel: model};
		this.#changed();
	};

	setPaused = (account: string, paused: boolean): void => {
		if (!this.hasAccount(account)) {
			throw new Error(`unknown account "${account}"`);
		}

		const runtime = this.#runtimeFor(account);
		if (runtime.paused !== paused) {
			runtime.paused = paused;
			this.#persistSoon();
			this.addEvent('info', `${account} ${paused ? 'paused' : 'resumed'}`, account);
		}
	};

	get pinnedAccount(): string | null {
		return this.#pinned;
	}

	get heldRequests(): number {
		return this.#held;
	}

	// ---------------------------------------------------------------- views

	accountState(name: string, now = this.#now()): AccountState {
		const runtime = this.#runtimeFor(name);
		const telemetry = this.#telemetry.get(name);
		const nowSeconds = now / 1000;
		if (runtime.paused) {
			return 'paused';
		}

		if (runtime.authFailed) {
			return 'reauth';
		}

		// A spent window outranks its cooldown: the reset, not the re-check, is what the user waits for.
		if (windowSpent(telemetry?.fiveHour, nowSeconds) || windowSpent(telemetry?.sevenDay, nowSeconds)) {
			return 'exhausted';
		}

		if (runtime.cooldownUntilMs > now) {
			return 'cooling';
		}

		if (runtime.unhealthy) {
			return 'unhealthy';
		}

		return 'available';
	}

	#accountView(account: AccountConfig, index: number, now: number): AccountView {
		const runtime = this.#runtimeFor(account.name);
		const telemetry = this.#telemetry.get(account.name);
		const nowSeconds = now / 1000;
		const state = this.accountState(account.name, now);
		const window = this.#window.get(account.name);
		const view: AccountView = {
			name: account.name,
			kind: account.kind,
			index: index + 1,
			plan: account.plan,
			email: account.email,
			state,
			cooldownUntilMs: runtime.cooldownUntilMs > now ? runtime.cooldownUntilMs : 0,
			cooldownReason: runtime.cooldownUntilMs > now ? runtime.cooldownReason : undefined,
			utilization5h: windowUtilization(telemetry?.fiveHour, nowSeconds),
			utilization7d: windowUtilization(telemetry?.sevenDay, nowSeconds),
			reset5h: windowLive(telemetry?.fiveHour, nowSeconds) ? telemetry.fiveHour.reset : null,
			reset7d: windowLive(telemetry?.sevenDay, nowSeconds) ? telemetry.sevenDay.reset : null,
			status5h: telemetry?.fiveHour?.status,
			status7d: telemetry?.sevenDay?.status,
			requestsRemaining: telemetry?.requests?.remaining,
			requestsLimit: telemetry?.requests?.limit,
			windowTokens: window && now < window.startMs + localWindowMs ? window.tokens : 0,
			pinned: this.#pinned === account.name,
			active: this.#lastUsed === account.name,
			recentRequests: this.#burstCount(runtime, now),
		};
		if (state === 'reauth') {
			view.fixHint = this.#fixHint(account);
		}

		return view;
	}

	#buildSnapshot(): StoreSnapshot {
		const now = this.#now();
		const minuteAgo = now - 60_000;
		const requests = this.#requests.newestFirst();
		let perMinute = 0;
		for (const request of requests) {
			if (request.tsMs < minuteAgo) {
				break;
			}

			perMinute++;
		}

		return {
			version: this.version,
			startedMs: this.startedMs,
			nowMs: now,
			listenUrl: this.listenUrl,
			strategy: this.effectiveStrategy(),
			strategyOverridden: this.#overrides.strategy !== null,
			burstRpmLimit: this.effectiveBurstLimit(),
			pinnedAccount: this.#pinned,
			overrides: this.#overrides,
			heldRequests: this.#held,
			inFlight: this.#inFlight,
			requestsPerMinute: perMinute,
			accounts: this.#accounts.map((account, index) => this.#accountView(account, index, now)),
			requests,
			events: [...this.#events],
			savings: summarize(this.#daily, this.#allTime, now),
			demo: this.#demo,
		};
	}

	/** A fresh (unbatched) snapshot, for the control API. */
	freshSnapshot(): StoreSnapshot {
		return this.#buildSnapshot();
	}
}
