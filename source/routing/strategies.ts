// The four ways of choosing among eligible accounts. Pure functions of a routing snapshot: the
// clock is snapshot.nowMs, never Date.now(), so any decision can be replayed in a test.
import type {ModelFamily} from '../anthropic/models.js';
import type {StrategyName} from './strategy-names.js';
import {requestFamily, windowsFor} from './windows.js';
import type {
	RouteDecision, RouteRequest, RoutingAccount, RoutingSnapshot,
} from './types.js';

export {
	isStrategyName, nextStrategy, strategyDescriptions, strategyNames, type StrategyName,
} from './strategy-names.js';

// After a cooldown an account is eased back in over this long instead of taking full traffic at once.
export const rampMs = 5 * 60 * 1000;
// Pacing starts to shed load from a subscription account at this share of its burst limit.
const pacingStart = 0.7;
// Each request already in flight on an account counts as this much lost score (score ÷ (1 + n·k)):
// a fan-out of parallel conversations spreads over accounts that are about as good, instead of
// all landing on the best one and meeting its burst pacing together.
const inFlightWeight = 0.15;

/**
 * Maximus's score in [0, 1]: the health of every window that limits this request (5h, 7d, and the
 * model's scoped weekly window) × an API key's bucket headroom × post-cooldown ramp × burst
 * pacing × requests already in flight.
 */
export function score(account: RoutingAccount, snapshot: RoutingSnapshot, model?: string): number {
	const value = windowsHealth(account, snapshot.nowMs, requestFamily(model))
		* rampFactor(account, snapshot.nowMs)
		* pacingFactor(account, snapshot)
		/ (1 + (inFlightWeight * (account.inFlight ?? 0)));
	return Number.isFinite(value) ? clamp01(value) : 0;
}

// Windows multiply: a healthy 5h window does not make up for a weekly window nearly gone. API keys
// report unified windows too when the upstream sends them, and their buckets count on top.
function windowsHealth(account: RoutingAccount, nowMs: number, family: ModelFamily | undefined): number {
	let health = account.kind === 'apikey' ? keyHealth(account) : 1;
	for (const window of windowsFor(account, family)) {
		health *= windowHealth(window.util, window.reset, window.lengthSeconds, nowMs);
	}

	return health;
}

// Usage of a window matters in proportion to how much of the window is still to run: 90 % used
// with ten minutes left is nearly free capacity, 60 % used with three hours left is not.
function windowHealth(util: number | undefined, reset: number | undefined, lengthSeconds: number, nowMs: number): number {
	const left = secondsLeft(reset, nowMs);
	if (left === undefined) {
		return 1;
	}

	const timeFraction = clamp01(left / lengthSeconds);
	return clamp01(1 - (timeFraction * usable(util)));
}

// API keys have no unified windows; their bucket headroom (remaining/limit) plays the same part.
function keyHealth(account: RoutingAccount): number {
	const headroom = account.keyHeadroom;
	return headroom !== undefined && Number.isFinite(headroom) ? clamp01(headroom) : 1;
}

// Only the most recent cooldown counts, and only for five minutes after it ended.
export function rampFactor(account: RoutingAccount, nowMs: number): number {
	const since = nowMs - account.lastCooldownEndMs;
	if (account.lastCooldownEndMs <= 0 || since >= rampMs) {
		return 1;
	}

	return clamp01(since / rampMs);
}

// The burst limit is a subscription-account safeguard; API keys are paced by their own buckets.
function pacingFactor(account: RoutingAccount, snapshot: RoutingSnapshot): number {
	const limit = snapshot.burstRpmLimit;
	if (account.kind !== 'oauth' || !(limit > 0)) {
		return 1;
	}

	const threshold = Math.floor(pacingStart * limit);
	const count = account.burstCount;
	if (count >= limit) {
		return 0;
	}

	if (count >= threshold) {
		return (limit - count) / (limit - threshold);
	}

	return 1;
}

/**
 * Applies the snapshot's strategy to accounts that already passed eligibility.
 * Ties are settled deterministically:
 * - maximus and cushion: the least recently used account (smaller lastUsedMs), then the lower index,
 *   so equally good accounts share the load instead of one always winning;
 * - reaper: the lower index (config order);
 * - carousel has no ties: it takes candidates in config order.
 */
export function applyStrategy(eligible: readonly RoutingAccount[], snapshot: RoutingSnapshot, request: RouteRequest): RouteDecision | undefined {
	const candidates = [...eligible].toSorted((a, b) => a.index - b.index);
	const family = requestFamily(request.model);
	switch (snapshot.strategy) {
		case 'reaper': {
			return decide(best(candidates, (a, b) => compareReaper(a, b, snapshot, family)), 'reaper');
		}

		case 'cushion': {
			return decide(best(candidates, (a, b) => compareCushion(a, b, snapshot.nowMs, family)), 'cushion');
		}

		case 'carousel': {
			const turn = Math.trunc(request.carouselCounter);
			const at = candidates.length === 0 ? 0 : ((turn % candidates.length) + candidates.length) % candidates.length;
			return decide(candidates[at], 'carousel');
		}

		default: {
			const scored = candidates.map(account => ({account, score: score(account, snapshot, request.model)}));
			const winner = best(scored, (a, b) => (b.score - a.score) || leastRecentlyUsed(a.account, b.account));
			return winner ? {account: winner.account.name, reason: 'maximus', score: winner.score} : undefined;
		}
	}
}

