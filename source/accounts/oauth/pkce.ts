import {createHash, randomBytes} from 'node:crypto';
import {
	authorizeUrl, clientId, redirectUri, scopes,
} from './constants.js';

export type PkceLogin = {
	/** Kept in memory only; proves at the exchange that we started this login. */
	verifier: string;
	challenge: string;
	/** Echoed back in the pasted `code#state`, so a code from another attempt is refused. */
	state: string;
	url: string;
};

/** base64url(SHA-256(verifier)), RFC 7636 S256. */
export function challengeFor(verifier: string): string {
	return createHash('sha256').update(verifier).digest('base64url');
}

/** A fresh PKCE pair and state (32 random bytes each, base64url: 43 characters) and the URL to open. */
export function startLogin(): PkceLogin {
	const verifier = randomBytes(32).toString('base64url');
	const challenge = challengeFor(verifier);
	const state = randomBytes(32).toString('base64url');
	const query = new URLSearchParams({
		code: 'true',
		client_id: clientId,
		response_type: 'code',
		redirect_uri: redirectUri,
		scope: scopes.join(' '),
		code_challenge: challenge,
		code_challenge_method: 'S256',
		state,
	});
	return {
		verifier, challenge, state, url: `${authorizeUrl}?${query.toString()}`,
	};
}
