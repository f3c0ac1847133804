// A burn rate in words: "at this pace the 5h window is spent in 42m; it resets in 1h10m", for an
// account or the pool, in a long form and a short one for narrow screens. The rate was measured
// when the history was read; the countdowns go on from there, so they tick like the gauges'. Pure.
import type {AccountBurn, BurnRate} from '../../contract.js';
import {formatCountdown, formatEstimate} from '../../kit/format.js';
import type {Segment} from '../../kit/segments.js';
import {colors} from '../../kit/theme.js';

export type BurnForm = 'long' | 'short';

/** The rate as it stands `elapsedMs` after it was measured. */
function aged(rate: BurnRate, elapsedMs: number): BurnRate {
	const later = (ms: number | null) => (ms === null ? null : ms - Math.max(0, elapsedMs));
	return {perHour: rate.perHour, spentInMs: rate.spentInMs === null || rate.spentInMs === 0 ? rate.spentInMs : Math.max(1, later(rate.spentInMs)!), resetsInMs: later(rate.resetsInMs)};
}

const countdown = (ms: number) => formatCountdown(ms, 0) ?? 'a moment';

/**
 * The 5h window's pace. A pace that spends the window before it resets is trouble: yellow for an
 * account (the pool moves on to others), red for the pool (every account would be out).
 */
export function burnWords(burn: AccountBurn, elapsedMs: number, form: BurnForm, pool: boolean): Segment[] {
	const rate = aged(burn, elapsedMs);
	const long = form === 'long';
	const subject = pool ? 'the pool\'s 5h headroom' : 'the 5h window';
	const reset = rate.resetsInMs;
	const resetText = (first: boolean) => {
		if (reset === null) {
			return '';
		}

		if (long) {
			return pool ? `; the next reset is ${first ? 'sooner, ' : ''}in ${countdown(reset)}` : `; it resets ${first ? 'first, ' : ''}in ${countdown(reset)}`;
		}

		return ` · resets ${first ? 'first, ' : ''}in ${countdown(reset)}`;
	};

	const words: Segment[] = [];
	if (reset !== null && reset <= 0) {
		words.push({text: long ? `${pool ? 'a' : 'the'} 5h window has just reset` : 'just reset', color: colors.muted});
	} else if (rate.spentInMs === 0) {
		const spent = pool ? 'every 5h window is spent' : 'the 5h window is spent';
		words.push({text: long ? spent : 'spent', bold: true, color: colors.bad}, {text: resetText(false), color: colors.muted});
	} else if (rate.spentInMs !== null) {
		const lasts = reset !== null && rate.spentInMs >= reset;
		const color = lasts ? colors.muted : (pool ? colors.bad : colors.warn);
		words.push(
			{text: long ? `at this pace ${subject} is spent in ` : 'spent in ', color},
			{text: formatEstimate(rate.spentInMs), bold: !lasts, color},
			{text: resetText(lasts), color: colors.muted},
		);
	} else if (rate.perHour === 0) {
		words.push({text: long ? 'nothing used lately' : 'idle', color: colors.muted}, {text: resetText(false), color: colors.muted});
	} else {
		words.push({text: long ? `no pace for ${pool ? 'the pool' : 'the 5h window'} yet` : 'no pace yet', color: colors.muted}, {text: resetText(false), color: colors.muted});
	}

	return [...words, ...sevenDayWarning(aged(burn.sevenDay, elapsedMs), form)];
}

/** The 7d window only when it is in trouble: spent, or spent before it resets at this pace. */
function sevenDayWarning(rate: BurnRate, form: BurnForm): Segment[] {
	const lead = form === 'long' ? '; ' : ' · ';
	if (rate.spentInMs === 0) {
		return [{text: `${lead}7d window spent`, bold: true, color: colors.bad}];
	}

	if (rate.spentInMs !== null && (rate.resetsInMs === null || rate.spentInMs < rate.resetsInMs)) {
		return [{text: `${lead}7d ${form === 'long' ? 'window spent' : 'spent'} in ${formatEstimate(rate.spentInMs)}`, color: colors.warn}];
	}

	return [];
}
