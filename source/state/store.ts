import {windowLabel} from '../routing/windows.js';
import {clockTime} from '../util/clock-time.js';
import {formatWhen} from '../util/duration.js';
import {windowCrossings} from './window-crossings.js';
import type {AccountConfig} from '../accounts/types.js';
import type {RateLimitTelemetry} from '../anthropic/telemetry.js';
import {History, type HistoryTimings} from '../history/history.js';
import {HistoryUnavailableError} from '../history/database.js';
import {historyWindows, type HistoryWindow, type MonitorStore, type StoreSnapshot} from '../monitor/contract.js';
import type {StrategyName} from '../routing/strategies.js';
import {removeStaleTempFiles} from '../util/atomic-write.js';
import {Listeners} from '../util/listeners.js';
import {AccountBook, type CooldownOptions} from './account-book.js';
import {CooldownWatch} from './cooldown-watch.js';
import {EventLog} from './event-log.js';
import type {Effort, Overrides} from './overrides.js';
import {emptyPersistedState, loadPersistedState, type PersistedState} from './persisted-state.js';
import {WriteBehind} from './persistence.js';
import type {RequestRecord, SavingsTotals, StoreEvent, StoreEventKind} from './records.js';
import type {SharedFact, TeamHooks} from './shared-facts.js';
import {StickySessions} from './sticky-sessions.js';
import {StoreReads} from './store-reads.js';
import type {InFlightRequest} from './in-flight.js';
import {TelemetryBook} from './telemetry-book.js';
import {UsageLedger} from './usage-ledger.js';
import {monitorSnapshot, type StoreSettings, type ViewParts} from './views.js';

export type {CooldownOptions} from './account-book.js';
export type {CooldownEnded} from './cooldown-watch.js';
export type {StoreSettings} from './views.js';
export {requestRingSize} from './usage-ledger.js';

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
	/** history.db: every finished request, event and telemetry sample; omit to keep none (the ring stays in memory). */
	historyFile?: string;
	/** Rows older than this go (default 90). */
	historyRetentionDays?: number;
	/** Timer intervals of the history (tests shorten them). */
	historyTimings?: HistoryTimings;
};

export type {StoreEvents} from './store-reads.js';

/** A request being served, as the proxy updates it. */
export type LiveRequest = {
	update(change: Partial<Omit<InFlightRequest, 'id' | 'startedMs'>>): void;
	end(): void;
};

/** What a change means: saved to state.json, shown on screen, or both. */
type Effect = 'save' | 'show';
const save: readonly Effect[] = ['save', 'show'];
const show: readonly Effect[] = ['show'];

/**
 * The one piece of state shared by the proxy and the monitor, as a façade over parts that each
 * have one job (account book, telemetry, sticky sessions, usage ledger, events, the cooldown watch,
 * write-behind persistence) and pure views of them. The proxy reads it synchronously on every
 * request (routingSnapshot); the monitor reads immutable snapshots that are rebuilt and announced
 * at most every notifyIntervalMs, never per request or per chunk. Every change goes through
 * #changed with its effects, the one place that decides what is saved and what redraws.
 */
export class StateStore extends StoreReads implements MonitorStore {
	readonly version: string;
	readonly startedMs: number;
	listenUrl = '';
	readonly loadWarning: string | undefined;
	protected readonly clock: () => number;
	readonly #notifyIntervalMs: number;
	readonly #demo: boolean;
	protected readonly parts: ViewParts;
	readonly #book: AccountBook;
	readonly #telemetry: TelemetryBook;
	readonly #ledger: UsageLedger;
	readonly #events: EventLog;
	/** The persisted history, when the store has a file for it. */
	readonly history: History | undefined;
	protected readonly sticky: StickySessions;
	readonly #watch: CooldownWatch;
	readonly #persistence: WriteBehind | undefined;
	readonly #listeners = new Listeners();
	#snapshot: StoreSnapshot | undefined;
	#notifyTimer: NodeJS.Timeout | undefined;
	#closed = false;
	/** Team mode's hooks (SHUNT_REDIS_URL); undefined in local mode. */
	#team: TeamHooks | undefined;

