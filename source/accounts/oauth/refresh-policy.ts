// When a subscription login is refreshed, and how long a failed refresh waits. Pure rules over one
// account's refresh state: the provider does the I/O and the bookkeeping, these decide.
import type {OAuthCredential} from '../types.js';
import type {TokenPair} from './stored-pairs.js';
import type {TokenErrorKind} from './token-client.js';

/** One subscription login and where its refreshing stands. */
export type OAuthSlot = {
	readonly name: string;
	credential: OAuthCredential;
	/** Imported login: a file path or keychain:<service>. */
	source: string | undefined;
	/** Failed refreshes in a row. */
	failures: number;
	/** No refresh before this (backoff). */
	retryAtMs: number;
	/** The refresh token that got invalid_grant: never sent again. */
	deadRefreshToken: string | undefined;
	lastRefreshMs: number;
	/** The one forced refresh allowed within minGapMs of the last refresh has been used. */
	forcedInGap: boolean;
};

export type RefreshTimings = {
	/** Refresh when the access token expires within this long. */
	marginMs: number;
	/** Backoff after a failed (transient) refresh: first delay, doubling up to max. */
	retryFirstMs: number;
	retryMaxMs: number;
	/** No refresh this soon after the last one but a single forced one (no rotation loops). */
	minGapMs: number;
};

/** A pair found outside memory, and where the login comes from according to that store. */
export type PairCandidate = {pair: TokenPair; source?: string | undefined};

/** A login that has never been refreshed here. "login" (a browser login) is no source to sync with. */
export function newSlot(name: string, credential: OAuthCredential, source: string | undefined): OAuthSlot {
	return {
		name,
		credential,
		source: source && source !== 'login' ? source : undefined,
		failures: 0,
		retryAtMs: 0,
		deadRefreshToken: undefined,
		lastRefreshMs: 0,
		forcedInGap: false,
	};
}

/** The refresh token got invalid_grant: only a new login helps. */
export function isDead(slot: Pick<OAuthSlot, 'credential' | 'deadRefreshToken'>): boolean {
	return slot.deadRefreshToken !== undefined && slot.deadRefreshToken === slot.credential.refreshToken;
}

/**
 * When the next refresh may start: the margin before expiry, but not while backing off, and not
 * within the gap after a refresh (a token that lives shorter than the margin would rotate in a loop).
 */
export function dueAt(slot: Pick<OAuthSlot, 'credential' | 'retryAtMs' | 'lastRefreshMs'>, timings: Pick<RefreshTimings, 'marginMs' | 'minGapMs'>): number {
	return Math.max(slot.credential.expiresAt - timings.marginMs, slot.retryAtMs, slot.lastRefreshMs + timings.minGapMs);
}

export function isDue(slot: Pick<OAuthSlot, 'credential' | 'deadRefreshToken' | 'retryAtMs' | 'lastRefreshMs'>, now: number, timings: Pick<RefreshTimings, 'marginMs' | 'minGapMs'>): boolean {
	return !isDead(slot) && now >= dueAt(slot, timings);
}

/**
 * How long to wait after the failures-th failed refresh in a row (1 for the first): doubling from
 * retryFirstMs up to retryMaxMs, at least a 429's retry-after (itself capped at retryMaxMs).
 */
export function backoffAfter(failures: number, error: {kind: TokenErrorKind; retryAfterMs?: number | undefined}, timings: Pick<RefreshTimings, 'retryFirstMs' | 'retryMaxMs'>): number {
	if (error.kind === 'other') {
		// Not a dead token, but not going to fix itself in seconds either (a moved endpoint).
		return timings.retryMaxMs;
	}

	const delay = Math.min(timings.retryMaxMs, timings.retryFirstMs * (2 ** (failures - 1)));
	return error.retryAfterMs === undefined ? delay : Math.max(delay, Math.min(error.retryAfterMs, timings.retryMaxMs));
}

/**
 * The upstream refused our current token: may it be refreshed now, and the slot's forcedInGap
 * after asking. Not while backing off. A token refused again right after a refresh may have been
 * revoked again (a second login elsewhere): one more forced refresh is allowed inside the gap,
 * never a loop of them.
 */
export function mayForceRefresh(slot: Pick<OAuthSlot, 'retryAtMs' | 'lastRefreshMs' | 'forcedInGap'>, now: number, minGapMs: number): {allowed: boolean; forcedInGap: boolean} {
	if (now < slot.retryAtMs) {
		return {allowed: false, forcedInGap: slot.forcedInGap};
	}

	if (now - slot.lastRefreshMs < minGapMs) {
		return {allowed: !slot.forcedInGap, forcedInGap: true};
	}

	return {allowed: true, forcedInGap: false};
}

/**
 * A newer pair adopted from elsewhere makes our own refresh unnecessary unless it expires within
 * the margin as well; after a 401 (forced), any different access token is worth trying first.
 */
export function adoptionSuffices(before: OAuthCredential, adopted: OAuthCredential, now: number, marginMs: number, force: boolean): boolean {
	return adopted.expiresAt - now > marginMs || (force && adopted.accessToken !== before.accessToken);
}

/**
 * The newest candidate that is newer than ours: never the dead refresh token, never our own access
 * token back, so an older pair never replaces a newer one.
 */
export function newestPair(slot: Pick<OAuthSlot, 'credential' | 'deadRefreshToken'>, candidates: readonly PairCandidate[]): PairCandidate | undefined {
	const current = slot.credential;
	return candidates
		.filter(({pair}) => pair.expiresAt > current.expiresAt && pair.refreshToken !== slot.deadRefreshToken && pair.accessToken !== current.accessToken)
		.toSorted((a, b) => b.pair.expiresAt - a.pair.expiresAt)[0];
}
