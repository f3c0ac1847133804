// The value lists the `o`, `e` and `b` keys step through. Data, so the help overlay, the tests and
// the keys all agree on the order.
import {modelOverrideChoices} from '../anthropic/models.js';
import type {Effort} from '../state/overrides.js';

/** `null` is "off": requests keep the model the client asked for. */
export const modelCycle: ReadonlyArray<string | null> = [null, ...modelOverrideChoices];

/** `null` is "off": requests keep the client's effort. */
export const effortCycle: ReadonlyArray<Effort | null> = [null, 'low', 'medium', 'high', 'max'];

/**
 * Burst limit overrides in requests per minute per subscription account: `null` returns to the
 * configured default, `0` switches the limiter off. Small steps first because bursts are what trip
 * Anthropic's short-term limits.
 */
export const burstCycle: ReadonlyArray<number | null> = [null, 5, 15, 30, 0];

/**
 * The entry after `current`. A value that is not in the list (set through the control API, say)
 * starts the cycle over from its first entry.
 */
export function nextInCycle<T>(cycle: readonly T[], current: T): T {
	const index = cycle.indexOf(current);
	return cycle[(index + 1) % cycle.length]!;
}
