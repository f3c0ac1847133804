// Public types of the simulator: a fake Anthropic API used by the end-to-end tests, the demo
// and the benchmark. Kept free of runtime code so callers can import them cheaply. One file for
// the /v1 surface and the OAuth surface, since each refers to the other.

export type SimAccount = {
	kind: 'apikey' | 'oauth';
	/** API key (sent as x-api-key) or OAuth access token (sent as Authorization: Bearer). */
	credential: string;
	/** Label for the request log; defaults to one derived from the credential. */
	name?: string;
	/** OAuth unified windows: weighted-token budgets; utilization = used / budget. */
	budget5h?: number;
	budget7d?: number;
	/** Starting utilization as a fraction (0.5 = half used). */
	utilization5h?: number;
	utilization7d?: number;
	/** Length of the "5-hour" window; the demo shortens it so limits reset within a minute. */
	window5hMs?: number;
	/** A 5-hour window already running, resetting at this instant (epoch ms); utilization5h is its use so far. Default: none running. */
	reset5hAtMs?: number;
	/** An instant the weekly window resets at (epoch ms); it rolls over every 7 days from there. Default: Thursdays 09:00 UTC. */
	reset7dAtMs?: number;
	/**
	 * Model-scoped weekly windows by header infix ("7d_opus", "7d_sonnet", "7d_oi"): each counts only
	 * the requests of its model family (the part after "7d_"; "oi" is Fable's) and refuses only them.
	 */
	scoped?: Record<string, SimScopedWindow>;
	/** OAuth: requests at or after this epoch-ms instant get 401 "token has expired". */
	tokenExpiresAtMs?: number;
	/** API-key token buckets, refilled continuously per minute. */
	rpm?: number;
	itpm?: number;
	otpm?: number;
};

/** One model-scoped weekly window, reported as anthropic-ratelimit-unified-<scope>-{status,utilization,reset}. */
export type SimScopedWindow = {
	/** Weighted-token budget; default the account's budget7d. */
	budget?: number;
	/** Starting utilization as a fraction. */
	utilization?: number;
	/** An instant the window resets at (epoch ms); it rolls over every 7 days from there. Default: with the 7d window. */
	resetAtMs?: number;
};

/** setUtilization's argument: fractions per window; scoped by header infix. */
export type SimUtilization = {
	fiveHour?: number;
	sevenDay?: number;
	scoped?: Record<string, number>;
};

export type SimFault =
	| {
		type: 'quota_429';
		window?: '5h' | '7d';
		resetInSeconds?: number;
		/** Response headers set last, over the rendered ones: hostile or malformed upstream values. */
		headers?: Record<string, string>;
	}
	| {type: 'windowless_429'}
	| {type: 'overloaded'}
	| {type: 'api_error'}
	| {type: 'bad_request'}
	| {type: 'expired_token'}
	| {type: 'invalid_key'}
	| {type: 'revoked'}
	| {type: 'out_of_credits'; model: string}
	| {type: 'midstream_error'; afterDeltas?: number}
	| {type: 'drop'; afterDeltas?: number}
	/** Stops sending after some deltas for ms, then carries on. Pings keep coming unless silent. */
	| {type: 'stall'; afterDeltas?: number; ms: number; silent?: boolean}
	/** A JSON (non-streaming) reply that stops after afterBytes bytes of its body for ms, then carries on. */
	| {type: 'body_stall'; afterBytes?: number; ms: number}
	| {type: 'slow_first_byte'; ms: number};

/** times: how many matching requests the fault affects; default 1, Infinity = until cleared. */
export type ArmedFault = SimFault & {times?: number};

export type SimRequestLogEntry = {
	/** Also sent as the request-id header. */
	id: string;
	tsMs: number;
	method: string;
	/** Path with its query string, exactly as received. */
	path: string;
	/** Label of the account the credential identified, if any. */
	account?: string;
	/** As received, lower-case names. Fake credentials only; never printed. */
	headers: Record<string, string>;
	/** Parsed JSON body, when it parsed. */
	body?: unknown;
	rawBodySha256: string;
	/** Status sent; 0 when the connection ended before any status line went out. */
	status: number;
	stream: boolean;
	fault?: SimFault['type'];
	/** The client went away before the response finished. */
	closedEarly: boolean;
	/** The response's headers as sent (no credential is ever among them); empty when none went out. */
	responseHeaders: Record<string, string>;
	/** What a served /v1/messages request consumed, as the simulator accounted it. */
	usage?: SimUsage;
};

/** One served request's tokens: its usage block, plus what it charged the unified windows. */
export type SimUsage = {
	model: string;
	inputTokens: number;
	cacheReadTokens: number;
	/** 5-minute and 1-hour cache writes together. */
	cacheWriteTokens: number;
	outputTokens: number;
	/** Weighted tokens charged to the account's unified windows (0 for API keys). */
	weighted: number;
};

export type SimulatorOptions = {
	/** Injectable clock, epoch ms. advanceClock() adds its offset on top. */
	now?: () => number;
	/** Delay between SSE text deltas. */
	chunkDelayMs?: number;
	/** Default `Hello from fake <model>`. */
	replyText?: string;
	/** Write `: t=<ms>` comment lines before every SSE event, for latency benchmarks. */
	stampEvents?: boolean;
	/** Ping cadence during stalls. */
	pingIntervalMs?: number;
	/** Larger bodies get 413 request_too_large. */
	maxBodyBytes?: number;
	/** Request log ring size. */
	logLimit?: number;
	/** Known model ids. */
	models?: string[];
	/** The OAuth token, usage and profile endpoints. */
	oauth?: SimOAuthOptions;
};

export type ResolvedOptions = {
	chunkDelayMs: number;
	replyText?: string;
	stampEvents: boolean;
	pingIntervalMs: number;
	maxBodyBytes: number;
	logLimit: number;
	models: string[];
};

// ---------------------------------------------------------------- OAuth
// The token endpoint (code exchange, refresh with rotation), the authorize test helper, and the
// subscription usage and profile endpoints.

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
export type SimLoginLimits = Pick<SimAccount, 'budget5h' | 'budget7d' | 'utilization5h' | 'utilization7d' | 'window5hMs' | 'reset5hAtMs' | 'reset7dAtMs' | 'scoped'>;

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
