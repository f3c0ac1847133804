// The contract between the store and the monitor: the snapshots the screen draws and the actions
// its keys may take. The worker-thread bridge and the test fakes are built from actionNames, so a
// new action is one line here and TypeScript finds every place that must handle it.
import type {AccountKind} from '../accounts/types.js';
import type {StrategyName} from '../routing/strategies.js';
import type {Effort, Overrides} from '../state/overrides.js';
import type {InFlightRequest} from '../state/in-flight.js';
import type {RequestRecord, SavingsSummary, StoreEvent} from '../state/records.js';

/** What the monitor and /_shunt/status show for an account (CONTRACT). */
export type AccountState = 'available' | 'throttled' | 'cooling' | 'exhausted' | 'unhealthy' | 'reauth' | 'paused';

/** A window that limits only some models' requests, e.g. `7d_opus` ("weekly opus"). */
export type ScopedWindowView = {
	/** The header infix: 7d_opus, 7d_sonnet, … */
	window: string;
	/** In words: "weekly opus". */
	label: string;
	utilization: number | null;
	/** Epoch seconds. */
	reset: number;
	status: string | null;
	/** Spent: requests of its models go elsewhere until it resets. */
	spent: boolean;
};

/** One account as the monitor and the status document see it. */
export type AccountView = {
	name: string;
	kind: AccountKind;
	/** 1-based position in config order: the pin key. */
	index: number;
	plan?: string;
	email?: string;
	state: AccountState;
	/** Epoch ms; 0 when not cooling. */
	cooldownUntilMs: number;
	/** Why it is cooling, e.g. "quota", "overloaded", "401". */
	cooldownReason?: string;
	utilization5h: number | null;
	utilization7d: number | null;
	/** Epoch seconds or null. */
	reset5h: number | null;
	reset7d: number | null;
	status5h?: string;
	status7d?: string;
	/** API-key family: requests remaining / limit, when known. */
	requestsRemaining?: number;
	requestsLimit?: number;
	/** Tokens used in the local 5-hour window. */
	windowTokens: number;
	/** Cache read ÷ all prompt tokens it served in the local 5-hour window; null before any. */
	cacheHitRate: number | null;
	/** Model-scoped windows the upstream reports (weekly Opus, …) that have not reset, by name. */
	scopedWindows: ScopedWindowView[];
	pinned: boolean;
	/** Served the most recent successful request. */
	active: boolean;
	/** Requests routed to it in the last 60 s. */
	recentRequests: number;
	/** Command that fixes a reauth state, e.g. "shunt add-account work". */
	fixHint?: string;
	/** When it can take requests again (cooldown over, spent window reset, a burst slot free); null when nothing timed blocks it. */
	backAtMs: number | null;
	/** Subscription accounts under a burst limit: requests in the last minute, the limit, when a slot frees. */
	burst: {count: number; limit: number; freesAtMs: number | null} | null;
	/** After a cooldown, traffic is eased back in: the share it takes now, until when. */
	easing: {factor: number; untilMs: number} | null;
	/** Models it refuses for now (a model-scoped limit), until when. */
	excludedModels: Array<{model: string; untilMs: number}>;
	/** API keys: the tightest bucket's remaining share, and until when a drained request bucket blocks it. */
	keyHeadroom: number | null;
	keyBlockedUntilMs: number | null;
};

/** The spans the history chart can show, shortest first. */
export const historyWindows = ['15m', '1h', '6h', '24h', '3d', '7d'] as const;

export type HistoryWindow = (typeof historyWindows)[number];

/** The window a monitor starts with. */
export const defaultHistoryWindow: HistoryWindow = '1h';

/** Tokens that weighed on limits (input, output, cache writes; not cache reads), per account, in one slice of time. */
export type HistoryBucket = {
	/** Epoch ms; each bucket lasts HistoryView.bucketMs. */
	startMs: number;
	/** Account name → tokens; accounts without traffic in the bucket are absent. */
	perAccount: Record<string, number>;
};

/** How fast a quota window is being used, at the pace of the recent past. */
export type BurnRate = {
	/** Share of the window used per hour (0.25 = a quarter an hour); null without enough samples. */
	perHour: number | null;
	/** At this pace the window is spent in this long (0 = spent now); null when nothing is being used. */
	spentInMs: number | null;
	/** The window resets in this long; null when unknown. */
	resetsInMs: number | null;
};

