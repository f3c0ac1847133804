// Colours and symbols in one place so every pane speaks the same visual language.
// Named ANSI colours only: they follow the user's terminal palette (light or dark).
import type {AccountState} from '../monitor/contract.js';
import type {StoreEventKind} from '../state/records.js';

export const colors = {
	brand: 'greenBright',
	good: 'green',
	warn: 'yellow',
	bad: 'red',
	accent: 'cyan',
	muted: 'gray',
} as const;

export type StateStyle = {symbol: string; color: string};

/** Every symbol is one column wide in common terminals (no emoji, whose width varies). */
export const stateStyles: Readonly<Record<AccountState, StateStyle>> = {
	available: {symbol: '✓', color: colors.good},
	cooling: {symbol: '↻', color: colors.warn},
	exhausted: {symbol: '∅', color: colors.bad},
	unhealthy: {symbol: '!', color: colors.warn},
	reauth: {symbol: '✗', color: colors.bad},
	paused: {symbol: '‖', color: colors.muted},
};

export const eventStyles: Readonly<Record<StoreEventKind, {symbol: string; color: string}>> = {
	'rate-limited': {symbol: '▲', color: colors.warn},
	cooldown: {symbol: '↻', color: colors.warn},
	recovered: {symbol: '✓', color: colors.good},
	overloaded: {symbol: '~', color: colors.warn},
	auth: {symbol: '✗', color: colors.bad},
	forbidden: {symbol: '✗', color: colors.bad},
	health: {symbol: '!', color: colors.warn},
	info: {symbol: '·', color: colors.muted},
};

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
