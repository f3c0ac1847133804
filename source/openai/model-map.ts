// Which Claude model answers an OpenAI model name. Tools written for OpenAI often hard-code a
// model name, so the common ones map to the Claude model of the same class; Claude ids pass
// through; the openaiModelMap setting adds names or replaces these ("*" catches every other name).
// Data, not logic: the readme's table is this one.

export const defaultOpenAiModelMap: Readonly<Record<string, string>> = {
	// Flagship and reasoning models → Opus.
	o1: 'claude-opus-4-8',
	'o1-pro': 'claude-opus-4-8',
	o3: 'claude-opus-4-8',
	'o3-pro': 'claude-opus-4-8',
	'gpt-5': 'claude-opus-4-8',
	'gpt-5-pro': 'claude-opus-4-8',
	// General-purpose models → Sonnet.
	'gpt-4o': 'claude-sonnet-4-6',
	'chatgpt-4o-latest': 'claude-sonnet-4-6',
	'gpt-4.1': 'claude-sonnet-4-6',
	'gpt-4-turbo': 'claude-sonnet-4-6',
	'gpt-4': 'claude-sonnet-4-6',
	'gpt-5-mini': 'claude-sonnet-4-6',
	'o1-mini': 'claude-sonnet-4-6',
	'o3-mini': 'claude-sonnet-4-6',
	'o4-mini': 'claude-sonnet-4-6',
	// Small, fast models → Haiku.
	'gpt-4o-mini': 'claude-haiku-4-5-20251001',
	'gpt-4.1-mini': 'claude-haiku-4-5-20251001',
	'gpt-4.1-nano': 'claude-haiku-4-5-20251001',
	'gpt-5-nano': 'claude-haiku-4-5-20251001',
	'gpt-3.5-turbo': 'claude-haiku-4-5-20251001',
};

/** The key that maps every name nothing else maps. */
export const catchAllModel = '*';

// OpenAI's dated snapshots (gpt-4o-2024-08-06) and previews map like their base name.
const datedSnapshot = /-(?:\d{4}-\d{2}-\d{2}|\d{4}|preview)$/;

export type ModelMap = (model: string) => string | undefined;

/** The mapping with the user's entries over the defaults; undefined for a name nothing maps. */
export function modelMap(userMap: Readonly<Record<string, string>> = {}): ModelMap {
	const table = new Map<string, string>();
	for (const [name, model] of Object.entries(defaultOpenAiModelMap)) {
		table.set(name, model);
	}

	for (const [name, model] of Object.entries(userMap)) {
		table.set(name.toLowerCase(), model);
	}

	return model => {
		const name = model.trim().toLowerCase();
		const exact = table.get(name);
		if (exact !== undefined) {
			return exact;
		}

		if (name.startsWith('claude-')) {
			return model.trim();
		}

		const base = name.replace(datedSnapshot, '');
		return (base === name ? undefined : table.get(base)) ?? table.get(catchAllModel);
	};
}
