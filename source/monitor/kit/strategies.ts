// The routing strategies as the monitor lists them. Names, order and descriptions are routing's
// own data (pure, no I/O), so the help overlay can never drift from what the proxy does.
import {strategyDescriptions, strategyNames, type StrategyName} from '../../routing/strategies.js';

export type StrategyInfo = {
	name: StrategyName;
	description: string;
};

/** In the order `s` walks through them. */
export const strategies: readonly StrategyInfo[] = strategyNames.map(name => ({name, description: strategyDescriptions[name]}));

export {nextStrategy} from '../../routing/strategies.js';
