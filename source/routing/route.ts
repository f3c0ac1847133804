// Picks the account for one attempt: the pin, then the session's sticky account, then the
// strategy. Pure: a snapshot and a request in, a decision out; the caller does the bookkeeping
// (recording the attempt, storing stickiness, advancing the carousel counter).
import {applyStrategy} from './strategies.js';
import type {RouteDecision, RouteRequest, RoutingAccount, RoutingSnapshot} from './types.js';

export type IneligibleReason =
	| 'tried'
	| 'paused'
	| 'reauth'
	| 'cooling'
	| 'exhausted'
	| 'unhealthy'
	| 'model-excluded'
	| 'burst'
	| 'key-limit';

/** Why an account cannot take this request, or undefined when it can. */
export function ineligibleReason(account: RoutingAccount, snapshot: RoutingSnapshot, request: RouteRequest): IneligibleReason | undefined {
	const blocked = hardBlock(account, snapshot, request);
	if (blocked) {
		return blocked;
	}

	const {nowMs} = snapshot;
	if (isExhausted(account, nowMs)) {
		return 'exhausted';
	}

	if (account.unhealthy) {
		return 'unhealthy';
	}

	if (isModelExcluded(account, request.model)) {
		return 'model-excluded';
	}

	if (account.kind === 'oauth') {
		// The per-minute burst limit protects subscription accounts from looking abusive.
		if (snapshot.burstRpmLimit > 0 && account.burstCount >= snapshot.burstRpmLimit) {
			return 'burst';
		}
	} else if (account.keyBlockedUntilMs !== undefined && account.keyBlockedUntilMs > nowMs) {
		// API keys carry their own per-minute buckets; a drained one says when it refills.
		return 'key-limit';
	}

	return undefined;
}

export function isEligible(account: RoutingAccount, snapshot: RoutingSnapshot, request: RouteRequest): boolean {
	return ineligibleReason(account, snapshot, request) === undefined;
}

export function pickAccount(snapshot: RoutingSnapshot, request: RouteRequest): RouteDecision | undefined {
	// The pin is the user's explicit choice: it only yields to what would fail for certain
	// (tried, paused, no credentials, cooling), not to quota figures or health guesses.
	if (snapshot.pinned !== null) {
		const pinned = snapshot.accounts.find(account => account.name === snapshot.pinned);
		if (pinned && hardBlock(pinned, snapshot, request) === undefined) {
			return {account: pinned.name, reason: 'pinned'};
		}
	}

	if (request.stickyAccount !== undefined) {
		const sticky = snapshot.accounts.find(account => account.name === request.stickyAccount);
		if (sticky && isEligible(sticky, snapshot, request)) {
			return {account: sticky.name, reason: 'sticky'};
		}
	}

	const eligible = snapshot.accounts.filter(account => isEligible(account, snapshot, request));
	return eligible.length === 0 ? undefined : applyStrategy(eligible, snapshot, request);
}

/** How long a burst-limited account is assumed to need before a slot frees up. */
const burstRecheckMs = 5000;

/** The instant an account's cooldown, spent window or spent API-key bucket ends; 0 when none is running. */
function spentUntil(account: RoutingAccount, nowMs: number): number {
	let until = account.cooldownUntilMs;
	for (const [status, reset] of [[account.status5h, account.reset5h], [account.status7d, account.reset7d]] as const) {
		if (status === 'rejected' && reset !== undefined) {
			until = Math.max(until, reset * 1000);
		}
	}

	if (account.keyBlockedUntilMs !== undefined) {
		until = Math.max(until, account.keyBlockedUntilMs);
	}

	return until > nowMs ? until : 0;
}

/**
 * When the soonest account could take a request for `model` again (epoch ms), or undefined when
 * none will without the user: paused, needs re-auth, unhealthy, refusing the model, or failed
 * without any cooldown. This is what a held request waits for.
 */
export function soonestFreeAt(snapshot: RoutingSnapshot, model: string | undefined): {atMs: number; account: string} | undefined {
	const {nowMs} = snapshot;
	let soonest: {atMs: number; account: string} | undefined;
	for (const account of snapshot.accounts) {
		if (account.paused || account.authFailed || account.unhealthy) {
			continue;
		}

		if (model && account.excludedModels.some(excluded => model.toLowerCase().includes(excluded))) {
			continue;
		}

		let freeAt = spentUntil(account, nowMs);
		if (freeAt === 0 && account.kind === 'oauth' && snapshot.burstRpmLimit > 0 && account.burstCount >= snapshot.burstRpmLimit) {
			freeAt = nowMs + burstRecheckMs;
		}

		if (freeAt > 0 && (soonest === undefined || freeAt < soonest.atMs)) {
			soonest = {atMs: freeAt, account: account.name};
		}
	}

	return soonest;
}

/** The checks even a pinned account must pass. */
function hardBlock(account: RoutingAccount, snapshot: RoutingSnapshot, request: RouteRequest): IneligibleReason | undefined {
	if (request.tried.has(account.name)) {
		return 'tried';
	}

	if (account.paused) {
		return 'paused';
	}

	if (account.authFailed) {
		return 'reauth';
	}

	if (snapshot.nowMs < account.cooldownUntilMs) {
		return 'cooling';
	}

	return undefined;
}

// Anthropic marks a spent window "rejected"; the verdict lapses once that window's reset passes.
function isExhausted(account: RoutingAccount, nowMs: number): boolean {
	const nowSeconds = nowMs / 1000;
	const spent = (status: string | undefined, reset: number | undefined): boolean =>
		status === 'rejected' && reset !== undefined && reset > nowSeconds;
	return spent(account.status5h, account.reset5h) || spent(account.status7d, account.reset7d);
}

function isModelExcluded(account: RoutingAccount, model: string | undefined): boolean {
	if (!model || account.excludedModels.length === 0) {
		return false;
	}

	const wanted = model.toLowerCase();
	return account.excludedModels.some(excluded => excluded !== '' && wanted.includes(excluded.toLowerCase()));
}
