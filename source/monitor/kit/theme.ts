// Colours and symbols in one place so every pane speaks the same visual language.
// Named ANSI colours only: they follow the user's terminal palette (light or dark).
import type {AccountState} from '../contract.js';
import type {StoreEventKind} from '../../state/records.js';

export const colors = {
	brand: 'greenBright',
	good: 'green',
	warn: 'yellow',
	bad: 'red',
	accent: 'cyan',
	muted: 'gray',
} as const;

export type StateStyle = {symbol: string; color: string};

/**
 * Every symbol is one column wide in common terminals (no emoji, whose width varies), and says
 * what it means without its colour (NO_COLOR draws none). The help's legend is built from these.
 */
export const stateStyles: Readonly<Record<AccountState, StateStyle & {meaning: string}>> = {
	available: {symbol: '✓', color: colors.good, meaning: 'available: routing may send it requests'},
	throttled: {symbol: '≈', color: colors.warn, meaning: 'throttled: at its per-minute burst limit until a slot frees'},
	cooling: {symbol: '↻', color: colors.warn, meaning: 'cooling: rests after a 429, 529 or 401, with a countdown'},
	exhausted: {symbol: '∅', color: colors.bad, meaning: 'exhausted: a 5h or 7d window is spent; back when it resets'},
	unhealthy: {symbol: '!', color: colors.warn, meaning: 'unhealthy: failing health checks (5xx, no connection)'},
	reauth: {symbol: '✗', color: colors.bad, meaning: 'needs a new login: run the command shown'},
	paused: {symbol: '‖', color: colors.muted, meaning: 'paused by you (p resumes)'},
};

export const eventStyles: Readonly<Record<StoreEventKind, {symbol: string; color: string; meaning: string}>> = {
	'rate-limited': {symbol: '▲', color: colors.warn, meaning: 'a limit was hit (429)'},
	cooldown: {symbol: '↻', color: colors.warn, meaning: 'a cooldown started, with its deadline'},
	recovered: {symbol: '✓', color: colors.good, meaning: 'an account is back'},
	overloaded: {symbol: '~', color: colors.warn, meaning: 'the upstream is overloaded (529): not a quota limit'},
	auth: {symbol: '✗', color: colors.bad, meaning: 'a login was refused, renewed or needs you'},
	forbidden: {symbol: '✗', color: colors.bad, meaning: 'an account was refused (403)'},
	health: {symbol: '!', color: colors.warn, meaning: 'health checks failed or passed again'},
	moved: {symbol: '→', color: colors.accent, meaning: 'a conversation moved off a hot account, and its cache cost'},
	window: {symbol: '◔', color: colors.warn, meaning: 'a window crossed 90 % used'},
	info: {symbol: '·', color: colors.muted, meaning: 'something you may want to know'},
};

/** Words on an account's row besides its state, and what each one means. */
export const tagMeanings: ReadonlyArray<[tag: string, meaning: string]> = [
	['pinned', 'every request goes here while it can serve (0 unpins)'],
	['active', 'served the most recent request'],
	['easing', 'back from a cooldown: traffic eases back in over 5 minutes'],
	['no <model>', 'refuses that model for now; other models still go there'],
	['spent', 'a window used up: the gauge counts down to its return'],
];

/** Log columns and marks that need a word. */
export const logMeanings: ReadonlyArray<[mark: string, meaning: string]> = [
	['429 a → b', 'failover: a refused, b answered; the client saw no 429'],
	['⏸ 6s', 'held: all were out; it waited for the first to come back'],
	['shunt', 'shunt answered itself: nobody could serve (reason follows)'],
	['windowless 429', 'a 429 without rate-limit headers: refused for this request'],
	['…', 'in flight: choosing an account or awaiting its first byte'],
	['▸ stream', 'answering: elapsed, time to first token, ~output so far'],
	['model*', 'an override or fallback changed the model asked for'],
];

/**
 * The history chart's series, one per account in config order: a fill symbol and a colour each, so
 * the stacked bars still say whose tokens they are without colour (NO_COLOR). Past ten accounts the
 * list starts over; the rows under the chart name every account with its symbol.
 */
export const seriesStyles: readonly StateStyle[] = [
	{symbol: '█', color: 'cyan'},
	{symbol: '▓', color: 'magenta'},
	{symbol: '▒', color: 'yellow'},
	{symbol: '░', color: 'white'},
	{symbol: '#', color: 'green'},
	{symbol: '%', color: 'blue'},
	{symbol: '=', color: 'cyanBright'},
	{symbol: '+', color: 'magentaBright'},
	{symbol: '*', color: 'yellowBright'},
	{symbol: 'o', color: 'blueBright'},
];

/** Tokens of accounts the history knows but the config no longer lists. */
export const otherSeriesStyle: StateStyle = {symbol: ':', color: colors.muted};

/** The sparklines' levels, lowest first: ▁ is under an eighth of the 5h window used, █ all of it. */
export const sparkLevels = '▁▂▃▄▅▆▇█';

/** A sparkline's mark where no 5h reading was known yet. */
export const sparkUnknown = '·';

/** What the history pane draws, for the help's legend. */
export const historyMeanings: ReadonlyArray<[mark: string, meaning: string]> = [
	[seriesStyles.slice(0, 4).map(style => style.symbol).join(' '), 'a bar: tokens that weighed on limits, stacked by account'],
	[otherSeriesStyle.symbol, 'tokens of accounts no longer configured'],
	[`${sparkLevels[0]}…${sparkLevels.at(-1)}`, 'sparkline: the 5h window used at the end of each bar'],
	[sparkUnknown, 'no 5h reading known yet for that bar'],
	['spent in', 'the 5h window runs out in that long at the recent pace'],
];

/** Gauge colour by fraction used: the closer to the limit, the louder. */
export function usageColor(fraction: number, rejected: boolean): string {
	if (rejected || fraction >= 0.8) {
		return colors.bad;
	}

	return fraction >= 0.5 ? colors.warn : colors.good;
}

/** 2xx green, 429 yellow, anything else (5xx, 4xx, connection failures) red. */
export function statusColor(status: number): string {
	if (status >= 200 && status < 300) {
		return colors.good;
	}

	return status === 429 ? colors.warn : colors.bad;
}
