// Claude models as shunt needs to know them: which family an id belongs to (families carry their
// own weekly windows and prices), the short names the screen shows, the choices the model override
// offers, and the step down when nobody can serve a model. The lineup and prices are one table,
// pricing/prices.ts.
import {currentModels, modelFamilies, type ModelFamily} from '../pricing/prices.js';

export {modelFamilies, type ModelFamily} from '../pricing/prices.js';

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

/**
 * A model-scoped window's family and length from its header infix ("7d_opus" → opus, 7 days);
 * undefined for a scope shunt does not know (it is shown, but routes nothing).
 */
export function scopedWindowOf(infix: string): {family: ModelFamily; lengthSeconds: number} | undefined {
	const family = Object.hasOwn(scopedWindowFamilies, infix) ? scopedWindowFamilies[infix] : undefined;
	const span = /^(\d{1,3})([hd])_/.exec(infix);
	if (family === undefined || !span) {
		return undefined;
	}

	return {family, lengthSeconds: Number(span[1]) * (span[2] === 'd' ? 86_400 : 3600)};
}

/** The usage endpoint's flat keys for those windows, and the header infix each one stands for. */
export const usageEndpointScopedKeys: Readonly<Record<string, string>> = {
	seven_day_opus: '7d_opus',
	seven_day_sonnet: '7d_sonnet',
	seven_day_fable: '7d_fable',
	seven_day_oi: '7d_oi',
};

/** What the monitor's `o` key cycles through after "off": the current model of each family. */
export const modelOverrideChoices: readonly string[] = currentModels.map(entry => entry.prefix);

const currentOf = (family: ModelFamily): string | undefined => currentModels.find(entry => entry.family === family)?.prefix;

/** Model fallback when no account can serve a model: opus → sonnet → haiku, to the current model of each. */
export const fallbackChain: Readonly<Partial<Record<ModelFamily, string>>> = {
	opus: currentOf('sonnet'),
	sonnet: currentOf('haiku'),
};
