// A MonitorStore for the monitor's tests: crafted snapshots in, recorded action calls out. Actions
// also update the snapshot the way the real store would, so a test can check the screen shows the
// new setting at once.
import type {AccountView, MonitorStore, StoreActions, StoreSnapshot} from '../../source/monitor/contract.js';
import type {Effort} from '../../source/state/overrides.js';
import type {RequestRecord, SavingsTotals, StoreEvent} from '../../source/state/records.js';
import type {StrategyName} from '../../source/routing/strategies.js';

export type ActionCall = {[Method in keyof StoreActions]: {method: Method; args: Parameters<StoreActions[Method]>}}[keyof StoreActions];

/** The burst limit the fake "config" has when no override is set. */
export const configBurstLimit = 10;

const zeroTotals: SavingsTotals = {inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, usd: 0};

export function makeAccount(name: string, fields: Partial<AccountView> = {}): AccountView {
	return {
		name,
		kind: 'oauth',
		index: 1,
		state: 'available',
		cooldownUntilMs: 0,
		utilization5h: 0.25,
		utilization7d: 0.1,
		reset5h: null,
		reset7d: null,
		windowTokens: 0,
		pinned: false,
		active: false,
		recentRequests: 0,
		...fields,
	};
}

let requestSequence = 0;

export function makeRequest(fields: Partial<RequestRecord> = {}): RequestRecord {
	requestSequence++;
	return {
		id: `req-${requestSequence}`,
		tsMs: Date.now(),
		account: 'home',
		model: 'claude-sonnet-4-6',
		status: 200,
		inputTokens: 1200,
		outputTokens: 340,
		cacheReadTokens: 0,
		cacheWriteTokens: 0,
		durationMs: 1234,
		attempts: [],
		outcome: 'complete',
		stream: true,
		path: '/v1/messages',
		costUsd: 0.01,
		...fields,
	};
}

export function makeEvent(fields: Partial<StoreEvent> & Pick<StoreEvent, 'kind' | 'message'>): StoreEvent {
	return {tsMs: Date.now(), ...fields};
}

/** A snapshot with sensible defaults; `accounts` get their 1-based index from their position. */
export function makeSnapshot(fields: Partial<StoreSnapshot> = {}): StoreSnapshot {
	const now = Date.now();
	const base: StoreSnapshot = {
		version: '0.1.0',
		startedMs: now - 65_000,
		nowMs: now,
		listenUrl: 'http://127.0.0.1:8082',
		strategy: 'maximus',
		strategyOverridden: false,
		burstRpmLimit: configBurstLimit,
		pinnedAccount: null,
		overrides: {strategy: null, model: null, effort: null, burstRpmLimit: null, fallbackModel: null, alertsMuted: false},
		heldRequests: 0,
		inFlight: 0,
		requestsPerMinute: 0,
		accounts: [],
		requests: [],
		events: [],
		savings: {today: zeroTotals, week: zeroTotals, allTime: zeroTotals},
		demo: false,
	};
	const snapshot = {...base, ...fields};
	return {...snapshot, accounts: snapshot.accounts.map((account, index) => ({...account, index: index + 1}))};
}

export class FakeStore implements MonitorStore {
	readonly calls: ActionCall[] = [];
	private snapshot: StoreSnapshot;
	private readonly listeners = new Set<() => void>();
	private pending: Array<(snapshot: StoreSnapshot) => StoreSnapshot> = [];

	/**
	 * With `deferred`, actions change nothing visible until flush(), like the real store whose
	 * snapshots are rebuilt in batches some milliseconds after the action.
	 */
	constructor(initial: StoreSnapshot = makeSnapshot(), private readonly options: {deferred?: boolean} = {}) {
		this.snapshot = initial;
	}

	/** Publishes the snapshot with every deferred action applied. */
	flush(): void {
		const changes = this.pending;
		this.pending = [];
		this.push(snapshot => changes.reduce((current, change) => change(current), snapshot));
	}

	get listenerCount(): number {
		return this.listeners.size;
	}

	subscribe = (listener: () => void): (() => void) => {
		this.listeners.add(listener);
		return () => {
			this.listeners.delete(listener);
		};
	};

	getSnapshot = (): StoreSnapshot => this.snapshot;

	/** Replaces the snapshot (or derives the next one) and notifies like a store batch would. */
	push(next: StoreSnapshot | ((previous: StoreSnapshot) => StoreSnapshot)): void {
		this.snapshot = typeof next === 'function' ? next(this.snapshot) : next;
		for (const listener of this.listeners) {
			listener();
		}
	}

	/** Names of the actions called so far, in order. */
	get methods(): string[] {
		return this.calls.map(call => call.method);
	}

	pin = (account: string | null): void => {
		this.record({method: 'pin', args: [account]}, snapshot => ({
			...snapshot,
			pinnedAccount: account,
			accounts: snapshot.accounts.map(view => ({...view, pinned: view.name === account})),
		}));
	};

	setStrategy = (strategy: StrategyName | null): void => {
		this.record({method: 'setStrategy', args: [strategy]}, snapshot => ({
			...snapshot,
			strategy: strategy ?? 'maximus',
			strategyOverridden: strategy !== null,
			overrides: {...snapshot.overrides, strategy},
		}));
	};

	setAlertsMuted = (muted: boolean): void => {
		this.record({method: 'setAlertsMuted', args: [muted]}, snapshot => ({...snapshot, overrides: {...snapshot.overrides, alertsMuted: muted}}));
	};

	setModelOverride = (model: string | null): void => {
		this.record({method: 'setModelOverride', args: [model]}, snapshot => ({...snapshot, overrides: {...snapshot.overrides, model}}));
	};

	setEffortOverride = (effort: Effort | null): void => {
		this.record({method: 'setEffortOverride', args: [effort]}, snapshot => ({...snapshot, overrides: {...snapshot.overrides, effort}}));
	};

	setBurstRpmLimit = (limit: number | null): void => {
		this.record({method: 'setBurstRpmLimit', args: [limit]}, snapshot => ({
			...snapshot,
			burstRpmLimit: limit ?? configBurstLimit,
			overrides: {...snapshot.overrides, burstRpmLimit: limit},
		}));
	};

	setPaused = (account: string, paused: boolean): void => {
		this.record({method: 'setPaused', args: [account, paused]}, snapshot => ({
			...snapshot,
			accounts: snapshot.accounts.map(view => (view.name === account ? {...view, state: paused ? 'paused' : 'available'} : view)),
		}));
	};

	private record(call: ActionCall, apply: (snapshot: StoreSnapshot) => StoreSnapshot): void {
		this.calls.push(call);
		if (this.options.deferred) {
			this.pending.push(apply);
		} else {
			this.push(apply);
		}
	}
}
