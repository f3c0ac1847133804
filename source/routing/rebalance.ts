// When a conversation leaves the account it is stuck to. Staying keeps its prompt cache warm;
// moving makes the next account write the whole cached prefix again (at 1.25× the input price
// for the 5-minute cache, where staying would have read it at 0.1×). Staying on an account that
// is nearly out risks the window instead. The rule, weighed with what shunt knows:
//
// 1. the account is hot for this request: a window that limits it (5h, 7d, or the model's scoped
//    weekly window) is at least `hotAt` used;
// 2. that window does not reset soon (riding out the last `rideOutMs` costs nothing);
// 3. the strategy's choice among the other eligible accounts is clearly better: its fullest
//    window is at least `minGain` emptier;
// 4. the move pays for itself: the session is expected to send, before the hot window resets,
//    more than `paybackFactor` times the one-off rebuild (cached tokens × (write − read) ÷ input
//    price), judged from its own pace and request size. A session that has just started is
//    expected to go on.
//
// Pure, like the rest of routing: the snapshot and the session's numbers in, a decision out.
import {priceFor} from '../pricing/cost.js';
import {applyStrategy} from './strategies.js';
import type {RouteDecision, RouteRequest, RoutingAccount, RoutingSnapshot, StickyView} from './types.js';
import {requestFamily, windowsFor} from './windows.js';

export const hotAt = 0.85;
export const minGain = 0.3;
export const rideOutMs = 15 * 60_000;
export const paybackFactor = 4;

type Fullest = {name: string; util: number; resetMs: number};

/** The fullest live window limiting this request on an account, or undefined when none is known. */
export function fullestWindow(account: RoutingAccount, model: string | undefined, nowMs: number): Fullest | undefined {
	let fullest: Fullest | undefined;
	for (const window of windowsFor(account, requestFamily(model))) {
		const util = window.util ?? 0;
		if (window.reset !== undefined && window.reset * 1000 > nowMs && Number.isFinite(util) && (fullest === undefined || util > fullest.util)) {
			fullest = {name: window.name, util, resetMs: window.reset * 1000};
		}
	}

	return fullest;
}

/** Fraction of input price the new account pays extra per cached token: 5-minute write minus read. */
function rebuildFactor(model: string | undefined): number {
	const {price} = priceFor(model ?? '');
	return price.input > 0 ? (price.cacheWrite5m - price.cacheRead) / price.input : 1.15;
}

/** Whether the session will send enough before the window resets for one cache rebuild to pay off. */
export function worthMoving(sticky: StickyView, model: string | undefined, untilResetMs: number): boolean {
	if (sticky.requests < 2 || sticky.cachedTokens <= 0) {
		// Too little seen to judge its pace (a new conversation has little cached to lose anyway).
		return true;
	}

	const spanMs = Math.max(60_000, sticky.lastMs - sticky.firstMs);
	const requestsPerMs = (sticky.requests - 1) / spanMs;
	const tokensPerRequest = sticky.inputTokens / sticky.requests;
	const expectedTokens = requestsPerMs * untilResetMs * tokensPerRequest;
	return expectedTokens > paybackFactor * sticky.cachedTokens * rebuildFactor(model);
}

/**
 * The decision to move a conversation off its sticky account, or undefined to keep it there.
 * `sticky` must be eligible for the request (the caller checked).
 */
export function rebalance(sticky: RoutingAccount, snapshot: RoutingSnapshot, request: RouteRequest, eligible: readonly RoutingAccount[]): RouteDecision | undefined {
	const view = request.sticky;
	if (!view) {
		return undefined;
	}

	const {nowMs} = snapshot;
	const hot = fullestWindow(sticky, request.model, nowMs);
	if (!hot || hot.util < hotAt || hot.resetMs - nowMs < rideOutMs) {
		return undefined;
	}

	const others = eligible.filter(account => account.name !== sticky.name);
	const choice = applyStrategy(others, snapshot, request);
	const target = choice && others.find(account => account.name === choice.account);
	if (!choice || !target) {
		return undefined;
	}

	const targetUtil = fullestWindow(target, request.model, nowMs)?.util ?? keyUsed(target);
	if (targetUtil > hot.util - minGain || !worthMoving(view, request.model, hot.resetMs - nowMs)) {
		return undefined;
	}

	return {...choice, moved: {from: sticky.name, window: hot.name, utilization: hot.util, cacheWriteTokens: view.cachedTokens}};
}

// An API key reporting only buckets: how used its tightest bucket is (0 when nothing is known).
function keyUsed(account: RoutingAccount): number {
	return account.kind === 'apikey' && account.keyHeadroom !== undefined ? 1 - account.keyHeadroom : 0;
}
