import type {IncomingHttpHeaders, OutgoingHttpHeaders} from 'node:http';
import type {AccountKind} from '../accounts/types.js';
import {oauthBeta} from '../anthropic/constants.js';
import {boundedMemo} from '../util/bounded-memo.js';

// Request headers a client may send that reach the upstream. Everything else — the client's Host,
// its credentials, cookies, hop-by-hop headers, accept-encoding (we read the SSE bytes, so the
// upstream must answer uncompressed) — is dropped.
const exactRequestHeaders = new Set(['content-type', 'accept', 'user-agent', 'x-app', 'x-request-id']);
const requestHeaderPrefixes = ['anthropic-', 'x-stainless-', 'x-claude-code-'];

// Response headers that describe the connection, not the message.
const hopByHop = new Set([
	'connection',
	'keep-alive',
	'proxy-authenticate',
	'proxy-authorization',
	'te',
	'trailer',
	'trailers',
	'transfer-encoding',
	'upgrade',
	'set-cookie',
]);

function forwardable(name: string): boolean {
	return exactRequestHeaders.has(name) || requestHeaderPrefixes.some(prefix => name.startsWith(prefix));
}

// Clients send the same few dozen header names on every request, so each verdict is remembered.
const isForwardable = boundedMemo(forwardable, 1024);

export type UpstreamAuth = {kind: AccountKind; secret: string};

/** Builds the upstream request headers: the client's safe headers, with our account's credential. */
export function upstreamRequestHeaders(client: IncomingHttpHeaders, auth: UpstreamAuth): Record<string, string> {
	const headers: Record<string, string> = {};
	// eslint-disable-next-line guard-for-in -- a header bag has no inherited keys; for-in is the request path's cheapest walk
	for (const name in client) {
		const value = client[name];
		if (value !== undefined && isForwardable(name)) {
			headers[name] = Array.isArray(value) ? value.join(', ') : value;
		}
	}

	const sentBeta = headers['anthropic-beta'];
	const betas = sentBeta ? sentBeta.split(',').map(beta => beta.trim()).filter(Boolean) : [];
	if (auth.kind === 'oauth') {
		headers['authorization'] = `Bearer ${auth.secret}`;
		if (!betas.includes(oauthBeta)) {
			betas.push(oauthBeta);
		}
	} else {
		headers['x-api-key'] = auth.secret;
		// A Claude Code logged in with a subscription sends the OAuth beta; it means nothing to a Console key.
		const index = betas.indexOf(oauthBeta);
		if (index !== -1) {
			betas.splice(index, 1);
		}
	}

	if (betas.length > 0) {
		headers['anthropic-beta'] = betas.join(',');
	} else {
		delete headers['anthropic-beta'];
	}

	return headers;
}

// Cross-origin permissions are shunt's to give (to the origins the user allowed), never the
// upstream's: passing its access-control-* headers on would open the pool to any web page.
const keptResponseHeader = boundedMemo((name: string) => !hopByHop.has(name) && !name.startsWith('access-control-'), 1024);

/** Upstream response headers as the client gets them, plus which account answered. */
export function clientResponseHeaders(upstream: IncomingHttpHeaders, account: string): OutgoingHttpHeaders {
	const headers: OutgoingHttpHeaders = {};
	// eslint-disable-next-line guard-for-in -- a header bag has no inherited keys; for-in is the request path's cheapest walk
	for (const name in upstream) {
		const value = upstream[name];
		if (value !== undefined && keptResponseHeader(name)) {
			headers[name] = value;
		}
	}

	headers['x-shunt-account'] = account;
	return headers;
}
