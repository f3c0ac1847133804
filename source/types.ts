// Domain types shared by the proxy, the routing functions, the store and the monitor.
// Kept free of runtime code so every layer can import it without pulling in another.

export type AccountKind = 'oauth' | 'apikey';

/** What the monitor and /_shunt/status show for an account (CONTRACT). */
export type AccountState = 'available' | 'cooling' | 'exhausted' | 'unhealthy' | 'reauth' | 'paused';

export type StrategyName = 'maximus' | 'reaper' | 'cushion' | 'carousel';

export type Effort = 'low' | 'medium' | 'high' | 'max';

/** An account as configured (config.json). Never holds a secret. */
export type AccountConfig = {
	name: string;
	kind: AccountKind;
	/** Display only: "pro", "max", "console", … */
	plan?: string;
	email?: string;
	/** Where an OAuth login came from: "login" (browser flow) or a file path it was imported from. */
	source?: string;
};

/** Secrets, stored in credentials.json (mode 0600). */
export type ApiKeyCredential = {type: 'apikey'; key: string};
export type OAuthCredential = {
	type: 'oauth';
	accessToken: string;
	refreshToken: string;
	/** Epoch milliseconds. */
	expiresAt: number;
	email?: string;
	source?: string;
};
export type Credential = ApiKeyCredential | OAuthCredential;

/** One unified rate-limit window (5h, 7d, or a model-scoped one such as 7d_oi). */
export type UnifiedWindow = {
	/** Fraction used; can exceed 1. */
	utilization?: number;
	/** Epoch seconds. */
	reset?: number;
	/** allowed | allowed_warning | rejected (other values are kept verbatim). */
	status?: string;
	surpassedThreshold?: number;
};

/** One bucket of the API-key family (anthropic-ratelimit-requests-*, -tokens-*, …). */
export type KeyBucket = {
	limit?: number;
	remaining?: number;
	/** Epoch milliseconds (the header carries RFC 3339). */
	resetMs?: number;
};

/** Everything the rate-limit headers of one response told us about an account. */
export type RateLimitTelemetry = {
	fiveHour?: UnifiedWindow;
	sevenDay?: UnifiedWindow;
	/** Model-scoped windows keyed by their header infix, e.g. "7d_oi", "7d_sonnet". */
	scoped?: Record<string, UnifiedWindow>;
	/** Overall unified status and reset. */
	status?: string;
	reset?: number;
	representativeClaim?: string;
	overageStatus?: string;
	overageDisabledReason?: string;
	/** API-key family. */
	requests?: KeyBucket;
	tokens?: KeyBucket;
	inputTokens?: KeyBucket;
	outputTokens?: KeyBucket;
	/** Epoch ms when these headers were read. */
	updatedMs: number;
};

/** Token usage of one response. Input-side fields are whole-message totals. */
export type Usage = {
	inputTokens: number;
	outputTokens: number;
	cacheCreationInputTokens: number;
	cacheReadInputTokens: number;
	/** The 5-minute / 1-hour split of cacheCreationInputTokens when the response gave it. */
	cacheCreation5mTokens?: number;
	cacheCreation1hTokens?: number;
};

/** One failed try that preceded a request's final answer. */
export type Attempt = {
	account: string;
	/** Upstream HTTP status, or 0 for a connection failure. */
	status: number;
	/** Short reason: "quota", "windowless 429", "overloaded", "connect ECONNREFUSED", … */
	reason?: string;
};

/** How a proxied response ended. */
export type RequestOutcome = 'complete' | 'error' | 'truncated' | 'client-cancelled';

/** One entry of the request ring: one per client request. */
export type RequestRecord = {
	id: string;
	tsMs: number;
	account: string | null;
	model: string;
	status: number;
	inputTokens: number;
	outputTokens: number;
	cacheReadTokens: number;
	cacheWriteTokens: number;
	durationMs: number;
	attempts: Attempt[];
	outcome: RequestOutcome;
	stream: boolean;
	path: string;
	costUsd: number;
};

export type StoreEventKind =
	| 'rate-limited'
	| 'cooldown'
	| 'recovered'
	| 'overloaded'
	| 'auth'
	| 'forbidden'
	| 'health'
	| 'info';

/** Something the user should see happen: a 429, a cooldown with its deadline, a recovery. */
export type StoreEvent = {
	tsMs: number;
	kind: StoreEventKind;
	account?: string;
	message: string;
};

export type SavingsTotals = {
	inputTokens: number;
	outputTokens: number;
	cacheReadTokens: number;
	cacheWriteTokens: number;
	usd: number;
};

export type SavingsSummary = {
	today: SavingsTotals;
	week: SavingsTotals;
	allTime: SavingsTotals;
};

/** One account as the monitor and the status document see it. */
export type AccountView = {
	name: string;
	kind: AccountKind;
	/** 1-based position in config order: the pin key. */
	index: number;
	plan?: string;
	email?: string;
	state: AccountState;
	/** Epoch ms; 0 when not cooling. */
	cooldownUntilMs: number;
	/** Why it is cooling, e.g. "quota", "overloaded", "401". */
	cooldownReason?: string;
	utilization5h: number | null;
	utilization7d: number | null;
	/** Epoch seconds or null. */
	reset5h: number | null;
	reset7d: number | null;
	status5h?: string;
	status7d?: string;
	/** API-key family: requests remaining / limit, when known. */
	requestsRemaining?: number;
	requestsLimit?: number;
	/** Tokens used in the local 5-hour window. */
	windowTokens: number;
	pinned: boolean;
	/** Served the most recent successful request. */
	active: boolean;
	/** Requests routed to it in the last 60 s. */
	recentRequests: number;
	/** Command that fixes a reauth state, e.g. "shunt add-account work". */
	fixHint?: string;
};

export type Overrides = {
	strategy: StrategyName | null;
	model: string | null;
	effort: Effort | null;
	/** Requests per minute per subscription account; 0 = off; null = the configured default. */
	burstRpmLimit: number | null;
	fallbackModel: string | null;
	alertsMuted: boolean;
};

/** The immutable picture the monitor renders; rebuilt at most every ~80 ms. */
export type StoreSnapshot = {
	version: string;
	startedMs: number;
	nowMs: number;
	listenUrl: string;
	/** Effective strategy and whether it is a runtime override. */
	strategy: StrategyName;
	strategyOverridden: boolean;
	/** Effective burst limit (override ?? config). */
	burstRpmLimit: number;
	pinnedAccount: string | null;
	overrides: Overrides;
	heldRequests: number;
	inFlight: number;
	requestsPerMinute: number;
	accounts: AccountView[];
	/** Newest first, at most 200. */
	requests: RequestRecord[];
	/** Newest first, bounded. */
	events: StoreEvent[];
	savings: SavingsSummary;
	demo: boolean;
};

/** What the monitor may do to the store. Every call applies to the next routed request. */
export type StoreActions = {
	pin(account: string | null): void;
	setStrategy(strategy: StrategyName | null): void;
	setAlertsMuted(muted: boolean): void;
	setModelOverride(model: string | null): void;
	setEffortOverride(effort: Effort | null): void;
	setBurstRpmLimit(limit: number | null): void;
	setPaused(account: string, paused: boolean): void;
};

/** The store as the monitor sees it: batched snapshots plus actions (read with useSyncExternalStore). */
export type MonitorStore = StoreActions & {
	subscribe(listener: () => void): () => void;
	getSnapshot(): StoreSnapshot;
};
