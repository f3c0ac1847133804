import {fallbackChain} from '../pricing/prices.js';

/**
 * The model to try when no account can serve the requested one: the configured (or overridden)
 * fallback, "off" for none, or by default one family down (opus → sonnet → haiku).
 */
export function fallbackModelFor(model: string, configured: string | null): string | undefined {
	if (configured === 'off') {
		return undefined;
	}

	const lower = model.toLowerCase();
	const next = configured ?? Object.entries(fallbackChain).find(([family]) => lower.includes(family))?.[1];
	return next && next !== model ? next : undefined;
}
