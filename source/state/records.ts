// What the store keeps about requests and what happened: the request ring, events, savings.
import type {Decision} from '../routing/explain.js';

/** One failed try that preceded a request's final answer. */
export type Attempt = {
	account: string;
	/** Upstream HTTP status, or 0 for a connection failure. */
	status: number;
	/** Short reason: "quota", "busy", "overloaded", "connect ECONNREFUSED", "held 15s: all cooling", … */
	reason?: string;
};

/** A wait between tries: the request was held for a cooldown to end, then tried again. */
export type Hold = {
	/** How many failed tries came before it. */
	afterAttempts: number;
	ms: number;
	/** What it waited for: "all cooling", "spent window", "burst limit", … */
	reason: string;
};

/** The API a client spoke to shunt: the Messages API, or OpenAI's Chat Completions translated to it. */
/** The APIs clients speak to shunt, each list written once (history reads names back against it). */
export const frontDoorNames = ['anthropic', 'openai'] as const;
export type FrontDoorName = (typeof frontDoorNames)[number];

/** How a proxied response ended. */
export type RequestOutcome = 'complete' | 'error' | 'truncated' | 'client-cancelled';

/** One entry of the request ring: one per client request. */
export type RequestRecord = {
	id: string;
	/** When it finished (epoch ms). */
	tsMs: number;
	/** When it arrived (epoch ms): the log lists requests in this order. */
	startedMs: number;
	/** The account that answered; null when shunt answered itself (see shuntReason). */
	account: string | null;
	/** The model sent upstream (or the one the upstream says answered). */
	model: string;
	/** The model the client asked for, when an override or a fallback changed it. */
	requestedModel?: string;
	status: number;
	inputTokens: number;
	outputTokens: number;
	cacheReadTokens: number;
	cacheWriteTokens: number;
	/** The 5-minute / 1-hour split of cacheWriteTokens, when the answer gave it. */
	cacheWrite5mTokens?: number;
	cacheWrite1hTokens?: number;
	durationMs: number;
	/** From arrival to the first byte sent to the client; null when nothing was sent from upstream. */
	ttftMs: number | null;
	attempts: Attempt[];
	/** Waits for a cooldown to end between tries, when there were any. */
	holds?: Hold[];
	outcome: RequestOutcome;
	stream: boolean;
	path: string;
	/** Which front door the request came through. */
	frontDoor: FrontDoorName;
	costUsd: number;
	/** Why routing chose the account (or nobody): every account's eligibility and score. */
	decision?: Decision;
	/** shunt answered itself (nobody could serve): why, in a few words. */
	shuntReason?: string;
	/** Fields removed because the model shunt chose (override, fallback) refuses them. */
	removedFields?: string[];
	/** A short hash of the session key (which conversation it belongs to); never the key or any prompt text. */
	sessionHash?: string;
};

export const storeEventKinds = ['rate-limited', 'cooldown', 'recovered', 'overloaded', 'auth', 'forbidden', 'health', 'moved', 'window', 'info'] as const;
export type StoreEventKind = (typeof storeEventKinds)[number];

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
