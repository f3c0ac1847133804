// The store's state as its readers see it, computed, never stored: what routing needs at one
// instant, what the monitor and the status document show, and each account's state.
import type {AccountConfig} from '../accounts/types.js';
import {scopedWindowOf} from '../anthropic/models.js';
import {
	keyHeadroom, windowLive, windowSpent, windowUtilization, type RateLimitTelemetry, type UnifiedWindow,
} from '../anthropic/telemetry.js';
import type {
	AccountState, AccountView, HistoryView, ScopedWindowView, StoreSnapshot,
} from '../monitor/contract.js';
import {windowLabel} from '../routing/windows.js';
import {type StrategyName, rampFactor, rampMs} from '../routing/strategies.js';
import {freeAtOf} from '../routing/route.js';
import type {RoutingAccount, RoutingSnapshot, ScopedRoutingWindow} from '../routing/types.js';
import {burstWindowMs, type AccountBook, type AccountRecord} from './account-book.js';
import type {EventLog} from './event-log.js';
import type {InFlightRequest} from './in-flight.js';
import type {Overrides} from './overrides.js';
import type {TelemetryBook} from './telemetry-book.js';
import {requestsPerMinute, type UsageLedger} from './usage-ledger.js';

export type StoreSettings = {
	strategy: StrategyName;
	burstRpmLimit: number;
	stickyTtlMs: number;
	expirySoonSeconds: number;
	fallbackModel: string | null;
};

/** Everything the views read. */
export type ViewParts = {
	accounts: readonly AccountConfig[];
	book: AccountBook;
	telemetry: TelemetryBook;
	ledger: UsageLedger;
	events: EventLog;
	settings: Readonly<StoreSettings>;
	overrides: Readonly<Overrides>;
	pinned: string | null;
	/** Requests in flight on an account now. */
	inFlightOn: (name: string) => number;
	fixHint: (account: AccountConfig) => string;
	/** The history pane's data, when a history is kept and a window is chosen. */
	history?: HistoryView;
};

export const effectiveStrategy = (parts: Pick<ViewParts, 'settings' | 'overrides'>): StrategyName => parts.overrides.strategy ?? parts.settings.strategy;
export const effectiveBurstLimit = (parts: Pick<ViewParts, 'settings' | 'overrides'>): number => parts.overrides.burstRpmLimit ?? parts.settings.burstRpmLimit;
/** Fallback: runtime override ?? config; null = automatic; "off" = never. */
export const effectiveFallbackModel = (parts: Pick<ViewParts, 'settings' | 'overrides'>): string | null => parts.overrides.fallbackModel ?? parts.settings.fallbackModel;

/** The burst limit in force on an account: subscription accounts only, 0 = off. */
function burstLimitFor(account: Pick<AccountConfig, 'kind'>, limit: number): number {
	return account.kind === 'oauth' ? limit : 0;
}

export function accountState(record: AccountRecord, telemetry: RateLimitTelemetry | undefined, nowMs: number, burst?: {count: number; limit: number}): AccountState {
	if (record.paused) {
		return 'paused';
	}

	if (record.authFailed) {
		return 'reauth';
	}

	// A spent window outranks its cooldown: the reset, not the re-check, is what the user waits for.
	const nowSeconds = nowMs / 1000;
	if (windowSpent(telemetry?.fiveHour, nowSeconds) || windowSpent(telemetry?.sevenDay, nowSeconds)) {
		return 'exhausted';
	}

	// A quota cooldown outlives the window's reset by its margin and stagger: still the same
	// exhaustion, with one countdown to its end, not a flip to "cooling" in the last seconds.
	if (record.cooldownUntilMs > nowMs) {
		return record.cooldownReason === 'quota' ? 'exhausted' : 'cooling';
	}

	if (record.unhealthy) {
		return 'unhealthy';
	}

	// At its per-minute burst limit: routing skips it until the window frees a slot.
	if (burst && burst.limit > 0 && burst.count >= burst.limit) {
		return 'throttled';
	}

	return 'available';
}

