// The store's state and its one place for effects: the parts (account book, telemetry, sticky
// sessions, usage ledger, events, the cooldown watch, write-behind persistence, the history), built
// from what is on disk, the batched snapshots the monitor subscribes to, and team mode's hooks.
// The changes themselves are StateStore's (store.ts).
import type {History} from '../history/history.js';
import type {StoreSnapshot} from '../monitor/contract.js';
import {Listeners} from '../util/listeners.js';
import {AccountBook} from './account-book.js';
import {CooldownWatch} from './cooldown-watch.js';
import {save, show, type Effect} from './effects.js';
import {EventLog} from './event-log.js';
import type {InFlightRequest} from './in-flight.js';
import {emptyPersistedState, type PersistedState} from './persisted-state.js';
import {WriteBehind} from './persistence.js';
import type {SavingsTotals, StoreEvent, StoreEventKind} from './records.js';
import {applyRemoteFact} from './remote-facts.js';
import type {SharedFact, TeamHooks} from './shared-facts.js';
import {StickySessions} from './sticky-sessions.js';
import {defaultFixHint, openStoreFiles, type StateStoreOptions} from './store-files.js';
import {StoreReads} from './store-reads.js';
import {TelemetryBook} from './telemetry-book.js';
import {UsageLedger} from './usage-ledger.js';
import {monitorSnapshot, type ViewParts} from './views.js';

/** A request being served, as the proxy updates it. */
export type LiveRequest = {
	update(change: Partial<Omit<InFlightRequest, 'id' | 'startedMs'>>): void;
	end(): void;
};

/**
 * The one piece of state shared by the proxy and the monitor, as a façade over parts that each
 * have one job (account book, telemetry, sticky sessions, usage ledger, events, the cooldown watch,
 * write-behind persistence) and pure views of them. The proxy reads it synchronously on every
 * request (routingSnapshot); the monitor reads immutable snapshots that are rebuilt and announced
 * at most every notifyIntervalMs, never per request or per chunk. Every change goes through
 * #changed with its effects, the one place that decides what is saved and what redraws.
 */
export abstract class StoreCore extends StoreReads {
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
	protected readonly watch: CooldownWatch;
	readonly #persistence: WriteBehind | undefined;
	readonly #listeners = new Listeners();
	#snapshot: StoreSnapshot | undefined;
	#notifyTimer: NodeJS.Timeout | undefined;
	#closed = false;
	/** Team mode's hooks (SHUNT_REDIS_URL); undefined in local mode. */
	protected team: TeamHooks | undefined;

	constructor(options: StateStoreOptions) {
		super();
		this.clock = options.now ?? Date.now;
		this.version = options.version;
		this.startedMs = this.clock();
		this.#notifyIntervalMs = options.notifyIntervalMs ?? 100;
		this.#demo = options.demo ?? false;
		const accounts = [...options.accounts];
		const known = new Set(accounts.map(account => account.name));

		const {persisted, loadWarning, history, historyWarning} = openStoreFiles(options, accounts, this.startedMs);
		this.loadWarning = loadWarning;
		this.history = history;
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
			fixHint: options.fixHint ?? defaultFixHint,
		};
		const file = options.stateFile;
		this.#persistence = file
			? new WriteBehind(file, () => JSON.stringify(this.#serialize()), options.persistDelayMs ?? 1000, error => {
				this.addEvent('info', `could not save ${file}: ${error.message}`);
			})
			: undefined;
		this.watch = new CooldownWatch(this.#book, this.clock, (name, ended) => {
			this.changed(save);
			this.addEvent('recovered', `${name} is back${ended.reason ? ` after ${ended.reason}` : ''}`, name);
			this.emit('cooldown-ended', name, ended);
		});
		this.watch.schedule();
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
				this.changed(show);
			},
		});
		if (historyWarning) {
			this.addEvent('info', `warning: ${historyWarning}`);
		}
	}

	// ---------------------------------------------------------------- the one place for effects

	protected changed(effects: readonly Effect[]): void {
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
			this.watch.close();
			this.#listeners.clear();
		}
	}

	addEvent(kind: StoreEventKind, message: string, account?: string): StoreEvent {
		const event = this.#events.add(this.clock(), kind, message, account);
		this.changed(show);
		this.emit('event', event);
		return event;
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
		return this.team ? {...snapshot, team: this.team.view(), savings: this.team.poolSavings(snapshot.savings)} : snapshot;
	}

	// ---------------------------------------------------------------- team mode (source/team/)

	/** Team mode: local changes go to these hooks, and the snapshot shows the pool. */
	attachTeam(hooks: TeamHooks | undefined): void {
		this.team = hooks;
		this.changed(show);
	}

	/** This instance's own savings, per UTC day and in all (team mode shares them; read-only). */
	ownSavings(): {daily: Readonly<Record<string, SavingsTotals>>; allTime: Readonly<SavingsTotals>} {
		const {savingsDaily, savingsAllTime} = this.#ledger.serialize();
		return {daily: savingsDaily, allTime: savingsAllTime};
	}

	/** Something about the pool changed that only the screen needs (instances, Redis, others' traffic). */
	teamChanged(): void {
		this.changed(show);
	}

	/**
	 * A fact another instance reported, applied as if it had happened here but told to nobody (no
	 * echo). The team decides whether it is news (newer telemetry, a later deadline); this applies it.
	 */
	applyRemote(fact: SharedFact): void {
		const target = {book: this.#book, telemetry: this.#telemetry, watch: this.watch, hasAccount: (name: string) => this.hasAccount(name), setPinned: (account: string | null) => {
			this.parts.pinned = account;
		}};
		this.changed(applyRemoteFact(target, fact, this.clock()));
	}
}
