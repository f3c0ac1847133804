// Where the next try of a request goes: an account, a fallback model, a wait for the soonest
// cooldown to end, or an answer saying why nobody can serve it.
import {pickAccount, soonestFreeAt, type FreeAt} from '../routing/route.js';
import {explainDecision, type Decision} from '../routing/explain.js';
import type {RouteDecision, RouteRequest} from '../routing/types.js';
import type {ProxyStore} from '../state/ports.js';
import type {ExchangeState} from './exchange-state.js';
import {fallbackModelFor} from './model-fallback.js';
import {noAccountResponse, type NoAccountAnswer} from './no-account.js';

export type Choice
	= {kind: 'pick'; decision: RouteDecision; explain: () => Decision}
		| {kind: 'fallback'; model: string}
		| {kind: 'hold'; untilMs: number; freeAt: FreeAt; reason: string}
		| {kind: 'answer'; answer: NoAccountAnswer; explain: () => Decision};

// What a held request is waiting for, as the log and the status document say it.
const holdReasons: Record<FreeAt['cause'], string> = {
	cooling: 'all cooling',
	spent: 'spent window',
	burst: 'burst limit',
	'key-limit': 'key bucket drained',
};

/** A held request wakes this long after the deadline it waits for, so the account is free by then. */
const holdMarginMs = 50;

/** `closing`: the server is stopping, so nothing is held; the client hears what it would after the hold. */
export function choose(store: ProxyStore, state: ExchangeState, closing = false): Choice {
	const snapshot = store.routingSnapshot();
	const now = snapshot.nowMs;
	const {allowKinds} = state.door;
	// What this request may wait for and what its answer speaks of: the accounts its door may use.
	const usable = allowKinds ? {...snapshot, accounts: snapshot.accounts.filter(account => allowKinds.has(account.kind))} : snapshot;
	// Past the deadline nothing more is tried: the client is answered before its own watchdog.
	const timedOut = now >= state.deadlineMs;
	if (!timedOut) {
		const sticky = state.session ? store.stickySession(state.session) : undefined;
		const route: RouteRequest = {
			tried: state.tried, model: state.body.model, sticky, carouselCounter: store.peekCarousel(), allowKinds,
		};
		const decision = pickAccount(snapshot, route);
		if (decision) {
			// Explained lazily, once, for the try whose answer the client gets.
			return {kind: 'pick', decision, explain: () => explainDecision(snapshot, route, decision, state.fellBack)};
		}

		// Fall back only where the other model really finds an account. Accounts that refused just
		// this model (a model-scoped limit) may serve the fallback; others stay tried.
		const fallback = state.fellBack || !state.body.model ? undefined : fallbackModelFor(state.body.model, store.effectiveFallbackModel());
		if (fallback) {
			const stillTried = new Set([...state.tried].filter(name => !state.modelScoped.has(name)));
			if (pickAccount(snapshot, {...route, tried: stillTried, model: fallback})) {
				return {kind: 'fallback', model: fallback};
			}
		}
	}

	// A request refused for itself (overload, a 429 without limits) had its one pass: it is not
	// held for the short rests those refusals cause, the client hears the upstream's answer now.
	const freeAt = soonestFreeAt(usable, state.body.model, kind => kind !== 'auth');
	if (!closing && !state.requestScoped && !timedOut && freeAt !== undefined && freeAt.atMs + holdMarginMs <= Math.min(state.holdUntilMs, state.deadlineMs)) {
		return {
			kind: 'hold', untilMs: freeAt.atMs + holdMarginMs, freeAt, reason: holdReasons[freeAt.cause],
		};
	}

	const route: RouteRequest = {
		tried: state.tried, model: state.body.model, carouselCounter: 0, allowKinds,
	};
	return {
		kind: 'answer',
		explain: () => explainDecision(snapshot, route, undefined, state.fellBack),
		answer: noAccountResponse({
			snapshot: usable,
			noAccounts: snapshot.accounts.length > 0 ? state.door.noAllowedAccount : undefined,
			freeAt,
			lastFailure: state.lastFailure,
			lastConnectionError: state.lastConnectionError,
			requestScoped: state.requestScoped,
			timedOut,
			telemetry: name => store.telemetry(name),
			fixHint: name => store.fixHint(name),
		}),
	};
}