// Shared by every routing snapshot of an account with no model exclusions (the usual case).
const noModels: readonly string[] = Object.freeze([]);

/** One account as routing sees it at nowMs. */
function routingAccountOf(parts: ViewParts, account: AccountConfig, index: number, nowMs: number): RoutingAccount {
	const nowSeconds = nowMs / 1000;
	const record = parts.book.get(account.name);
	const telemetry = parts.telemetry.get(account.name);
	const burstCount = parts.book.burstCount(account.name, nowMs);
	// Read after burstCount, which dropped the expired stamps: the oldest is the next to free.
	const oldestStamp = record.burst.oldest();
	const routing: RoutingAccount = {
		name: account.name,
		kind: account.kind,
		index,
		paused: record.paused,
		authFailed: record.authFailed,
		unhealthy: record.unhealthy,
		cooldownUntilMs: record.cooldownUntilMs,
		cooldownReason: record.cooldownUntilMs > nowMs ? record.cooldownReason : undefined,
		lastCooldownEndMs: record.cooldownUntilMs > 0 && record.cooldownUntilMs <= nowMs ? record.cooldownUntilMs : record.lastCooldownEndMs,
		burstCount,
		burstFreeAtMs: oldestStamp === undefined ? undefined : oldestStamp + burstWindowMs,
		excludedModels: record.excludedModels.length === 0 ? noModels : record.excludedModels.filter(entry => entry.untilMs > nowMs).map(entry => entry.model),
		lastUsedMs: record.lastUsedMs,
		inFlight: parts.inFlightOn(account.name),
	};
	if (telemetry) {
		const {fiveHour, sevenDay, scoped} = telemetry;
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

		if (scoped) {
			routing.scoped = scopedForRouting(scoped, nowSeconds);
		}

		const key = keyHeadroom(telemetry, nowMs);
		routing.keyHeadroom = key.headroom;
		routing.keyBlockedUntilMs = key.blockedUntilMs;
	}

	return routing;
}

/** The live model-scoped windows whose family shunt knows: the ones routing can act on. */
function scopedForRouting(scoped: Record<string, UnifiedWindow>, nowSeconds: number): ScopedRoutingWindow[] {
	const windows: ScopedRoutingWindow[] = [];
	for (const [name, window] of Object.entries(scoped)) {
		const known = scopedWindowOf(name);
		if (known && windowLive(window, nowSeconds)) {
			windows.push({
				name, family: known.family, lengthSeconds: known.lengthSeconds, util: window.utilization, reset: window.reset, status: window.status,
			});
		}
	}

	return windows;
}

/** Everything routing needs, taken at one instant. Built on every request: no more than it needs. */
export function routingSnapshot(parts: ViewParts, nowMs: number): RoutingSnapshot {
	return {
		nowMs,
		accounts: parts.accounts.map((account, index) => routingAccountOf(parts, account, index, nowMs)),
		pinned: parts.pinned,
		strategy: effectiveStrategy(parts),
		burstRpmLimit: effectiveBurstLimit(parts),
		expirySoonSeconds: parts.settings.expirySoonSeconds,
	};
}

/** Live scoped windows, hottest first. */
function scopedWindowViews(telemetry: RateLimitTelemetry | undefined, nowSeconds: number): ScopedWindowView[] {
	const views: ScopedWindowView[] = [];
	for (const [name, window] of Object.entries(telemetry?.scoped ?? {})) {
		if (windowLive(window, nowSeconds)) {
			views.push({
				window: name, label: windowLabel(name), utilization: windowUtilization(window, nowSeconds), reset: window.reset, status: window.status ?? null, spent: windowSpent(window, nowSeconds),
			});
		}
	}

	views.sort((a, b) => Number(b.spent) - Number(a.spent) || (b.utilization ?? 0) - (a.utilization ?? 0));
	return views;
}

