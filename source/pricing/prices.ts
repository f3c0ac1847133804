// The Claude models shunt knows, with their public API list prices (USD per million tokens): the
// one table the prices, the monitor's model override (`o`), the model fallback and the demo's
// simulated API all read. Data, not logic: update it when Anthropic changes its lineup or prices.
// A model id matches the entry with the longest matching prefix.

/** Substrings of a model id: "us.anthropic.claude-opus-…" or "my-sonnet-proxy" still land in one. */
export const modelFamilies = ['opus', 'sonnet', 'haiku', 'fable'] as const;

export type ModelFamily = (typeof modelFamilies)[number];

export type ModelPrice = {
	/** Model id prefix, e.g. "claude-opus-4-8". */
	prefix: string;
	/** Display name for the monitor. */
	label: string;
	family: ModelFamily;
	input: number;
	output: number;
	/** 5-minute cache write (1.25× input). */
	cacheWrite5m: number;
	/** 1-hour cache write (2× input). */
	cacheWrite1h: number;
	cacheRead: number;
	/** The current model of its family, offered by the override key and used by the fallback (Opus, Sonnet, Haiku). */
	current?: true;
	/** Exact ids the API serves for this entry when they differ from the prefix (dated ids). */
	ids?: readonly string[];
	/**
	 * What the model is documented to accept, where that is known: the `output_config.effort`
	 * levels, and which `thinking` it takes (adaptive includes manual budgets). When shunt itself
	 * sends a request to this model (an override or a fallback), fields it is known to refuse are
	 * removed. Unknown (absent): nothing is touched.
	 */
	accepts?: {effort: readonly EffortLevel[]; thinking: 'adaptive' | 'manual' | 'none'};
};

export type EffortLevel = 'low' | 'medium' | 'high' | 'xhigh' | 'max';

// Effort levels by generation (Anthropic's effort documentation, late 2026).
const allEfforts: readonly EffortLevel[] = ['low', 'medium', 'high', 'xhigh', 'max'];
const upToMax: readonly EffortLevel[] = ['low', 'medium', 'high', 'max'];
const basicEfforts: readonly EffortLevel[] = ['low', 'medium', 'high'];
const noEffort: readonly EffortLevel[] = [];

