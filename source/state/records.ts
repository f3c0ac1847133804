// What the store keeps about requests and what happened: the request ring, events, savings.
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
