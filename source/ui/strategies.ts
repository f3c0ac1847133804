// The routing strategies as the monitor presents them. A private copy on purpose: the UI must not
// import source/routing, so the names and one-line descriptions live here too.
import type {StrategyName} from '../types.js';

export type StrategyInfo = {
	name: StrategyName;
	description: string;
};

/** In the order `s` walks through them. */
export const strategies: readonly StrategyInfo[] = [
	{name: 'maximus', description: 'Most 5h/7d headroom, weighted by time to reset (the default).'},
	{name: 'reaper', description: 'Use it or lose it: drains the window that resets soonest first.'},
	{name: 'cushion', description: 'Softest landing: the account with the lowest utilization.'},
	{name: 'carousel', description: 'Round robin over the available accounts, ignoring quota.'},
];

/** The strategy after `current` in the cycle (maximus → reaper → cushion → carousel → maximus). */
export function nextStrategy(current: StrategyName): StrategyName {
	const index = strategies.findIndex(strategy => strategy.name === current);
	return strategies[(index + 1) % strategies.length]!.name;
}