function decide(account: RoutingAccount | undefined, reason: StrategyName): RouteDecision | undefined {
	return account ? {account: account.name, reason} : undefined;
}

/** The element that sorts first under compare; the earlier one on a 0. */
function best<T>(items: readonly T[], compare: (a: T, b: T) => number): T | undefined {
	let winner: T | undefined;
	for (const item of items) {
		if (winner === undefined || compare(item, winner) < 0) {
			winner = item;
		}
	}

	return winner;
}

function leastRecentlyUsed(a: RoutingAccount, b: RoutingAccount): number {
	return (a.lastUsedMs - b.lastUsedMs) || (a.index - b.index);
}

// Fewer requests in flight first, then the least recently used: parallel work spreads on ties.
function leastBusy(a: RoutingAccount, b: RoutingAccount): number {
	return ((a.inFlight ?? 0) - (b.inFlight ?? 0)) || leastRecentlyUsed(a, b);
}

function compareCushion(a: RoutingAccount, b: RoutingAccount, nowMs: number, family: ModelFamily | undefined): number {
	const ua = pressures(a, nowMs, family);
	const ub = pressures(b, nowMs, family);
	return (ua.max - ub.max)
		|| (ua.min - ub.min)
		|| leastBusy(a, b);
}

type Binding = {expiring: boolean; reset: number | undefined; util: number};

// Reaper drains the window that resets soonest: allowance left in it at the reset is lost.
function compareReaper(a: RoutingAccount, b: RoutingAccount, snapshot: RoutingSnapshot, family: ModelFamily | undefined): number {
	const ba = binding(a, snapshot, family);
	const bb = binding(b, snapshot, family);
	if (ba.expiring !== bb.expiring) {
		return ba.expiring ? -1 : 1;
	}

	if ((ba.reset === undefined) !== (bb.reset === undefined)) {
		return ba.reset === undefined ? 1 : -1;
	}

	return ((ba.reset ?? 0) - (bb.reset ?? 0))
		|| (ba.util - bb.util)
		|| (a.index - b.index);
}

// The binding window is the fullest live one (the earlier in 5h, 7d, scoped order on a tie). An
// account without live windows (an API key reporting only buckets) has no reset to race.
function binding(account: RoutingAccount, snapshot: RoutingSnapshot, family: ModelFamily | undefined): Binding {
	const {nowMs} = snapshot;
	let chosen: {util: number; reset: number} | undefined;
	for (const window of windowsFor(account, family)) {
		const left = secondsLeft(window.reset, nowMs);
		if (left !== undefined && (chosen === undefined || usable(window.util) > chosen.util)) {
			chosen = {util: usable(window.util), reset: window.reset!};
		}
	}

	if (!chosen) {
		return {expiring: false, reset: undefined, util: pressures(account, nowMs, family).max};
	}

	const left = secondsLeft(chosen.reset, nowMs)!;
	return {expiring: left <= snapshot.expirySoonSeconds, reset: chosen.reset, util: chosen.util};
}

/**
 * How used up an account is for this request: the fullest and the emptiest of its live windows
 * (utilization counts only while a window's reset is ahead), with an API key's buckets
 * (1 − headroom) counting as one more window.
 */
function pressures(account: RoutingAccount, nowMs: number, family: ModelFamily | undefined): {max: number; min: number} {
	let max = 0;
	let min = Number.POSITIVE_INFINITY;
	const take = (used: number) => {
		max = Math.max(max, used);
		min = Math.min(min, used);
	};

	for (const window of windowsFor(account, family)) {
		take(secondsLeft(window.reset, nowMs) === undefined ? 0 : usable(window.util));
	}

	if (account.kind === 'apikey' && account.keyHeadroom !== undefined) {
		take(1 - keyHealth(account));
	}

	return {max, min: Number.isFinite(min) ? min : 0};
}

/** Seconds until an epoch-seconds reset, or undefined when it is unknown or already past. */
function secondsLeft(reset: number | undefined, nowMs: number): number | undefined {
	if (reset === undefined || !Number.isFinite(reset)) {
		return undefined;
	}

	const left = reset - (nowMs / 1000);
	return left > 0 ? left : undefined;
}

function usable(util: number | undefined): number {
	return util !== undefined && Number.isFinite(util) && util > 0 ? util : 0;
}

function clamp01(value: number): number {
	return Math.min(1, Math.max(0, value));
}

/**
 * A number that says how the strategy sees an account, higher is better, for the detail view:
 * maximus's score, cushion's headroom (1 − the fuller window), and none for reaper and carousel,
 * which order accounts rather than score them.
 */
export function strategyScore(account: RoutingAccount, snapshot: RoutingSnapshot, model?: string): number | null {
	switch (snapshot.strategy) {
		case 'maximus': {
			return score(account, snapshot, model);
		}

		case 'cushion': {
			return clamp01(1 - pressures(account, snapshot.nowMs, requestFamily(model)).max);
		}

		default: {
			return null;
		}
	}
}
