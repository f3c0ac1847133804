// The four ways of choosing among eligible accounts. Pure functions of a routing snapshot: the
// clock is snapshot.nowMs, never Date.now(), so any decision can be replayed in a test.
import type {StrategyName} from './strategy-names.js';
import type {RouteDecision, RouteRequest, RoutingAccount, RoutingSnapshot} from './types.js';

export {isStrategyName, nextStrategy, strategyDescriptions, strategyNames, type StrategyName} from './strategy-names.js';

const fiveHourSeconds = 5 * 60 * 60;
const sevenDaySeconds = 7 * 24 * 60 * 60;
// After a cooldown an account is eased back in over this long instead of taking full traffic at once.
export const rampMs = 5 * 60 * 1000;
// Pacing starts to shed load from a subscription account at this share of its burst limit.
const pacingStart = 0.7;

/** Maximus's score in [0, 1]: window health × post-cooldown ramp × burst pacing. */
export function score(account: RoutingAccount, snapshot: RoutingSnapshot): number {
	const {nowMs} = snapshot;
	const health = account.kind === 'apikey'
		? keyHealth(account)
		: windowHealth(account.util5h, account.reset5h, fiveHourSeconds, nowMs)
			* windowHealth(account.util7d, account.reset7d, sevenDaySeconds, nowMs);
	const value = health * rampFactor(account, nowMs) * pacingFactor(account, snapshot);
	return Number.isFinite(value) ? clamp01(value) : 0;
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
	const candidates = [...eligible].sort((a, b) => a.index - b.index);
	switch (snapshot.strategy) {
		case 'reaper': {
			return decide(best(candidates, (a, b) => compareReaper(a, b, snapshot)), 'reaper');
		}

		case 'cushion': {
			return decide(best(candidates, (a, b) => compareCushion(a, b, snapshot.nowMs)), 'cushion');
		}

		case 'carousel': {
			const turn = Math.trunc(request.carouselCounter);
			const at = candidates.length === 0 ? 0 : ((turn % candidates.length) + candidates.length) % candidates.length;
			return decide(candidates[at], 'carousel');
		}

		default: {
			const scored = candidates.map(account => ({account, score: score(account, snapshot)}));
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

function compareCushion(a: RoutingAccount, b: RoutingAccount, nowMs: number): number {
	const ua = pressures(a, nowMs);
	const ub = pressures(b, nowMs);
	return (Math.max(...ua) - Math.max(...ub))
		|| (Math.min(...ua) - Math.min(...ub))
		|| leastRecentlyUsed(a, b);
}

type Binding = {expiring: boolean; reset: number | undefined; util: number};

// Reaper drains the window that resets soonest: allowance left in it at the reset is lost.
function compareReaper(a: RoutingAccount, b: RoutingAccount, snapshot: RoutingSnapshot): number {
	const ba = binding(a, snapshot);
	const bb = binding(b, snapshot);
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

// The binding window is the fuller one (5h on a tie). API keys have no windows: unknown reset.
function binding(account: RoutingAccount, snapshot: RoutingSnapshot): Binding {
	const {nowMs} = snapshot;
	const [util5, util7] = pressures(account, nowMs);
	if (account.kind === 'apikey') {
		return {expiring: false, reset: undefined, util: util5};
	}

	const useFiveHour = util5 >= util7;
	const reset = useFiveHour ? account.reset5h : account.reset7d;
	const left = secondsLeft(reset, nowMs);
	return {
		expiring: left !== undefined && left <= snapshot.expirySoonSeconds,
		reset: left === undefined ? undefined : reset,
		util: useFiveHour ? util5 : util7,
	};
}

/**
 * How used up an account is, as [5h, 7d] fractions: utilization counts only while its window's
 * reset is ahead. For an API key both are 1 − its bucket headroom.
 */
function pressures(account: RoutingAccount, nowMs: number): [number, number] {
	if (account.kind === 'apikey') {
		const used = 1 - keyHealth(account);
		return [used, used];
	}

	return [
		secondsLeft(account.reset5h, nowMs) === undefined ? 0 : usable(account.util5h),
		secondsLeft(account.reset7d, nowMs) === undefined ? 0 : usable(account.util7d),
	];
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
export function strategyScore(account: RoutingAccount, snapshot: RoutingSnapshot): number | null {
	switch (snapshot.strategy) {
		case 'maximus': {
			return score(account, snapshot);
		}

		case 'cushion': {
			return clamp01(1 - Math.max(...pressures(account, snapshot.nowMs)));
		}

		default: {
			return null;
		}
	}
}
