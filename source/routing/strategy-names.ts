// The routing strategies by name: the list every other list (config schema, CLI, control API,
// the monitor's `s` key and help) is derived from.

/** In the order the monitor's `s` key cycles through them. */
export const strategyNames = ['maximus', 'reaper', 'cushion', 'carousel'] as const;

export type StrategyName = (typeof strategyNames)[number];

export function isStrategyName(value: unknown): value is StrategyName {
	return strategyNames.includes(value as StrategyName);
}

/** One line each (they must fit the help overlay at 80 columns). */
export const strategyDescriptions: Record<StrategyName, string> = {
	maximus: 'Most 5h+7d headroom; a window resetting soon counts as freer.',
	reaper: 'Drains the window that resets soonest first: use it or lose it.',
	cushion: 'The least used account, so every account stays far from limits.',
	carousel: 'Takes turns over the available accounts, ignoring usage.',
};

export function nextStrategy(s: StrategyName): StrategyName {
	const at = strategyNames.indexOf(s);
	return strategyNames[(at + 1) % strategyNames.length] ?? 'maximus';
}
