import {redactSecret} from '../../util/redact.js';
import {terminalSafe} from '../../util/terminal-safe.js';
import {maxHorizonMs} from '../../util/time-horizon.js';
import {version} from '../../version.js';
import {asRecord} from '../../util/json.js';
import {clientId, redirectUri, tokenUrl} from './constants.js';

/** A token pair as shunt stores it. */
export type TokenSet = {
	accessToken: string;
	refreshToken: string;
	/** Epoch milliseconds. */
	expiresAt: number;
	/** account.email_address of the token response, when it carried one. */
	email?: string;
};

/**
 * Why the token endpoint did not give us tokens. Callers act on the kind, not the message:
 * - invalid_grant: the refresh token (or code) is dead; only the user can fix it.
 * - transient: 429, 5xx, timeout, network: try again later, with backoff.
 * - other: anything else (a moved endpoint's 404, invalid_client, a malformed answer).
 */
export type TokenErrorKind = 'invalid_grant' | 'transient' | 'other';

export class TokenEndpointError extends Error {
	constructor(
		readonly kind: TokenErrorKind,
		message: string,
		readonly status?: number,
		/** From a 429's retry-after. */
		readonly retryAfterMs?: number,
	) {
		super(message);
	}
}

export type TokenClientOptions = {
	/** Default: SHUNT_OAUTH_TOKEN_URL, else platform.claude.com. */
	url?: string;
	now?: () => number;
	/** A token call is small; one that takes longer than this is not coming back. */
	timeoutMs?: number;
};

/** Used when a response omits expires_in: short, so we refresh too early rather than too late. */
const fallbackLifetimeSeconds = 3600;

// The endpoint never should echo a token, but a message we print must not carry one even if it does.
const scrub = (text: string): string => text.replaceAll(/sk-ant-[\w-]+/g, token => redactSecret(token));

function retryAfterMs(value: string | null): number | undefined {
	const seconds = value === null ? Number.NaN : Number(value);
	return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

function connectionProblem(error: unknown): string {
	const {name} = (error as Error);
	if (name === 'TimeoutError' || name === 'AbortError') {
		return 'timed out';
	}

	const {cause} = (error as {cause?: {code?: string; message?: string}});
	return cause?.code ?? cause?.message ?? (error as Error).message;
}

/** The OAuth token endpoint: code exchange (login) and refresh (with rotation). */
export class TokenClient {
	readonly url: string;
	readonly #now: () => number;
	readonly #timeoutMs: number;

	constructor(options: TokenClientOptions = {}) {
		this.url = options.url ?? tokenUrl();
		this.#now = options.now ?? Date.now;
		this.#timeoutMs = options.timeoutMs ?? 20_000;
	}

	async exchangeCode(input: {code: string; state: string; verifier: string}): Promise<TokenSet> {
		return this.#post({
			grant_type: 'authorization_code',
			code: input.code,
			redirect_uri: redirectUri,
			client_id: clientId,
			code_verifier: input.verifier,
			state: input.state,
		}, undefined);
	}

	/** A new pair. The old refresh token stops working once this succeeds (rotation). */
	async refresh(refreshToken: string): Promise<TokenSet> {
		return this.#post({grant_type: 'refresh_token', refresh_token: refreshToken, client_id: clientId}, refreshToken);
	}

	async #post(body: Record<string, string>, previousRefreshToken: string | undefined): Promise<TokenSet> {
		let response: Response;
		let text: string;
		try {
			response = await fetch(this.url, {
				method: 'POST',
				headers: {'content-type': 'application/json', accept: 'application/json', 'user-agent': `shunt/${version}`},
				body: JSON.stringify(body),
				redirect: 'error',
				signal: AbortSignal.timeout(this.#timeoutMs),
			});
			text = await response.text();
		} catch (error) {
			throw new TokenEndpointError('transient', `could not reach the token endpoint ${this.url}: ${connectionProblem(error)}`);
		}

		let json: Record<string, unknown> | undefined;
		try {
			json = asRecord(JSON.parse(text));
		} catch {}

		if (!response.ok) {
			throw this.#failure(response, json);
		}

		const accessToken = json?.['access_token'];
		const refreshToken = json?.['refresh_token'] ?? previousRefreshToken;
		if (typeof accessToken !== 'string' || accessToken === '' || typeof refreshToken !== 'string' || refreshToken === '') {
			throw new TokenEndpointError('other', `the token endpoint ${this.url} answered 200 without a usable token pair`, response.status);
		}

		const expiresIn = json?.['expires_in'];
		// An absurd lifetime (1e400 parses as Infinity, which credentials.json would store as null)
		// is treated like a missing one: refresh too early rather than never.
		const lifetime = typeof expiresIn === 'number' && expiresIn > 0 && expiresIn * 1000 <= maxHorizonMs ? expiresIn : fallbackLifetimeSeconds;
		const email = asRecord(json?.['account'])?.['email_address'];
		return {
			accessToken,
			// Peers keep the old refresh token when none comes back; so do we.
			refreshToken,
			expiresAt: this.#now() + (lifetime * 1000),
			email: typeof email === 'string' && email !== '' ? email : undefined,
		};
	}

	#failure(response: Response, json: Record<string, unknown> | undefined): TokenEndpointError {
		const {status} = response;
		const code = typeof json?.['error'] === 'string' ? json['error'] : asRecord(json?.['error'])?.['type'];
		const description = json?.['error_description'] ?? asRecord(json?.['error'])?.['message'];
		// The endpoint's own words end up on the terminal and in the log.
		const detail = scrub(terminalSafe([code, description].filter(part => typeof part === 'string' && part !== '').join(': ')));
		const message = `the token endpoint answered ${status}${detail ? `: ${detail}` : ''}`;
		if (code === 'invalid_grant') {
			return new TokenEndpointError('invalid_grant', message, status);
		}

		if (status === 429 || status === 408 || status >= 500) {
			return new TokenEndpointError('transient', message, status, retryAfterMs(response.headers.get('retry-after')));
		}

		return new TokenEndpointError('other', `${message} — if this persists, check SHUNT_OAUTH_TOKEN_URL (${this.url})`, status);
	}
}