	constructor(options: StateStoreOptions) {
		super();
		this.clock = options.now ?? Date.now;
		this.version = options.version;
		this.startedMs = this.clock();
		this.#notifyIntervalMs = options.notifyIntervalMs ?? 100;
		this.#demo = options.demo ?? false;
		const accounts = [...options.accounts];
		const known = new Set(accounts.map(account => account.name));

		let persisted = emptyPersistedState();
		if (options.stateFile) {
			// Writes a kill -9 interrupted leave temp files behind; nothing else would remove them.
			removeStaleTempFiles(options.stateFile);
			const loaded = loadPersistedState(options.stateFile, this.startedMs);
			persisted = loaded.state;
			this.loadWarning = loaded.warning;
		}

		// A newer shunt's history stops the store here (HistoryTooNewError): it is never written.
		let historyWarning: string | undefined;
		if (options.historyFile) {
			try {
				this.history = History.open({
					file: options.historyFile,
					nowMs: this.startedMs,
					version: options.version,
					accounts,
					retentionDays: options.historyRetentionDays ?? 90,
					savings: {daily: persisted.savingsDaily, allTime: persisted.savingsAllTime},
				}, options.historyTimings);
				historyWarning = this.history.warning;
			} catch (error) {
				if (!(error instanceof HistoryUnavailableError)) {
					throw error;
				}

				// Serving matters more than remembering: shunt runs on, with the ring in memory only.
				historyWarning = `${error.message}; running without a history`;
			}
		}

		const seed = this.history?.takeSeed();
		this.#book = new AccountBook(accounts, persisted.accounts, this.startedMs);
		this.#telemetry = new TelemetryBook(persisted.telemetry, known);
		this.#ledger = new UsageLedger(persisted, known, seed);
		this.#events = new EventLog(seed?.events);
		this.sticky = new StickySessions(options.settings.stickyTtlMs, this.clock);
		this.parts = {
			accounts,
			book: this.#book,
			telemetry: this.#telemetry,
			ledger: this.#ledger,
			events: this.#events,
			settings: {...options.settings},
			overrides: {strategy: null, model: null, effort: null, burstRpmLimit: null, fallbackModel: null, alertsMuted: false},
			pinned: persisted.pinnedAccount && known.has(persisted.pinnedAccount) ? persisted.pinnedAccount : null,
			inFlightOn: name => this.inFlight.onAccount(name),
			fixHint: options.fixHint ?? (account => account.kind === 'oauth'
				? `shunt add-account ${account.name}`
				: `shunt remove-account ${account.name} && shunt add-account ${account.name} --api-key -`),
		};
		const file = options.stateFile;
		this.#persistence = file
			? new WriteBehind(file, () => JSON.stringify(this.#serialize()), options.persistDelayMs ?? 1000, error => {
				this.addEvent('info', `could not save ${file}: ${error.message}`);
			})
			: undefined;
		this.#watch = new CooldownWatch(this.#book, this.clock, (name, ended) => {
			this.#changed(save);
			this.addEvent('recovered', `${name} is back${ended.reason ? ` after ${ended.reason}` : ''}`, name);
			this.emit('cooldown-ended', name, ended);
		});
		this.#watch.schedule();
		this.history?.start({
			now: () => this.clock(),
			telemetry: name => this.#telemetry.get(name),
			onRequest: listener => {
				this.on('request', listener);
				return () => this.off('request', listener);
			},
			onEvent: listener => {
				this.on('event', listener);
				return () => this.off('event', listener);
			},
			problem: message => this.addEvent('info', message),
			show: view => {
				this.parts.history = view;
				this.#changed(show);
			},
		});
		if (historyWarning) {
			this.addEvent('info', `warning: ${historyWarning}`);
		}
	}

	// ---------------------------------------------------------------- the one place for effects

	#changed(effects: readonly Effect[]): void {
		if (this.#closed) {
			return;
		}

		if (effects.includes('save')) {
			this.#persistence?.soon();
		}

		if (effects.includes('show')) {
			// Rebuilt and announced once per interval at most.
			this.#notifyTimer ??= setTimeout(() => {
				this.#notifyTimer = undefined;
				this.#snapshot = undefined;
				this.#listeners.notify();
			}, this.#notifyIntervalMs).unref();
		}
	}

	#serialize(): PersistedState {
		return {
			...emptyPersistedState(),
			accounts: this.#book.serialize(),
			telemetry: this.#telemetry.serialize(),
			pinnedAccount: this.parts.pinned,
			...this.#ledger.serialize(),
		};
	}

	/** Writes state.json now, synchronously (shutdown). */
	flushSync(): void {
		this.#persistence?.flushSync();
	}

	/** Stops timers and writes the final state. Safe to call twice. */
	close(): void {
		if (this.#closed) {
			return;
		}

		this.#closed = true;
		try {
			// A failed write (disk full, the file replaced by a directory) still stops everything below.
			this.flushSync();
		} finally {
			this.#persistence?.close();
			this.history?.close();
			clearTimeout(this.#notifyTimer);
			this.#watch.close();
			this.#listeners.clear();
		}
	}

	// ---------------------------------------------------------------- subscribers (the monitor)

	subscribe = (listener: () => void): (() => void) => this.#listeners.subscribe(listener);

	getSnapshot = (): StoreSnapshot => {
		this.#snapshot ??= this.freshSnapshot();
		return this.#snapshot;
	};

	/** A fresh (unbatched) snapshot, for the control API. */
	freshSnapshot(): StoreSnapshot {
		const meta = {version: this.version, startedMs: this.startedMs, listenUrl: this.listenUrl, demo: this.#demo};
		const snapshot = monitorSnapshot(this.parts, this.inFlight.list(), meta, this.clock());
		return this.#team ? {...snapshot, team: this.#team.view(), savings: this.#team.poolSavings(snapshot.savings)} : snapshot;
	}

	// ---------------------------------------------------------------- team mode (source/team/)

	/** Team mode: local changes go to these hooks, and the snapshot shows the pool. */
	attachTeam(hooks: TeamHooks | undefined): void {
		this.#team = hooks;
		this.#changed(show);
	}

	/** This instance's own savings, per UTC day and in all (team mode shares them; read-only). */
	ownSavings(): {daily: Readonly<Record<string, SavingsTotals>>; allTime: Readonly<SavingsTotals>} {
		const {savingsDaily, savingsAllTime} = this.#ledger.serialize();
		return {daily: savingsDaily, allTime: savingsAllTime};
	}

	/** Something about the pool changed that only the screen needs (instances, Redis, others' traffic). */
	teamChanged(): void {
		this.#changed(show);
	}

	/**
	 * A fact another instance reported, applied as if it had happened here but told to nobody (no
	 * echo). The team decides whether it is news (newer telemetry, a later deadline); this applies it.
	 */
	applyRemote(fact: SharedFact): void {
		const now = this.clock();
		switch (fact.type) {
			case 'telemetry': {
				this.#telemetry.record(fact.account, fact.telemetry);
				this.#changed(save);
				break;
			}

			case 'cooldown': {
				if (this.#book.setCooldown(fact.account, fact.untilMs, {reason: fact.reason}, now).changed) {
					this.#watch.schedule();
					this.#changed(save);
				}

				break;
			}

			case 'cooldown-cleared': {
				// Only the cooldown that was ended: a later one set since stands.
				const record = this.#book.get(fact.account);
				if (record.cooldownUntilMs > now && record.cooldownUntilMs <= fact.untilMs && this.#book.clearCooldown(fact.account, now)) {
					this.#watch.schedule();
				}

				break;
			}

			case 'attempt': {
				// Stamps stay oldest first: burstCount drops expired ones from the front.
				const {burst} = this.#book.get(fact.account);
				let at = burst.length;
				while (at > 0 && burst[at - 1]! > fact.stampMs) {
					at--;
				}

				burst.splice(at, 0, fact.stampMs);
				this.#changed(show);
				break;
			}

			case 'refund': {
				if (this.#book.refundAttempt(fact.account, fact.stampMs)) {
					this.#changed(show);
				}

				break;
			}

			case 'exclusion': {
				if (this.#book.excludeModel(fact.account, fact.model, fact.untilMs, now)) {
					this.#changed(save);
				}

				break;
			}

			case 'paused': {
				if (this.#book.setFlag(fact.account, 'paused', fact.paused)) {
					this.#changed(save);
				}

				break;
			}

			case 'pin': {
				this.parts.pinned = fact.account !== null && this.hasAccount(fact.account) ? fact.account : null;
				this.#changed(save);
				break;
			}
		}
	}

	// ---------------------------------------------------------------- writes from the proxy and background work

	nextCarousel(): void {
		this.carousel++;
	}

	/** Binds a session to an account (in memory only; not saved, not shown). */
	setSticky(key: string, account: string): void {
		this.sticky.bind(key, account);
	}

	/** A request of a sticky conversation finished: how much of it is cached, how big it was. */
	noteSessionUsage(key: string, usage: {cachedTokens: number; inputTokens: number}): void {
		this.sticky.noteUsage(key, usage);
	}

	/**
	 * Called for every attempt routed to an account, before it is sent. Burst pacing counts
	 * message attempts only: Claude Code's connection warm-ups must not eat a subscription's
	 * budget. Returns the attempt's stamp (for refundAttempt).
	 */
	recordAttempt(name: string, countsForBurst: boolean): number {
		const stamp = this.#book.recordAttempt(name, countsForBurst, this.clock());
		this.#changed(show);
		if (countsForBurst) {
			this.#team?.shared({type: 'attempt', account: name, stampMs: stamp});
		}

		return stamp;
	}

	/**
	 * Gives back the burst slot of an attempt that the upstream refused for its token (a 401 that
	 * leads to a refresh): a refresh during a burst must not stall the burst's retries.
	 */
	refundAttempt(name: string, stampMs: number): void {
		if (this.#book.refundAttempt(name, stampMs)) {
			this.#changed(show);
			this.#team?.shared({type: 'refund', account: name, stampMs});
		}
	}

	/** A 2xx from this account: its run of 401s is over. */
	recordSuccess(name: string): void {
		this.#book.get(name).unauthorized = 0;
	}

	/** Returns how many 401s in a row this account has now given. */
	recordUnauthorized(name: string): number {
		return ++this.#book.get(name).unauthorized;
	}

	recordTelemetry(name: string, telemetry: RateLimitTelemetry): void {
		const before = this.#telemetry.get(name);
		this.#telemetry.record(name, telemetry);
		this.#changed(save);
		this.#team?.shared({type: 'telemetry', account: name, telemetry: this.#telemetry.get(name)!});
		const now = this.clock();
		for (const crossing of windowCrossings(before, this.#telemetry.get(name)!, now)) {
			const percent = Math.round(crossing.utilization * 100);
			this.addEvent('window', `${name}: ${windowLabel(crossing.window)} window at ${percent} % (resets ${formatWhen(crossing.resetMs, now, clockTime)})`, name);
		}
	}

	/**
	 * Cools an account until untilMs (optionally staggered away from other accounts). A new
	 * cooldown never shortens a running one. Returns the deadline in force afterwards.
	 */
	setCooldown(name: string, untilMs: number, options: CooldownOptions): number {
		const {deadline, changed} = this.#book.setCooldown(name, untilMs, options, this.clock());
		if (changed) {
			this.#watch.schedule();
			this.#changed(save);
			this.#team?.shared({type: 'cooldown', account: name, untilMs: deadline, reason: options.reason, staggered: options.staggered ?? false});
		}

		return deadline;
	}

	/** Ends a cooldown early (for example when fresh telemetry shows the window has reset). */
	clearCooldown(name: string): void {
		const ended = this.#book.get(name).cooldownUntilMs;
		if (this.#book.clearCooldown(name, this.clock())) {
			this.#watch.schedule();
			this.#team?.shared({type: 'cooldown-cleared', account: name, untilMs: ended});
		}
	}

	excludeModel(name: string, model: string, untilMs: number): void {
		if (this.#book.excludeModel(name, model, untilMs, this.clock())) {
			this.#changed(save);
			this.#team?.shared({type: 'exclusion', account: name, model, untilMs});
		}
	}

	setAuthFailed(name: string, failed: boolean): void {
		if (this.#book.setFlag(name, 'authFailed', failed)) {
			this.#changed(save);
		}
	}

	/** Health-check bookkeeping: returns the consecutive failure count after this result. */
	recordHealth(name: string, healthy: boolean, unhealthyAfter: number): number {
		const {failures, flipped} = this.#book.recordHealth(name, healthy, unhealthyAfter);
		if (flipped) {
			this.#changed(save);
			this.addEvent('health', `${name} is ${healthy ? 'healthy again' : 'unhealthy'}`, name);
		}

		return failures;
	}

	/** A client request arrived: it shows as a live row until end(). */
	beginRequest(request: Pick<InFlightRequest, 'id' | 'startedMs'>): LiveRequest {
		const entry: InFlightRequest = {model: '', account: null, state: 'waiting', heldUntilMs: null, heldReason: null, firstByteMs: null, outputTokens: 0, stream: false, ...request};
		this.inFlight.add(entry);
		this.#changed(show);
		return {
			update: change => {
				this.inFlight.update(entry, change);
				this.#changed(show);
			},
			end: () => {
				this.inFlight.delete(entry.id);
				this.#changed(show);
			},
		};
	}

	/** A finished client request: the ring, the local window, savings, last used. */
	recordRequest(record: RequestRecord): void {
		this.#ledger.record(record);
		this.#changed(save);
		this.emit('request', record);
	}

	addEvent(kind: StoreEventKind, message: string, account?: string): StoreEvent {
		const event = this.#events.add(this.clock(), kind, message, account);
		this.#changed(show);
		this.emit('event', event);
		return event;
	}

	// ---------------------------------------------------------------- actions (monitor, control API)

	pin = (account: string | null): void => {
		if (account !== null && !this.hasAccount(account)) {
			throw new Error(`unknown account "${account}"`);
		}

		this.parts.pinned = account;
		this.#changed(save);
		this.#team?.shared({type: 'pin', account});
	};

	setStrategy = (strategy: StrategyName | null): void => {
		this.#override({strategy});
	};

	setAlertsMuted = (muted: boolean): void => {
		this.#override({alertsMuted: muted});
	};

	setModelOverride = (model: string | null): void => {
		this.#override({model});
	};

	setEffortOverride = (effort: Effort | null): void => {
		this.#override({effort});
	};

	setBurstRpmLimit = (limit: number | null): void => {
		this.#override({burstRpmLimit: limit});
	};

	setFallbackModel = (model: string | null): void => {
		this.#override({fallbackModel: model});
	};

	setPaused = (account: string, paused: boolean): void => {
		if (!this.hasAccount(account)) {
			throw new Error(`unknown account "${account}"`);
		}

		if (this.#book.setFlag(account, 'paused', paused)) {
			this.#changed(save);
			this.addEvent('info', `${account} ${paused ? 'paused' : 'resumed'}`, account);
			this.#team?.shared({type: 'paused', account, paused});
		}
	};

	/** The span the history pane shows (null: none); without a history there is nothing to show. */
	setHistoryWindow = (window: HistoryWindow | null): void => {
		if (window !== null && !historyWindows.includes(window)) {
			throw new Error(`unknown history window "${String(window)}"`);
		}

		this.history?.select(window);
	};

	/** Overrides last until shunt restarts: shown, never saved. */
	#override(change: Partial<Overrides>): void {
		this.parts.overrides = {...this.parts.overrides, ...change};
		this.#changed(show);
	}
}
