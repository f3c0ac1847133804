// The simulator's OAuth state: login chains (a chain is one login whose refresh token rotates),
// authorization codes waiting to be exchanged, armed token/usage faults, and usage-poll accounting.
// No HTTP here: the handlers in oauth-endpoints.ts translate requests into these calls.
import {createHash, randomBytes} from 'node:crypto';
import type {AccountRegistry, AccountState} from './accounts.js';
import {uuidFrom} from './ids.js';
import type {
	ArmedOAuthFault, ResolvedOAuthOptions, SimAuthorizeRequest, SimOAuthFault, SimOAuthLogin, SimOAuthLoginState, SimOAuthOptions,
} from './sim-types.js';

/** Claude Code's public OAuth client id; the only one the token endpoint accepts. */
export const simClientId = '9d1c250a-e61b-44d9-88ed-5944d1962f5e';

const grantedScopes = 'user:inference user:profile user:sessions:claude_code user:mcp_servers user:file_upload';
const maxPenaltySeconds = 3600;

/** A reply decided here and sent by the HTTP handler. */
export type OAuthAnswer = {status: number; body: unknown; headers?: Record<string, string>};

type Chain = {
	name: string;
	email: string;
	accountUuid: string;
	state: AccountState;
	accessToken: string;
	refreshToken: string;
	expiresAtMs: number;
	refreshes: number;
	refreshCalls: number;
};

type UsagePolls = {times: number[]; penaltyUntilMs: number; penaltySeconds: number};

const invalidGrant = (description: string): OAuthAnswer => ({status: 400, body: {error: 'invalid_grant', error_description: description}});
const invalidRequest = (description: string): OAuthAnswer => ({status: 400, body: {error: 'invalid_request', error_description: description}});
const anthropicError = (status: number, type: string, message: string, headers?: Record<string, string>): OAuthAnswer =>
	({status, body: {type: 'error', error: {type, message}}, headers});

export function resolveOAuthOptions(options: SimOAuthOptions = {}): ResolvedOAuthOptions {
	return {
		tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 28_800,
		usageShape: options.usageShape ?? 'flat',
		usagePollsPerMinute: options.usagePollsPerMinute ?? 5,
		usageRetryAfterSeconds: options.usageRetryAfterSeconds ?? 60,
	};
}

const newAccessToken = (): string => `sk-ant-oat01-${randomBytes(32).toString('base64url')}`;
const newRefreshToken = (): string => `sk-ant-ort01-${randomBytes(32).toString('base64url')}`;

/** base64url(SHA-256(verifier)): the S256 challenge a verifier must match. */
export const s256 = (verifier: string): string => createHash('sha256').update(verifier).digest('base64url');

function text(body: Record<string, unknown>, key: string): string | undefined {
	const value = body[key];
	return typeof value === 'string' && value !== '' ? value : undefined;
}

export class OAuthBook {
	options: ResolvedOAuthOptions;
	readonly #accounts: AccountRegistry;
	readonly #now: () => number;
	readonly #chains = new Map<string, Chain>();
	/** Every refresh token ever issued; `current` is false once it has been rotated away or revoked. */
	readonly #byRefresh = new Map<string, {chain: Chain; current: boolean}>();
	readonly #byAccess = new Map<string, Chain>();
	readonly #codes = new Map<string, SimAuthorizeRequest>();
	readonly #faults: Array<{fault: SimOAuthFault; endpoint: 'token' | 'usage'; remaining: number}> = [];
	readonly #polls = new Map<string, UsagePolls>();
	#sequence = 0;

	constructor(accounts: AccountRegistry, now: () => number, options?: SimOAuthOptions) {
		this.#accounts = accounts;
		this.#now = now;
		this.options = resolveOAuthOptions(options);
	}