export const modelPrices: readonly ModelPrice[] = [
	{prefix: 'claude-opus-5-5', label: 'Opus 5.5', family: 'opus', input: 4, output: 20, cacheWrite5m: 5, cacheWrite1h: 8, cacheRead: 0.2, current: true},
	{prefix: 'claude-opus-5', label: 'Opus 5', family: 'opus', input: 5, output: 25, cacheWrite5m: 6.25, cacheWrite1h: 10, cacheRead: 0.5, accepts: {effort: allEfforts, thinking: 'adaptive'}},
	{prefix: 'claude-opus-4-8', label: 'Opus 4.8', family: 'opus', input: 5, output: 25, cacheWrite5m: 6.25, cacheWrite1h: 10, cacheRead: 0.5, accepts: {effort: allEfforts, thinking: 'adaptive'}},
	{prefix: 'claude-opus-4-7', label: 'Opus 4.7', family: 'opus', input: 5, output: 25, cacheWrite5m: 6.25, cacheWrite1h: 10, cacheRead: 0.5, accepts: {effort: allEfforts, thinking: 'adaptive'}},
	{prefix: 'claude-opus-4-6', label: 'Opus 4.6', family: 'opus', input: 5, output: 25, cacheWrite5m: 6.25, cacheWrite1h: 10, cacheRead: 0.5, accepts: {effort: upToMax, thinking: 'adaptive'}},
	{prefix: 'claude-opus-4-5', label: 'Opus 4.5', family: 'opus', input: 5, output: 25, cacheWrite5m: 6.25, cacheWrite1h: 10, cacheRead: 0.5, accepts: {effort: basicEfforts, thinking: 'manual'}},
	{prefix: 'claude-opus-4-1', label: 'Opus 4.1', family: 'opus', input: 15, output: 75, cacheWrite5m: 18.75, cacheWrite1h: 30, cacheRead: 1.5, accepts: {effort: noEffort, thinking: 'manual'}},
	{prefix: 'claude-opus-4', label: 'Opus 4', family: 'opus', input: 15, output: 75, cacheWrite5m: 18.75, cacheWrite1h: 30, cacheRead: 1.5, accepts: {effort: noEffort, thinking: 'manual'}},
	{prefix: 'claude-sonnet-5-5', label: 'Sonnet 5.5', family: 'sonnet', input: 2, output: 10, cacheWrite5m: 2.5, cacheWrite1h: 4, cacheRead: 0.1, current: true},
	{prefix: 'claude-sonnet-5', label: 'Sonnet 5', family: 'sonnet', input: 2, output: 10, cacheWrite5m: 2.5, cacheWrite1h: 4, cacheRead: 0.2, accepts: {effort: allEfforts, thinking: 'adaptive'}},
	{prefix: 'claude-sonnet-4-6', label: 'Sonnet 4.6', family: 'sonnet', input: 3, output: 15, cacheWrite5m: 3.75, cacheWrite1h: 6, cacheRead: 0.3, accepts: {effort: upToMax, thinking: 'adaptive'}},
	{prefix: 'claude-sonnet-4-5', label: 'Sonnet 4.5', family: 'sonnet', input: 3, output: 15, cacheWrite5m: 3.75, cacheWrite1h: 6, cacheRead: 0.3, ids: ['claude-sonnet-4-5-20250929'], accepts: {effort: noEffort, thinking: 'manual'}},
	{prefix: 'claude-sonnet-4', label: 'Sonnet 4', family: 'sonnet', input: 3, output: 15, cacheWrite5m: 3.75, cacheWrite1h: 6, cacheRead: 0.3, accepts: {effort: noEffort, thinking: 'manual'}},
	{prefix: 'claude-haiku-5-5', label: 'Haiku 5.5', family: 'haiku', input: 0.1, output: 0.5, cacheWrite5m: 0.125, cacheWrite1h: 0.2, cacheRead: 0.01, current: true},
	{prefix: 'claude-haiku-4-5', label: 'Haiku 4.5', family: 'haiku', input: 1, output: 5, cacheWrite5m: 1.25, cacheWrite1h: 2, cacheRead: 0.1, ids: ['claude-haiku-4-5-20251001'], accepts: {effort: noEffort, thinking: 'manual'}},
	{prefix: 'claude-3-5-haiku', label: 'Haiku 3.5', family: 'haiku', input: 0.8, output: 4, cacheWrite5m: 1, cacheWrite1h: 1.6, cacheRead: 0.08, ids: ['claude-3-5-haiku-20241022'], accepts: {effort: noEffort, thinking: 'none'}},
	{prefix: 'claude-fable-5-1', label: 'Fable 5.1', family: 'fable', input: 10, output: 50, cacheWrite5m: 12.5, cacheWrite1h: 20, cacheRead: 0.25},
	{prefix: 'claude-fable-5', label: 'Fable 5', family: 'fable', input: 10, output: 50, cacheWrite5m: 12.5, cacheWrite1h: 20, cacheRead: 1, accepts: {effort: allEfforts, thinking: 'adaptive'}},
];

/** Unknown models are priced by family at these entries' rates, and marked estimated. */
export const familyFallback: Readonly<Record<ModelPrice['family'], string>> = {
	opus: 'claude-opus-4-8',
	sonnet: 'claude-sonnet-4-6',
	haiku: 'claude-haiku-4-5',
	fable: 'claude-fable-5',
};

/** Every model id the API serves, from the table (the demo's simulated API accepts exactly these). */
export const knownModelIds: readonly string[] = modelPrices.flatMap(entry => entry.ids ?? [entry.prefix]);

/** The current model of each family, in table order. */
export const currentModels: readonly ModelPrice[] = modelPrices.filter(entry => entry.current);
