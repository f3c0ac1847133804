// The upstream URL of a forwarded request is built from the configured upstream URL object, with
// only the path and the query taken from the client. Gluing strings instead would let a request
// target such as `pany://x/v1/models` turn https://api.anthropic.com into the host
// api.anthropic.company, and the account's credential would go there.

export class BadTarget extends Error {}

/** The configured upstream, with its base path (a gateway's, say) kept without a trailing slash. */
export type Upstream = {url: URL; basePath: string};

export function upstreamOf(url: URL): Upstream {
	return {url, basePath: url.pathname.replace(/\/+$/, '')};
}

/**
 * The upstream URL for a client's request target, or BadTarget when the target is not a plain
 * path ("origin-form": absolute URLs, authority forms, "*" and anything not starting with "/"),
 * or smuggles a slash or backslash in percent-encoded form. Dot segments are resolved by the URL
 * parser, so the caller must check the resulting path, not the raw target.
 */
export function upstreamUrlFor(upstream: Upstream, target: string): {url: URL; path: string} {
	if (!target.startsWith('/') || target.includes('\\')) {
		throw new BadTarget('the request target must be a path such as /v1/messages');
	}

	const query = target.indexOf('?');
	// A client whose base URL ends in a slash sends //v1/messages: one slash is meant.
	const rawPath = (query === -1 ? target : target.slice(0, query)).replace(/^\/+/, '/');
	if (/%(?:2f|5c)/i.test(rawPath)) {
		throw new BadTarget('encoded slashes are not allowed in the request path');
	}

	const url = new URL(upstream.url.href);
	url.pathname = `${upstream.basePath}${rawPath}`;
	url.search = query === -1 ? '' : target.slice(query);
	url.hash = '';
	// The path below the base, after the URL parser resolved "." and ".." segments.
	const path = url.pathname.slice(upstream.basePath.length) || '/';
	if (!url.pathname.startsWith(`${upstream.basePath}/`)) {
		throw new BadTarget('the request path climbs out of the upstream base path');
	}

	return {url, path};
}

/** The last check before a credential is attached: the request goes to the configured upstream and nowhere else. */
export function assertUpstreamOrigin(url: URL, upstream: Upstream): void {
	if (url.origin !== upstream.url.origin) {
		throw new Error(`refusing to send a credential to ${url.origin}: the upstream is ${upstream.url.origin}`);
	}
}