/** The 5-hour window's burn rate, and the 7-day one's. */
export type AccountBurn = BurnRate & {sevenDay: BurnRate};

/** What the history pane draws: read from history.db by the proxy's side, a few seconds old at most. */
export type HistoryView = {
	window: HistoryWindow;
	bucketMs: number;
	/** When it was read. */
	computedMs: number;
	/** Oldest first, covering the window up to now (the last one is still filling). */
	buckets: HistoryBucket[];
	/** Account → its 5h utilization at the end of each bucket (0..1, may pass 1), oldest first; null where nothing was known yet. */
	sparklines: Record<string, Array<number | null>>;
	/**
	 * Each configured account's burn rate, and the pool's: perHour in account-windows per hour (the
	 * sum over accounts), spentInMs of the pool's combined headroom, resetsInMs the soonest reset.
	 */
	burn: {accounts: Record<string, AccountBurn>; pool: AccountBurn};
};

/**
 * The immutable picture the monitor renders. The store rebuilds and announces it at most every
 * notifyIntervalMs (100 ms); across the worker thread at most two a second reach the screen.
 */
export type StoreSnapshot = {
	version: string;
	startedMs: number;
	nowMs: number;
	listenUrl: string;
	/** Effective strategy and whether it is a runtime override. */
	strategy: StrategyName;
	strategyOverridden: boolean;
	/** Effective burst limit (override ?? config). */
	burstRpmLimit: number;
	/** The configured values an override of null returns to. */
	defaults: {strategy: StrategyName; burstRpmLimit: number};
	pinnedAccount: string | null;
	overrides: Overrides;
	heldRequests: number;
	inFlight: number;
	/** The requests being served now, oldest first. */
	inFlightRequests: InFlightRequest[];
	requestsPerMinute: number;
	accounts: AccountView[];
	/** Newest first, at most 200. */
	requests: RequestRecord[];
	/** Newest first, bounded. */
	events: StoreEvent[];
	savings: SavingsSummary;
	demo: boolean;
	/** Team mode (SHUNT_REDIS_URL) only: the instances sharing this pool. */
	team?: TeamView;
	/** The history pane's data for the window chosen with setHistoryWindow; absent without a history (or with none chosen). */
	history?: HistoryView;
};

/** Team mode: the instances that share one pool's state through Redis, and their traffic. */
export type TeamView = {
	/** This instance's name. */
	self: string;
	/** The instances seen alive (this one included); the last known list while Redis is unreachable. */
	instances: Array<{name: string; self: boolean}>;
	redis: 'connected' | 'unreachable';
	/** Other instances' finished requests and events, newest first, bounded. */
	requests: RemoteRequest[];
	events: RemoteEvent[];
};

/** Another instance's request or event, with the name of the instance it happened on. */
export type RemoteRequest = RequestRecord & {instance: string};
export type RemoteEvent = StoreEvent & {instance: string};

/** What the monitor may do to the store. Every call applies to the next routed request. */
export type StoreActions = {
	pin(account: string | null): void;
	setStrategy(strategy: StrategyName | null): void;
	setAlertsMuted(muted: boolean): void;
	setModelOverride(model: string | null): void;
	setEffortOverride(effort: Effort | null): void;
	setBurstRpmLimit(limit: number | null): void;
	setPaused(account: string, paused: boolean): void;
	/** Which span the history pane shows; null stops reading history for the screen. */
	setHistoryWindow(window: HistoryWindow | null): void;
};

/** Every action, by name: the bridges between threads and the fakes iterate this list. */
export const actionNames = ['pin', 'setStrategy', 'setAlertsMuted', 'setModelOverride', 'setEffortOverride', 'setBurstRpmLimit', 'setPaused', 'setHistoryWindow'] as const satisfies ReadonlyArray<keyof StoreActions>;

export type ActionName = (typeof actionNames)[number];

// Fails to compile when StoreActions gains an action that actionNames does not list.
export const everyActionListed: Exclude<keyof StoreActions, ActionName> extends never ? true : never = true;

/** The store as the monitor sees it: batched snapshots plus actions (read with useSyncExternalStore). */
export type MonitorStore = StoreActions & {
	subscribe(listener: () => void): () => void;
	getSnapshot(): StoreSnapshot;
};
