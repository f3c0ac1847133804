// Credential and header checks shared by every /v1 endpoint, in Anthropic's order.
import type {AccountState} from './accounts.js';
import type {Exchange, SimCore} from './context.js';
import {isRejection, type Rejection, reject} from './errors.js';

const oauthBeta = 'oauth-2025-04-20';

export const messages = {
	required: 'x-api-key header is required',
	invalidKey: 'invalid x-api-key',
	oauthUnsupported: 'OAuth authentication is currently not supported.',
	expired: 'OAuth token has expired. Please obtain a new token or refresh your existing token.',
	revoked: 'OAuth token has been revoked. Please obtain a new token.',
	version: 'anthropic-version: header is required',
};

function header(exchange: Exchange, name: string): string | undefined {
	const value = exchange.request.headers[name];
	return (Array.isArray(value) ? value[0] : value)?.trim() || undefined;
}

function bearerToken(exchange: Exchange): string | undefined {
	const match = /^Bearer\s+(\S+)$/i.exec(header(exchange, 'authorization') ?? '');
	return match?.[1];
}

/**
 * Finds the account behind the request. OAuth tokens are only honoured as a bearer token (a
 * proxy that puts one in x-api-key is wrong upstream too); API keys are accepted either way.
 * Records the account label on the log entry as soon as the credential is recognised.
 */
export function authenticate(exchange: Exchange, core: SimCore): AccountState | Rejection {
	const apiKey = header(exchange, 'x-api-key');
	const bearer = bearerToken(exchange);
	if (apiKey === undefined && bearer === undefined) {
		return reject(401, 'authentication_error', messages.required);
	}

	const viaBearer = bearer === undefined ? undefined : core.accounts.get(bearer);
	const viaKey = apiKey === undefined ? undefined : core.accounts.get(apiKey);
	const account = viaBearer ?? (viaKey?.kind === 'apikey' ? viaKey : undefined);
	if (!account) {
		return reject(401, 'authentication_error', messages.invalidKey);
	}

	exchange.entry.account = account.label;
	if (account.kind === 'oauth') {
		const betas = (header(exchange, 'anthropic-beta') ?? '').split(',').map(beta => beta.trim());
		if (!betas.includes(oauthBeta)) {
			return reject(401, 'authentication_error', messages.oauthUnsupported);
		}

		// Per token, not per account: after a refresh the old token expires on its own schedule.
		const expiresAt = core.accounts.tokenExpiresAt(bearer ?? account.config.credential);
		if (expiresAt !== undefined && core.now() >= expiresAt) {
			return reject(401, 'authentication_error', messages.expired);
		}
	}

	return account;
}

/** Any value is accepted: new SDKs send newer dated versions and a proxy must not care. */
export function checkVersion(exchange: Exchange): Rejection | undefined {
	return header(exchange, 'anthropic-version') === undefined ? reject(400, 'invalid_request_error', messages.version) : undefined;
}

/** The usual preamble of a /v1 endpoint: who is calling, and did they send a version. */
export function admit(exchange: Exchange, core: SimCore): AccountState | Rejection {
	const account = authenticate(exchange, core);
	if (isRejection(account)) {
		return account;
	}

	return checkVersion(exchange) ?? account;
}
