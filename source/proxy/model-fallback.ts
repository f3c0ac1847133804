import {fallbackChain, modelFamily} from '../anthropic/models.js';

/**
 * The model to try when no account can serve the requested one: the configured (or overridden)
 * fallback, "off" for none, or by default one family down (opus → sonnet → haiku).
 */
export function fallbackModelFor(model: string, configured: string | null): string | undefined {
	if (configured === 'off') {
		return undefined;
	}

	const family = modelFamily(model);
	const next = configured ?? (family ? fallbackChain[family] : undefined);
	return next && next !== model ? next : undefined;
}
