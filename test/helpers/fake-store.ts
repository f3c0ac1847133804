// A MonitorStore for the monitor's tests: crafted snapshots in, recorded action calls out. Actions
// also update the snapshot the way the real store would, so a test can check the screen shows the
// new setting at once.
import {actionsFrom, applyAction} from '../../source/monitor/apply-action.js';
import {
	actionNames, type AccountView, type MonitorStore, type StoreActions, type StoreSnapshot,
} from '../../source/monitor/contract.js';
import type {InFlightRequest} from '../../source/state/in-flight.js';
import type {RequestRecord, SavingsTotals, StoreEvent} from '../../source/state/records.js';

export type ActionCall = {[Method in keyof StoreActions]: {method: Method; args: Parameters<StoreActions[Method]>}}[keyof StoreActions];

/** The burst limit the fake "config" has when no override is set. */
export const configBurstLimit = 10;

const zeroTotals: SavingsTotals = {
	inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, usd: 0,
};

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
		cacheHitRate: null,
		scopedWindows: [],
		pinned: false,
		active: false,
		recentRequests: 0,
		backAtMs: null,
		burst: null,
		easing: null,
		excludedModels: [],
		keyHeadroom: null,
		keyBlockedUntilMs: null,
		...fields,
	};
}

let requestSequence = 0;

export function makeRequest(fields: Partial<RequestRecord> = {}): RequestRecord {
	requestSequence++;
	const tsMs = fields.tsMs ?? Date.now();
	const durationMs = fields.durationMs ?? 1234;
	return {
		id: `req-${requestSequence}`,
		tsMs,
		// Arrived a duration before it finished, as the proxy records it.
		startedMs: tsMs - durationMs,
		ttftMs: 400,
		account: 'home',
		model: 'claude-sonnet-4-6',
		status: 200,
		inputTokens: 1200,
		outputTokens: 340,
		cacheReadTokens: 0,
		cacheWriteTokens: 0,
		durationMs,
		attempts: [],
		outcome: 'complete',
		stream: true,
		path: '/v1/messages',
		frontDoor: 'anthropic',
		costUsd: 0.01,
		...fields,
	};
}

let liveSequence = 0;

/** A request in flight: streaming on `home` since a second ago, unless told otherwise. */
export function makeLive(fields: Partial<InFlightRequest> = {}): InFlightRequest {
	liveSequence++;
	const startedMs = fields.startedMs ?? Date.now() - 1000;
	return {
		id: `live-${liveSequence}`,
		startedMs,
		account: 'home',
		model: 'claude-sonnet-4-6',
		state: 'streaming',
		heldUntilMs: null,
		heldReason: null,
		firstByteMs: startedMs + 300,
		outputTokens: 0,
		stream: true,
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
		defaults: {strategy: 'maximus', burstRpmLimit: configBurstLimit},
		pinnedAccount: null,
		overrides: {
			strategy: null, model: null, effort: null, burstRpmLimit: null, fallbackModel: null, alertsMuted: false,
		},
		heldRequests: 0,
		inFlight: 0,
		inFlightRequests: [],
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

// The actions are assigned in the constructor from the one list of names; merging this interface
// into the class is how TypeScript learns they are there.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/consistent-type-definitions, @typescript-eslint/no-empty-object-type -- merging needs an interface
export interface FakeStore extends StoreActions {}

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- the interface above
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
		// Every action applied to the snapshot as the monitor's optimistic layer applies it
		// (apply-action.ts): one method per name in actionNames, none written out here.
		Object.assign(this, actionsFrom(actionNames, call => {
			this.record({method: call.name, args: call.args} as ActionCall, snapshot => applyAction(snapshot, call));
		}));
		this.snapshot = initial;
	}

	/** Publishes the snapshot with every deferred action applied. */
	flush(): void {
		const changes = this.pending;
		this.pending = [];
		this.push(snapshot => {
			let current = snapshot;
			for (const change of changes) {
				current = change(current);
			}

			return current;
		});
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

	private record(call: ActionCall, apply: (snapshot: StoreSnapshot) => StoreSnapshot): void {
		this.calls.push(call);
		if (this.options.deferred) {
			this.pending.push(apply);
		} else {
			this.push(apply);
		}
	}
}