	configure(options: SimOAuthOptions): void {
		this.options = {...this.options, ...Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined))};
	}

	addLogin(login: SimOAuthLogin): string {
		if (this.#byRefresh.has(login.refreshToken)) {
			throw new Error('addOAuthLogin: that refresh token is already known');
		}

		const name = this.#uniqueName(login.name, login.email);
		const email = login.email ?? `${name}@example.com`;
		const expiresAtMs = login.expiresAtMs ?? this.#now() + (this.options.tokenLifetimeSeconds * 1000);
		const state = this.#accounts.add({
			...login.limits, kind: 'oauth', credential: login.accessToken, name, tokenExpiresAtMs: expiresAtMs,
		}, this.#now());
		const chain: Chain = {
			name,
			email,
			accountUuid: uuidFrom(`account:${name}`),
			state,
			accessToken: login.accessToken,
			refreshToken: login.refreshToken,
			expiresAtMs,
			refreshes: 0,
			refreshCalls: 0,
		};
		this.#chains.set(name, chain);
		this.#byRefresh.set(login.refreshToken, {chain, current: true});
		this.#byAccess.set(login.accessToken, chain);
		return name;
	}

	login(name: string): SimOAuthLoginState {
		const chain = this.#chains.get(name);
		if (!chain) {
			throw new Error(`oauthLogin: no login named "${name}"`);
		}

		const {state: _state, accountUuid: _uuid, ...visible} = chain;
		return {...visible};
	}

	/** The approval a user gives in the browser: returns what the callback page shows, `code#state`. */
	authorize(request: SimAuthorizeRequest): string {
		const code = randomBytes(24).toString('base64url');
		this.#codes.set(code, request);
		return `${code}#${request.state}`;
	}

	arm(armed: ArmedOAuthFault): void {
		const {times = 1, endpoint = 'token', ...fault} = armed;
		if (times > 0) {
			this.#faults.push({fault, endpoint, remaining: times});
		}
	}

	clearFaults(): void {
		this.#faults.length = 0;
	}

	/** POST /v1/oauth/token, already parsed. */
	token(body: Record<string, unknown>): OAuthAnswer {
		const grant = text(body, 'grant_type');
		const refreshToken = grant === 'refresh_token' ? text(body, 'refresh_token') : undefined;
		const known = refreshToken === undefined ? undefined : this.#byRefresh.get(refreshToken);
		if (known) {
			known.chain.refreshCalls++;
		}

		const fault = this.#take('token');
		if (fault?.type === 'rate_limited') {
			const retryAfter = String(fault.retryAfterSeconds ?? 30);
			return anthropicError(429, 'rate_limit_error', 'Rate limited. Please try again later.', {'retry-after': retryAfter});
		}

		if (fault?.type === 'unavailable') {
			return anthropicError(503, 'api_error', 'Service Unavailable');
		}

		if (text(body, 'client_id') !== simClientId) {
			return {status: 400, body: {error: 'invalid_client', error_description: 'Invalid client_id'}};
		}

		if (fault?.type === 'invalid_grant') {
			if (known) {
				known.current = false;
			}

			return invalidGrant('Refresh token not found or invalid');
		}

		if (grant === 'authorization_code') {
			return this.#exchange(body);
		}

		if (grant === 'refresh_token') {
			if (!refreshToken) {
				return invalidRequest('refresh_token is required');
			}

			return known?.current ? this.#rotate(known.chain) : invalidGrant('Refresh token not found or invalid');
		}

		return {status: 400, body: {error: 'unsupported_grant_type', error_description: `Unsupported grant_type: ${grant ?? '(none)'}`}};
	}

	#exchange(body: Record<string, unknown>): OAuthAnswer {
		const code = text(body, 'code');
		const verifier = text(body, 'code_verifier');
		const redirectUri = text(body, 'redirect_uri');
		if (!code || !verifier || !redirectUri) {
			return invalidRequest('code, code_verifier and redirect_uri are required');
		}

		const request = this.#codes.get(code);
		if (!request) {
			return invalidGrant('Invalid \'code\' in request.');
		}

		if (s256(verifier) !== request.challenge) {
			return invalidGrant('Invalid code_verifier');
		}

		if (request.redirectUri !== undefined && request.redirectUri !== redirectUri) {
			return invalidGrant('redirect_uri does not match the authorization request');
		}

		const state = text(body, 'state');
		if (state !== undefined && state !== request.state) {
			return invalidGrant('state does not match the authorization request');
		}

		// A code works once.
		this.#codes.delete(code);
		const name = this.addLogin({
			accessToken: newAccessToken(),
			refreshToken: newRefreshToken(),
			email: request.email,
			name: request.name,
			limits: request.limits,
		});
		return this.#grant(this.#chains.get(name)!);
	}

	#rotate(chain: Chain): OAuthAnswer {
		this.#byRefresh.get(chain.refreshToken)!.current = false;
		chain.accessToken = newAccessToken();
		chain.refreshToken = newRefreshToken();
		chain.expiresAtMs = this.#now() + (this.options.tokenLifetimeSeconds * 1000);
		chain.refreshes++;
		// The old access token keeps working until its own expiry, as upstream's do.
		this.#accounts.alias(chain.accessToken, chain.state, chain.expiresAtMs);
		this.#byRefresh.set(chain.refreshToken, {chain, current: true});
		this.#byAccess.set(chain.accessToken, chain);
		return this.#grant(chain);
	}

	#grant(chain: Chain): OAuthAnswer {
		return {
			status: 200,
			body: {
				token_type: 'Bearer',
				access_token: chain.accessToken,
				expires_in: this.options.tokenLifetimeSeconds,
				refresh_token: chain.refreshToken,
				scope: grantedScopes,
				organization: {uuid: chain.state.orgId, name: `${chain.email}'s Organization`},
				account: {uuid: chain.accountUuid, email_address: chain.email},
			},
		};
	}

	/** GET /api/oauth/profile for an authenticated account. */
	profile(accessToken: string, account: AccountState): OAuthAnswer {
		const chain = this.#byAccess.get(accessToken);
		const email = chain?.email ?? `${account.label}@example.com`;
		return {
			status: 200,
			body: {
				account: {
					uuid: chain?.accountUuid ?? uuidFrom(`account:${account.label}`), email, email_address: email, display_name: chain?.name ?? account.label,
				},
				organization: {uuid: account.orgId, name: `${email}'s Organization`, organization_type: 'claude_max'},
			},
		};
	}

	/**
	 * Admission for GET /api/oauth/usage: too many polls in a minute earn a 429, and polling again
	 * while penalised doubles the penalty, as upstream's growing retry-after does.
	 */
	admitUsagePoll(account: AccountState): OAuthAnswer | undefined {
		const fault = this.#take('usage');
		if (fault?.type === 'rate_limited') {
			return anthropicError(429, 'rate_limit_error', 'Rate limited. Please try again later.', {'retry-after': String(fault.retryAfterSeconds ?? this.options.usageRetryAfterSeconds)});
		}

		if (fault?.type === 'unavailable') {
			return anthropicError(503, 'api_error', 'Service Unavailable');
		}

		const now = this.#now();
		const polls = this.#polls.get(account.label) ?? {times: [], penaltyUntilMs: 0, penaltySeconds: 0};
		this.#polls.set(account.label, polls);
		if (now < polls.penaltyUntilMs) {
			polls.penaltySeconds = Math.min(maxPenaltySeconds, polls.penaltySeconds * 2);
			polls.penaltyUntilMs = now + (polls.penaltySeconds * 1000);
			return this.#usageThrottled(polls.penaltySeconds);
		}

		polls.times = polls.times.filter(time => time > now - 60_000);
		polls.times.push(now);
		if (polls.times.length > this.options.usagePollsPerMinute) {
			polls.penaltySeconds = this.options.usageRetryAfterSeconds;
			polls.penaltyUntilMs = now + (polls.penaltySeconds * 1000);
			return this.#usageThrottled(polls.penaltySeconds);
		}

		return undefined;
	}

	#usageThrottled(seconds: number): OAuthAnswer {
		return anthropicError(429, 'rate_limit_error', 'Rate limited. Please try again later.', {'retry-after': String(seconds)});
	}

	#take(endpoint: 'token' | 'usage'): SimOAuthFault | undefined {
		const index = this.#faults.findIndex(entry => entry.endpoint === endpoint && (endpoint === 'token' || entry.fault.type !== 'invalid_grant'));
		const entry = this.#faults[index];
		if (!entry) {
			return undefined;
		}

		entry.remaining--;
		if (entry.remaining <= 0) {
			this.#faults.splice(index, 1);
		}

		return entry.fault;
	}

	#uniqueName(name: string | undefined, email: string | undefined): string {
		if (name !== undefined) {
			if (this.#chains.has(name)) {
				throw new Error(`a login named "${name}" already exists`);
			}

			return name;
		}

		let candidate = email ?? `login-${++this.#sequence}`;
		for (let suffix = 2; this.#chains.has(candidate); suffix++) {
			candidate = `${email ?? 'login'}-${suffix}`;
		}

		return candidate;
	}
}
