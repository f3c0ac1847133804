/** What the callback page shows after approval: `<code>#<state>`. */
export type PastedCode = {code: string; state: string};

/**
 * Reads the pasted text. Accepts `code#state` (what the page shows) and, for convenience, the whole
 * callback URL (?code=…&state=…). Anything else is undefined: better refuse than send garbage.
 */
export function parsePastedCode(text: string): PastedCode | undefined {
	const pasted = text.trim().replaceAll(/^["']|["']$/g, '');
	if (/^https?:\/\//i.test(pasted)) {
		try {
			const url = new URL(pasted);
			const code = url.searchParams.get('code');
			const state = url.searchParams.get('state') ?? (url.hash ? url.hash.slice(1) : null);
			return code && state ? {code, state} : undefined;
		} catch {
			return undefined;
		}
	}

	const parts = pasted.split('#');
	if (parts.length !== 2 || parts.some(part => part === '' || /\s/.test(part))) {
		return undefined;
	}

	return {code: parts[0]!, state: parts[1]!};
}
