// Picks the account for one attempt: the pin, then the session's sticky account, then the
// strategy. Pure: a snapshot and a request in, a decision out; the caller does the bookkeeping
// (recording the attempt, storing stickiness, advancing the carousel counter).
import {rebalance} from './rebalance.js';
import {applyStrategy} from './strategies.js';
import {isScoped, requestFamily, spentWindow} from './windows.js';
import type {RouteDecision, RouteRequest, RoutingAccount, RoutingSnapshot} from './types.js';

export type IneligibleReason =
	| 'kind'
	| 'tried'
	| 'paused'
	| 'reauth'
	| 'cooling'
	| 'exhausted'
	| 'model-window'
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
	const spent = spentWindow(account, requestFamily(request.model), nowMs);
	if (spent) {
		// A spent weekly Opus window keeps Opus away; Sonnet on the same account still goes.
		return isScoped(spent) ? 'model-window' : 'exhausted';
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

	const eligible = snapshot.accounts.filter(account => isEligible(account, snapshot, request));
	if (request.sticky !== undefined) {
		const sticky = eligible.find(account => account.name === request.sticky!.account);
		if (sticky) {
			// A conversation stays where its cache is warm unless its account is running hot (rebalance.ts).
			return rebalance(sticky, snapshot, request, eligible) ?? {account: sticky.name, reason: 'sticky'};
		}
	}

	return eligible.length === 0 ? undefined : applyStrategy(eligible, snapshot, request);
}

/** How long a burst-limited account is assumed to need before a slot frees up, when its stamps are unknown. */
const burstRecheckMs = 5000;

/**
 * What an account is waiting out. A held request may wait for `quota`, `rate` and `overloaded`
 * (they end by themselves); `auth` needs a working credential, so no request waits for it.
 */
export type WaitKind = 'quota' | 'rate' | 'overloaded' | 'auth';

/** What the account itself is blocked by: a cooldown, a spent window, its burst limit, a drained key bucket. */
export type WaitCause = 'cooling' | 'spent' | 'burst' | 'key-limit';

export type FreeAt = {atMs: number; account: string; kind: WaitKind; cause: WaitCause};

// Cooldown reasons as the failure policy writes them, and what each one waits for.
const cooldownKinds: Record<string, WaitKind> = {
	quota: 'quota',
	'rate limit': 'rate',
	'windowless 429': 'rate',
	overloaded: 'overloaded',
	'401': 'auth',
	forbidden: 'auth',
	'token refresh': 'auth',
};

export function waitKindOf(cooldownReason: string | undefined): WaitKind {
	return (cooldownReason !== undefined && Object.hasOwn(cooldownKinds, cooldownReason) ? cooldownKinds[cooldownReason] : undefined) ?? 'rate';
}

/**
 * When an account can take a request again (its cooldown, spent window, drained API-key bucket or
 * burst limit over), what it waits for and why; undefined when nothing timed blocks it.
 */
export function freeAtOf(account: RoutingAccount, snapshot: RoutingSnapshot, model?: string): Omit<FreeAt, 'account'> | undefined {
	const {nowMs} = snapshot;
	let free: Omit<FreeAt, 'account'> | undefined;
	const later = (atMs: number, kind: WaitKind, cause: WaitCause) => {
		if (atMs > nowMs && (free === undefined || atMs >= free.atMs)) {
			free = {atMs, kind, cause};
		}
	};

	later(account.cooldownUntilMs, waitKindOf(account.cooldownReason), 'cooling');
	const spent = spentWindow(account, requestFamily(model), nowMs);
	if (spent) {
		later(spent.reset! * 1000, 'quota', 'spent');
	}

	if (account.keyBlockedUntilMs !== undefined) {
		later(account.keyBlockedUntilMs, 'rate', 'key-limit');
	}

	if (!free && account.kind === 'oauth' && snapshot.burstRpmLimit > 0 && account.burstCount >= snapshot.burstRpmLimit) {
		// A slot frees when the oldest counted request leaves the minute (when the snapshot says).
		const slotMs = account.burstFreeAtMs !== undefined && account.burstFreeAtMs > nowMs ? account.burstFreeAtMs : nowMs + burstRecheckMs;
		free = {atMs: slotMs, kind: 'rate', cause: 'burst'};
	}

	return free;
}

/**
 * When the soonest account could take a request for `model` again, and what it is waiting out;
 * undefined when none will without the user: paused, needs re-auth, unhealthy, refusing the
 * model, or failed without any cooldown. `accept` narrows which waits count (a held request
 * waits for none of kind "auth").
 */
export function soonestFreeAt(snapshot: RoutingSnapshot, model: string | undefined, accept: (kind: WaitKind) => boolean = () => true): FreeAt | undefined {
	let soonest: FreeAt | undefined;
	for (const account of snapshot.accounts) {
		if (account.paused || account.authFailed || account.unhealthy) {
			continue;
		}

		if (isModelExcluded(account, model)) {
			continue;
		}

		const free = freeAtOf(account, snapshot, model);
		if (free && accept(free.kind) && (soonest === undefined || free.atMs < soonest.atMs)) {
			soonest = {...free, account: account.name};
		}
	}

	return soonest;
}

/** The checks even a pinned account must pass. */
function hardBlock(account: RoutingAccount, snapshot: RoutingSnapshot, request: RouteRequest): IneligibleReason | undefined {
	// Not a state of the account but a rule of the request: no pin or sticky entry overrides it.
	if (request.allowKinds && !request.allowKinds.has(account.kind)) {
		return 'kind';
	}

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

function isModelExcluded(account: RoutingAccount, model: string | undefined): boolean {
	if (!model || account.excludedModels.length === 0) {
		return false;
	}

	const wanted = model.toLowerCase();
	return account.excludedModels.some(excluded => excluded !== '' && wanted.includes(excluded.toLowerCase()));
}