export function accountView(parts: ViewParts, account: AccountConfig, index: number, nowMs: number): AccountView {
	const record = parts.book.get(account.name);
	const telemetry = parts.telemetry.get(account.name);
	const nowSeconds = nowMs / 1000;
	const routing = routingAccountOf(parts, account, index, nowMs);
	const limit = burstLimitFor(account, effectiveBurstLimit(parts));
	const burst = limit > 0 ? {count: routing.burstCount, limit, freesAtMs: routing.burstCount > 0 ? routing.burstFreeAtMs ?? null : null} : null;
	const state = accountState(record, telemetry, nowMs, burst ?? undefined);
	const cooling = record.cooldownUntilMs > nowMs;
	const back = freeAtOf(routing, {
		nowMs, accounts: [], pinned: null, strategy: effectiveStrategy(parts), burstRpmLimit: limit, expirySoonSeconds: 0,
	});
	const easingFactor = rampFactor(routing, nowMs);
	const view: AccountView = {
		name: account.name,
		kind: account.kind,
		index: index + 1,
		plan: account.plan,
		email: account.email,
		state,
		cooldownUntilMs: cooling ? record.cooldownUntilMs : 0,
		cooldownReason: cooling ? record.cooldownReason : undefined,
		utilization5h: windowUtilization(telemetry?.fiveHour, nowSeconds),
		utilization7d: windowUtilization(telemetry?.sevenDay, nowSeconds),
		reset5h: windowLive(telemetry?.fiveHour, nowSeconds) ? telemetry.fiveHour.reset : null,
		reset7d: windowLive(telemetry?.sevenDay, nowSeconds) ? telemetry.sevenDay.reset : null,
		status5h: telemetry?.fiveHour?.status,
		status7d: telemetry?.sevenDay?.status,
		requestsRemaining: telemetry?.requests?.remaining,
		requestsLimit: telemetry?.requests?.limit,
		windowTokens: parts.ledger.windowTokens(account.name, nowMs),
		cacheHitRate: parts.ledger.cacheHitRate(account.name, nowMs),
		scopedWindows: scopedWindowViews(telemetry, nowSeconds),
		pinned: parts.pinned === account.name,
		active: parts.ledger.lastUsed === account.name,
		recentRequests: routing.burstCount,
		backAtMs: back?.atMs ?? null,
		burst,
		easing: easingFactor < 1 ? {factor: easingFactor, untilMs: routing.lastCooldownEndMs + rampMs} : null,
		excludedModels: record.excludedModels.filter(entry => entry.untilMs > nowMs).map(entry => ({...entry})),
		keyHeadroom: routing.keyHeadroom ?? null,
		keyBlockedUntilMs: routing.keyBlockedUntilMs ?? null,
	};
	if (state === 'reauth') {
		view.fixHint = parts.fixHint(account);
	}

	return view;
}

export type SnapshotMeta = Pick<StoreSnapshot, 'version' | 'startedMs' | 'listenUrl' | 'demo'>;

/** The immutable picture the monitor draws and the status document reports. */
export function monitorSnapshot(parts: ViewParts, inFlight: InFlightRequest[], meta: SnapshotMeta, nowMs: number): StoreSnapshot {
	const requests = parts.ledger.requests();
	return {
		...meta,
		nowMs,
		inFlight: inFlight.length,
		inFlightRequests: inFlight,
		heldRequests: inFlight.filter(request => request.state === 'held').length,
		strategy: effectiveStrategy(parts),
		strategyOverridden: parts.overrides.strategy !== null,
		burstRpmLimit: effectiveBurstLimit(parts),
		defaults: {strategy: parts.settings.strategy, burstRpmLimit: parts.settings.burstRpmLimit},
		pinnedAccount: parts.pinned,
		overrides: parts.overrides,
		requestsPerMinute: requestsPerMinute(requests, nowMs),
		accounts: parts.accounts.map((account, index) => accountView(parts, account, index, nowMs)),
		requests,
		events: parts.events.newestFirst(),
		savings: parts.ledger.savings(nowMs),
		...(parts.history ? {history: parts.history} : {}),
	};
}
