// How fast an account is using up a quota window, from its utilization samples: the rise over
// the recent past, and when the window would be spent at that pace against when it resets. Pure.
import type {BurnRate} from '../monitor/contract.js';

/** One utilization reading of one window. */
export type UtilizationPoint = {
	tsMs: number;
	/** Fraction used; may pass 1. */
	utilization: number;
	/** When that window resets (epoch ms), when known. */
	resetMs: number | null;
};

export type Burn = BurnRate & {
	/** The utilization now (0 once the window has reset); null when nothing is known. */
	utilization: number | null;
};

const hourMs = 3_600_000;
/** Readings of one window: its reset may be reported a little differently from one answer to the next. */
const sameWindowMs = 15 * 60_000;
/** A pace measured over less than this is noise. */
const minElapsedMs = 2 * 60_000;

const unknown: Burn = {perHour: null, spentInMs: null, resetsInMs: null, utilization: null};

function sameWindow(a: UtilizationPoint, b: UtilizationPoint): boolean {
	return a.resetMs === null || b.resetMs === null || Math.abs(a.resetMs - b.resetMs) <= sameWindowMs;
}

/**
 * The burn rate at nowMs over the last lookbackMs, from points oldest first. Readings are taken
 * only when a value changes, so a reading stands until the next one. Only the readings of the
 * window in force now count: a different reset or a fall in utilization starts a new window.
 */
export function burnRate(points: readonly UtilizationPoint[], nowMs: number, lookbackMs: number): Burn {
	let end = points.length - 1;
	while (end >= 0 && points[end]!.tsMs > nowMs) {
		end--;
	}

	if (end < 0) {
		return unknown;
	}

	const latest = points[end]!;
	if (latest.resetMs !== null && latest.resetMs <= nowMs) {
		// That window is over; nothing is known yet about the one that follows.
		return {...unknown, utilization: 0};
	}

	const resetsInMs = latest.resetMs === null ? null : latest.resetMs - nowMs;
	// Back through the readings of this window, while each is no higher than the one after it.
	let start = end;
	while (start > 0) {
		const before = points[start - 1]!;
		if (!sameWindow(before, latest) || before.utilization > points[start]!.utilization) {
			break;
		}

		start--;
		if (before.tsMs <= nowMs - lookbackMs) {
			break;
		}
	}

	const first = points[start]!;
	const fromMs = Math.max(first.tsMs, nowMs - lookbackMs);
	const elapsedMs = nowMs - fromMs;
	const perHour = elapsedMs >= minElapsedMs ? (Math.max(0, latest.utilization - first.utilization) / elapsedMs) * hourMs : null;
	return {perHour, spentInMs: spentIn(latest.utilization, perHour), resetsInMs, utilization: latest.utilization};
}

function spentIn(utilization: number, perHour: number | null): number | null {
	if (utilization >= 1) {
		return 0;
	}

	return perHour !== null && perHour > 0 ? ((1 - utilization) / perHour) * hourMs : null;
}

/**
 * The pool's burn rate: the accounts' paces added up (in account-windows per hour) against their
 * combined headroom, and the soonest reset. Accounts with nothing known are left out.
 */
export function poolBurn(burns: readonly Burn[]): BurnRate {
	const known = burns.filter(burn => burn.utilization !== null);
	if (known.length === 0) {
		return {perHour: null, spentInMs: null, resetsInMs: null};
	}

	const headroom = known.reduce((sum, burn) => sum + Math.max(0, 1 - burn.utilization!), 0);
	const paced = known.filter(burn => burn.perHour !== null);
	const perHour = paced.length > 0 ? paced.reduce((sum, burn) => sum + burn.perHour!, 0) : null;
	const resets = known.map(burn => burn.resetsInMs).filter((value): value is number => value !== null);
	let spentInMs: number | null = null;
	if (headroom === 0) {
		spentInMs = 0;
	} else if (perHour !== null && perHour > 0) {
		spentInMs = (headroom / perHour) * hourMs;
	}

	return {perHour, spentInMs, resetsInMs: resets.length > 0 ? Math.min(...resets) : null};
}
