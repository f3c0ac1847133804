// The unified windows that limit one request on one account: the 5-hour and weekly windows every
// request counts against, plus a model-scoped window (a weekly Opus or Sonnet cap) when the
// request's model belongs to its family. Routing reads every limit through here, so a spent weekly
// Opus window keeps Opus requests away before the upstream has to refuse one.
import {modelFamily, type ModelFamily} from '../anthropic/models.js';
import {statusSpent} from '../anthropic/telemetry.js';
import type {RoutingAccount} from './types.js';

export const fiveHourSeconds = 5 * 60 * 60;
export const sevenDaySeconds = 7 * 24 * 60 * 60;

export type WindowReading = {
	/** "5h", "7d", or the scoped window's header infix ("7d_opus"). */
	name: string;
	lengthSeconds: number;
	util: number | undefined;
	/** Epoch seconds. */
	reset: number | undefined;
	status: string | undefined;
};

/** The family a request's model counts against, for scoped windows; undefined when unknown. */
export function requestFamily(model: string | undefined): ModelFamily | undefined {
	return model === undefined ? undefined : modelFamily(model);
}

/**
 * Every window that limits a request of `family` on this account. Without a family (a request
 * whose model is unknown) only the account-wide windows count.
 */
export function windowsFor(account: RoutingAccount, family: ModelFamily | undefined): WindowReading[] {
	const windows: WindowReading[] = [
		{name: '5h', lengthSeconds: fiveHourSeconds, util: account.util5h, reset: account.reset5h, status: account.status5h},
		{name: '7d', lengthSeconds: sevenDaySeconds, util: account.util7d, reset: account.reset7d, status: account.status7d},
	];
	if (family !== undefined && account.scoped) {
		for (const window of account.scoped) {
			if (window.family === family) {
				windows.push({name: window.name, lengthSeconds: window.lengthSeconds, util: window.util, reset: window.reset, status: window.status});
			}
		}
	}

	return windows;
}

/** The spent window that lasts longest (the account is out until its reset), or undefined. */
export function spentWindow(account: RoutingAccount, family: ModelFamily | undefined, nowMs: number): WindowReading | undefined {
	let latest: WindowReading | undefined;
	for (const window of windowsFor(account, family)) {
		if (statusSpent(window.status, window.reset, nowMs / 1000) && (latest === undefined || window.reset! > latest.reset!)) {
			latest = window;
		}
	}

	return latest;
}

/** Whether a window is model-scoped (it limits one family, not the whole account). */
export function isScoped(window: WindowReading): boolean {
	return window.name !== '5h' && window.name !== '7d';
}

/** "weekly opus" for 7d_opus, "5h" for 5h: how the screen names a window. */
export function windowLabel(name: string): string {
	if (name === '5h' || name === '7d') {
		return name;
	}

	const scoped = /^(\d+)([hd])_(.+)$/.exec(name);
	if (!scoped) {
		return name;
	}

	const [, count, unit, scope] = scoped;
	const span = unit === 'd' && count === '7' ? 'weekly' : `${count}${unit}`;
	return `${span} ${scope === 'oi' ? 'fable' : scope}`;
}
