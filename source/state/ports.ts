// The narrow views of the store that other layers depend on: each says exactly what its layer
// reads and writes, so the store's insides can change without the proxy, background work or the
// OAuth upkeep noticing, and a test can hand any of them a small fake.
import type {StoreEventKind} from './records.js';
import type {StateStore} from './store.js';

/** What the request path uses: routing reads, per-attempt bookkeeping, the request record. */
export type ProxyStore = Pick<StateStore,
	| 'now' | 'accounts' | 'overrides' | 'inFlightCount' | 'listenUrl'
	| 'routingSnapshot' | 'stickyAccount' | 'stickySession' | 'setSticky' | 'noteSessionUsage' | 'peekCarousel' | 'nextCarousel'
	| 'effectiveFallbackModel' | 'telemetry' | 'fixHint'
	| 'beginRequest'
	| 'recordAttempt' | 'refundAttempt' | 'recordSuccess' | 'recordTelemetry' | 'recordRequest'
	| 'setAuthFailed' | 'addEvent'
	| 'recordUnauthorized' | 'excludeModel' | 'setCooldown'>;

/** The control API: every action, the status document, the effective settings it reports, and the attached monitors' snapshots. */
export type ControlStore = Pick<StateStore,
	| 'version' | 'accounts' | 'overrides' | 'pinnedAccount' | 'hasAccount' | 'isPaused' | 'freshSnapshot' | 'subscribe' | 'getSnapshot'
	| 'effectiveStrategy' | 'effectiveBurstLimit' | 'effectiveFallbackModel'
	| 'pin' | 'setStrategy' | 'setAlertsMuted' | 'setModelOverride' | 'setEffortOverride' | 'setBurstRpmLimit' | 'setFallbackModel' | 'setPaused' | 'setHistoryWindow'>;

/** Health checks, strong resume, stale telemetry, usage polling. */
export type BackgroundStore = Pick<StateStore,
	| 'now' | 'accounts' | 'accountState' | 'isPaused' | 'cooldownUntil' | 'healthFailures' | 'telemetry' | 'routingSnapshot'
	| 'recordHealth' | 'recordTelemetry' | 'on' | 'off'
	| 'recordUnauthorized' | 'setAuthFailed' | 'fixHint' | 'excludeModel' | 'addEvent' | 'setCooldown'>;

/** What applying a failure verdict touches. */
export type VerdictStore = Pick<StateStore, 'recordUnauthorized' | 'setAuthFailed' | 'fixHint' | 'excludeModel' | 'addEvent' | 'setCooldown' | 'now'>;

/** The OAuth upkeep: login state, token cooldowns, events. */
export type AuthStore = Pick<StateStore, 'now' | 'setAuthFailed' | 'setCooldown' | 'clearCooldown' | 'addEvent' | 'fixHint' | 'accountState' | 'cooldownReason'>;

/** Where alerts land besides the terminal, and whether the user muted them. */
export type AlertTarget = {
	addEvent(kind: StoreEventKind, message: string, account?: string): unknown;
	readonly overrides: {readonly alertsMuted: boolean};
	now(): number;
};

/** The headless log's feed. */
export type LogFeed = Pick<StateStore, 'on' | 'off'>;
