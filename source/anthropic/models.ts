// Claude models as shunt needs to know them: which family an id belongs to (families carry their
// own weekly windows and prices), the short names the screen shows, the choices the model override
// offers, and the step down when nobody can serve a model. Prices live in pricing/prices.ts.

/** Substrings of a model id: "us.anthropic.claude-opus-…" or "my-sonnet-proxy" still land in one. */
export const modelFamilies = ['opus', 'sonnet', 'haiku', 'fable'] as const;

export type ModelFamily = (typeof modelFamilies)[number];

export function modelFamily(model: string): ModelFamily | undefined {
	const id = model.toLowerCase();
	return modelFamilies.find(family => id.includes(family));
}

/** `claude-sonnet-4-5-20250929` → `sonnet-4-5`: the prefix and date stamp say nothing in a narrow column. */
export function shortModel(model: string): string {
	return model.replace(/^claude-/i, '').replace(/-\d{8}$/, '');
}

/** Model-scoped weekly windows, by their header infix, and the family each one limits. */
export const scopedWindowFamilies: Readonly<Record<string, ModelFamily>> = {
	'7d_opus': 'opus',
	'7d_sonnet': 'sonnet',
	'7d_oi': 'fable',
	'7d_fable': 'fable',
};

/** The usage endpoint's flat keys for those windows, and the header infix each one stands for. */
export const usageEndpointScopedKeys: Readonly<Record<string, string>> = {
	seven_day_opus: '7d_opus',
	seven_day_sonnet: '7d_sonnet',
	seven_day_fable: '7d_fable',
	seven_day_oi: '7d_oi',
};

/** What the monitor's `o` key cycles through after "off": one current model per family. */
export const modelOverrideChoices: readonly string[] = [
	'claude-opus-4-8',
	'claude-sonnet-4-6',
	'claude-haiku-4-5-20251001',
];

/** Model fallback when no account can serve a model: opus → sonnet → haiku. */
export const fallbackChain: Readonly<Partial<Record<ModelFamily, string>>> = {
	opus: 'claude-sonnet-4-6',
	sonnet: 'claude-haiku-4-5-20251001',
};
