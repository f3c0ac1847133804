// Which requests are forwarded with an account's credential: the inference surface Claude's own
// clients use, and nothing else unless the user opts in. Everything else (TRACE, DELETE, files,
// batches, admin endpoints, …) is answered locally, so no client can make shunt spend a credential
// on something the user never meant it for.

export type ApiSurface = (method: string, pathname: string) => boolean;

/** "METHOD /path", with a trailing "/*" for everything below a path. */
type Rule = {method: string; path: string; below: boolean};

/**
 * What Claude Code, the SDKs and curl need for inference: Messages (Claude Code posts to
 * /v1/messages?beta=true; the query string is not part of the path), token counting, the model
 * list and one model, and the connection warm-up Claude Code sends at start.
 */
export const inferenceSurface: readonly string[] = [
	'POST /v1/messages',
	'POST /v1/messages/count_tokens',
	'GET /v1/models',
	'GET /v1/models/*',
	'HEAD /api/hello',
	'GET /api/hello',
];

/**
 * Targets another front door answers: translated to the Messages API and served by the same pool,
 * never forwarded as they are (the upstream has no such path).
 */
export const translatedSurface: Readonly<Record<string, 'openai'>> = {
	'POST /v1/chat/completions': 'openai',
};

/** The front door that serves a method and path other than by forwarding it, if one does. */
export function translatedDoor(method: string, pathname: string): 'openai' | undefined {
	const key = `${method} ${pathname}`;
	return Object.hasOwn(translatedSurface, key) ? translatedSurface[key] : undefined;
}

const rulePattern = /^(GET|HEAD|POST|PUT|PATCH|DELETE) (\/\S*)$/;

export function parseRule(text: string): Rule | undefined {
	const match = rulePattern.exec(text.trim());
	if (!match) {
		return undefined;
	}

	const path = match[2]!;
	const below = path.endsWith('/*');
	return {method: match[1]!, path: below ? path.slice(0, -2) : path, below};
}

/** The surface made of the built-in rules and the user's extra ones (invalid extras are ignored; config validation reports them). */
export function apiSurface(extra: readonly string[] = []): ApiSurface {
	const rules = [...inferenceSurface, ...extra].map(text => parseRule(text)).filter(rule => rule !== undefined);
	const exact = new Set(rules.filter(rule => !rule.below).map(rule => `${rule.method} ${rule.path}`));
	const subtrees = rules.filter(rule => rule.below);
	return (method, pathname) => exact.has(`${method} ${pathname}`)
		|| subtrees.some(rule => rule.method === method && pathname.startsWith(`${rule.path}/`) && pathname.length > rule.path.length + 1);
}
