// Public types of the simulator's OAuth surface: the token endpoint (code exchange, refresh with
// rotation), the authorize test helper, and the subscription usage and profile endpoints.
import type {SimAccount} from './types.js';

export type SimUsageShape = 'flat' | 'limits';

export type SimOAuthOptions = {
	/** expires_in of every access token the token endpoint issues, in seconds. Default 28800 (8 h). */
	tokenLifetimeSeconds?: number;
	/** /api/oauth/usage answers in the legacy flat shape (default) or the 2026 `limits[]` shape. */
	usageShape?: SimUsageShape;
	/** Usage polls allowed per account per rolling minute; the next one gets a 429. Default 5. */
	usagePollsPerMinute?: number;
	/** retry-after of the first usage 429, in seconds; it doubles (to an hour) for each poll made while penalised. Default 60. */
	usageRetryAfterSeconds?: number;
};

export type ResolvedOAuthOptions = Required<SimOAuthOptions>;

/** The limits of the subscription behind a login. */
export type SimLoginLimits = Pick<SimAccount, 'budget5h' | 'budget7d' | 'utilization5h' | 'utilization7d' | 'window5hMs'>;

/** A login that already happened: a token pair the simulator will honour and refresh. */
export type SimOAuthLogin = {
	accessToken: string;
	refreshToken: string;
	/** Access-token expiry, epoch ms. Default: now + the token lifetime. */
	expiresAtMs?: number;
	email?: string;
	/** Label in the request log and for oauthLogin(); default the email, else login-<n>. Unique. */
	name?: string;
	limits?: SimLoginLimits;
};

/** What the authorize page would have approved: the browser side of the PKCE flow. */
export type SimAuthorizeRequest = {
	/** base64url(SHA-256(code_verifier)). */
	challenge: string;
	state: string;
	/** Must match the redirect_uri of the code exchange; default: not checked. */
	redirectUri?: string;
	email?: string;
	name?: string;
	limits?: SimLoginLimits;
};

/** A login chain as it stands now: the current pair and how often it was refreshed. */
export type SimOAuthLoginState = {
	name: string;
	email: string;
	accessToken: string;
	refreshToken: string;
	expiresAtMs: number;
	/** Successful refresh_token grants (rotations). */
	refreshes: number;
	/** Every refresh_token grant that named a token of this chain, current or retired, faults included. */
	refreshCalls: number;
};

export type SimOAuthFault =
	| {type: 'rate_limited'; retryAfterSeconds?: number}
	| {type: 'unavailable'}
	/** The chain's refresh token is revoked: the next refresh gets invalid_grant. */
	| {type: 'invalid_grant'};

/** endpoint: which surface the fault hits (default token); times: default 1, Infinity = until cleared. */
export type ArmedOAuthFault = SimOAuthFault & {endpoint?: 'token' | 'usage'; times?: number};
