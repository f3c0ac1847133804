import type {AccountKind} from '../accounts/types.js';
import type {ModelFamily} from '../anthropic/models.js';
import type {StrategyName} from './strategy-names.js';

/**
 * What routing knows about one account at the moment of a decision. The store builds these;
 * routing never reads anything else, so every decision can be replayed from a snapshot.
 */
export type RoutingAccount = {
	name: string;
	kind: AccountKind;
	/** 0-based position in config order. */
	index: number;
	paused: boolean;
	/** Credentials need a new login (reauth) or are missing. */
	authFailed: boolean;
	/** Failed consecutive health checks. */
	unhealthy: boolean;
	/** Epoch ms; an account is cooling while nowMs < cooldownUntilMs. */
	cooldownUntilMs: number;
	/** Why it is cooling ("quota", "rate limit", "windowless 429", "overloaded", "401", "forbidden", "token refresh"). */
	cooldownReason?: string;
	/** Epoch ms when its most recent cooldown ended (0 = never cooled): drives maximus's 5-minute ramp. */
	lastCooldownEndMs: number;
	/** Unified windows. Utilization counts only while its reset is in the future. */
	util5h?: number;
	reset5h?: number;
	status5h?: string;
	util7d?: number;
	reset7d?: number;
	status7d?: string;
	/** Live model-scoped windows (a weekly Opus cap): they limit only requests of their family. */
	scoped?: readonly ScopedRoutingWindow[];
	/** Requests in flight on this account now: parallel work spreads by it. */
	inFlight?: number;
	/** Requests routed to this account in the last 60 s (every attempt counts). */
	burstCount: number;
	/** When the oldest of those leaves the 60 s window (a slot frees), epoch ms. */
	burstFreeAtMs?: number;
	/**
	 * API-key family headroom: the smallest remaining/limit among the requests and token buckets
	 * whose reset is still ahead; undefined when the headers never said.
	 */
	keyHeadroom?: number;
	/** Epoch ms until which the API-key family says no request can pass (remaining 0). */
	keyBlockedUntilMs?: number;
	/** Models this account must not serve right now (model-scoped rejections), lower-case substrings. */
	excludedModels: readonly string[];
	/** Epoch ms of the last request routed here (0 = never); ties go to the least recently used. */
	lastUsedMs: number;
};

export type ScopedRoutingWindow = {
	/** The header infix, e.g. "7d_opus". */
	name: string;
	family: ModelFamily;
	lengthSeconds: number;
	util?: number;
	/** Epoch seconds, ahead of the snapshot's clock. */
	reset: number;
	status?: string;
};

export type RoutingSnapshot = {
	nowMs: number;
	accounts: RoutingAccount[];
	pinned: string | null;
	strategy: StrategyName;
	/** Requests per rolling minute for subscription accounts; 0 = off. */
	burstRpmLimit: number;
	/** Reaper's "use it or lose it" window. */
	expirySoonSeconds: number;
};

export type RouteRequest = {
	/** Accounts already tried for this client request. */
	tried: ReadonlySet<string>;
	/** The model the request asks for (after overrides), for model-scoped exclusions. */
	model?: string;
	/** The account the session is stuck to and what is known about it, if its sticky entry is live. */
	sticky?: StickyView;
	/** A process-wide counter for carousel; the caller increments it after a carousel pick. */
	carouselCounter: number;
	/** Only accounts of these kinds may take the request (the OpenAI front door: API keys); undefined: any kind. */
	allowKinds?: ReadonlySet<AccountKind>;
};

/** A conversation's binding to an account, and what routing weighs before moving it. */
export type StickyView = {
	account: string;
	/** Cache read + cache write of its last answer: what a new account has to write again. */
	cachedTokens: number;
	/** Finished requests, and their input side (input + cache read + cache write) summed. */
	requests: number;
	inputTokens: number;
	/** Epoch ms of its first and latest bind. */
	firstMs: number;
	lastMs: number;
};

export type RouteReason = 'pinned' | 'sticky' | StrategyName;

/** A conversation taken off its hot account, with what the move costs. */
export type SessionMove = {
	from: string;
	/** The window that made it move ("5h", "7d", "7d_opus") and how full it was. */
	window: string;
	utilization: number;
	/** Tokens the new account writes to cache again (at the 5-minute or 1-hour write price). */
	cacheWriteTokens: number;
};

export type RouteDecision = {
	account: string;
	reason: RouteReason;
	/** The strategy's score for the chosen account, where it has one (maximus). */
	score?: number;
	/** Set when the session was moved off its sticky account. */
	moved?: SessionMove;
};
