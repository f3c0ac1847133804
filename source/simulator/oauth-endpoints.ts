// HTTP side of the OAuth surface: POST /v1/oauth/token, the GET /oauth/authorize test helper, and
// the subscription-only GET /api/oauth/usage and GET /api/oauth/profile.
import {Buffer} from 'node:buffer';
import {authenticate} from './auth.js';
import type {Exchange, SimControl} from './context.js';
import {
	isRejection, reject, sendJson, sendRejection,
} from './errors.js';
import {simClientId, type OAuthAnswer} from './oauth-book.js';
import {usageBody} from './oauth-usage.js';

function send(exchange: Exchange, answer: OAuthAnswer): void {
	sendJson(exchange.response, answer.status, answer.body, answer.headers);
}

function sendText(exchange: Exchange, status: number, body: string): void {
	exchange.response.writeHead(status, {'content-type': 'text/plain; charset=utf-8', 'content-length': String(Buffer.byteLength(body))});
	exchange.response.end(body);
}

/** The token endpoint takes JSON (Claude Code) and, like most OAuth servers, form bodies too. */
function tokenRequest(exchange: Exchange): Record<string, unknown> | undefined {
	const type = String(exchange.request.headers['content-type'] ?? '');
	if (type.includes('application/x-www-form-urlencoded')) {
		return Object.fromEntries(new URLSearchParams(exchange.rawBody.toString('utf8')));
	}

	const {body} = exchange;
	return typeof body === 'object' && body !== null && !Array.isArray(body) ? body as Record<string, unknown> : undefined;
}

export function handleOAuthToken(exchange: Exchange, simulator: SimControl): void {
	const body = tokenRequest(exchange);
	if (!body) {
		send(exchange, {status: 400, body: {error: 'invalid_request', error_description: 'expected a JSON object body'}});
		return;
	}

	send(exchange, simulator.oauth.token(body));
}

/**
 * Test helper standing in for the browser: approves the login described by the query (the same
 * query the real authorize URL carries) and answers with the `code#state` the callback page shows.
 */
export function handleAuthorize(exchange: Exchange, simulator: SimControl): void {
	const query = exchange.url.searchParams;
	const challenge = query.get('code_challenge');
	const state = query.get('state');
	if (query.get('client_id') !== simClientId) {
		sendText(exchange, 400, 'unknown client_id');
		return;
	}

	if (query.get('response_type') !== 'code' || query.get('code_challenge_method') !== 'S256' || !challenge || !state) {
		sendText(exchange, 400, 'expected response_type=code, code_challenge_method=S256, code_challenge and state');
		return;
	}

	sendText(exchange, 200, simulator.oauth.authorize({
		challenge,
		state,
		redirectUri: query.get('redirect_uri') ?? undefined,
		email: query.get('email') ?? undefined,
		name: query.get('name') ?? undefined,
	}));
}

function bearer(exchange: Exchange): string {
	return /^Bearer\s+(\S+)$/i.exec(String(exchange.request.headers.authorization ?? ''))?.[1] ?? '';
}

/** Usage and profile answer subscription bearers only (with the OAuth beta, like /v1). */
function subscriber(exchange: Exchange, simulator: SimControl) {
	const account = authenticate(exchange, simulator);
	if (isRejection(account)) {
		sendRejection(exchange.response, account);
		return undefined;
	}

	if (account.kind !== 'oauth') {
		sendRejection(exchange.response, reject(403, 'permission_error', 'This endpoint requires a Claude subscription (OAuth) token.'));
		return undefined;
	}

	return account;
}

export function handleUsage(exchange: Exchange, simulator: SimControl): void {
	const account = subscriber(exchange, simulator);
	if (!account) {
		return;
	}

	const throttled = simulator.oauth.admitUsagePoll(account);
	if (throttled) {
		send(exchange, throttled);
		return;
	}

	sendJson(exchange.response, 200, usageBody(account.unifiedView(simulator.now())!, simulator.oauth.options.usageShape));
}

export function handleProfile(exchange: Exchange, simulator: SimControl): void {
	const account = subscriber(exchange, simulator);
	if (account) {
		send(exchange, simulator.oauth.profile(bearer(exchange), account));
	}
}
