import type {IncomingHttpHeaders, OutgoingHttpHeaders} from 'node:http';
import {waitKindOf, type FreeAt} from '../routing/route.js';
import type {RoutingAccount, RoutingSnapshot} from '../routing/types.js';
import type {RateLimitTelemetry} from '../anthropic/telemetry.js';
import {anthropicErrorBody} from '../anthropic/errors.js';
import {rejectedUnifiedHeaders} from '../anthropic/unified-headers.js';
import {formatDuration} from '../util/duration.js';
import {clockTime} from '../util/clock-time.js';
import {clientResponseHeaders} from './forwarded-headers.js';

/** The upstream's own answer to an earlier try of this request, kept to replay it. */
export type FailedAnswer = {account: string; status: number; headers: IncomingHttpHeaders; body: Buffer};

export type NoAccountInput = {
	/** The accounts the request may use (its front door may rule some kinds out). */
	snapshot: RoutingSnapshot;
	/** What to say when there are none of those, when it is not "no accounts configured". */
	noAccounts?: string;
	/** The soonest account to free up that a request may wait for (never an auth wait). */
	freeAt: FreeAt | undefined;
	lastFailure: FailedAnswer | undefined;
	lastConnectionError: string | undefined;
	/** The request's tries were refused for the request itself (a 429 without limits, a 529). */
	requestScoped: boolean;
	/** The request waited as long as it may (its deadline passed) without an answer. */
	timedOut: boolean;
	telemetry: (account: string) => RateLimitTelemetry | undefined;
	fixHint: (account: string) => string;
};

export type NoAccountAnswer = {
	status: number;
	headers: OutgoingHttpHeaders;
	body: string | Buffer;
	/** The account whose answer this is; null when shunt answers for the pool. */
	account: string | null;
	message: string;
	/** shunt's own answer, in a few words for the log ("out of quota", "overloaded", …); absent for a replay. */
	reason?: string;
	/** Nothing can serve anything until the user acts. */
	allOffline: boolean;
};

function errorAnswer(status: number, type: string, message: string, reason: string, headers: OutgoingHttpHeaders = {}): NoAccountAnswer {
	const body = anthropicErrorBody(type, message);
	return {
		status,
		headers: {...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body)},
		body,
		account: null,
		message,
		reason,
		allOffline: false,
	};
}

/** The upstream's answer as it was, for the client. */
function replay(failure: FailedAnswer): NoAccountAnswer {
	const headers = clientResponseHeaders(failure.headers, failure.account);
	delete headers['transfer-encoding'];
	headers['content-length'] = failure.body.length;
	return {status: failure.status, headers, body: failure.body, account: failure.account, message: `upstream answered ${failure.status}`, allOffline: false};
}

/**
 * Nobody can take the request soon enough, answered by what the pool is waiting out:
 * - spent windows → an honest 429 with the soonest account's unified headers (Claude Code shows a
 *   plan limit with its reset) and a retry-after that is the real wait, x-should-retry: false so
 *   SDKs do not sleep for hours;
 * - rate limits (bursts, API-key buckets) → a 429 without unified headers: a temporary limit the
 *   client may retry after retry-after;
 * - overload → 529 overloaded_error: never dressed up as a plan limit.
 */
function waitAnswer(input: NoAccountInput, freeAt: FreeAt): NoAccountAnswer {
	const {snapshot} = input;
	const waitMs = Math.max(0, freeAt.atMs - snapshot.nowMs);
	const retryAfter = String(Math.ceil(waitMs / 1000));
	const when = `${freeAt.account} frees up in ${formatDuration(waitMs, 'up')} (at ${clockTime(freeAt.atMs)})`;
	const count = snapshot.accounts.length;
	const all = count === 1 ? 'The only account is' : `All ${count} accounts are`;
	switch (freeAt.kind) {
		case 'quota': {
			const headers = {
				...rejectedUnifiedHeaders(input.telemetry(freeAt.account), Math.ceil(freeAt.atMs / 1000)),
				'retry-after': retryAfter,
				'x-should-retry': 'false',
				'x-shunt-account': freeAt.account,
			};
			return errorAnswer(429, 'rate_limit_error', `${all} out of quota; ${when}.`, 'all out of quota', headers);
		}

		case 'overloaded': {
			return errorAnswer(529, 'overloaded_error', `The upstream is overloaded on every account; ${when}.`, 'all overloaded', {'retry-after': retryAfter, 'x-should-retry': 'true'});
		}

		default: {
			return errorAnswer(429, 'rate_limit_error', `${all} rate-limited for the moment (not a plan limit); ${when}.`, freeAt.cause === 'burst' ? 'all at burst limit' : 'all rate-limited', {'retry-after': retryAfter, 'x-should-retry': 'true'});
		}
	}
}

function blockedBecause(account: RoutingAccount, input: NoAccountInput): string {
	if (account.paused) {
		return `${account.name} is paused`;
	}

	if (account.authFailed) {
		return `${account.name} needs a new login (${input.fixHint(account.name)})`;
	}

	if (account.cooldownUntilMs > input.snapshot.nowMs && waitKindOf(account.cooldownReason) === 'auth') {
		return `${account.name} was refused by the API (${account.cooldownReason}); tried again at ${clockTime(account.cooldownUntilMs)}`;
	}

	if (account.unhealthy) {
		return `${account.name} is failing health checks`;
	}

	return `${account.name} cannot serve this model`;
}

/**
 * The answer when no account takes a request and none frees up within the hold limit, in this order:
 * 1. the tries were refused for the request itself (a 529, a 429 without limits) → the upstream's
 *    own answer, at once (one pass over the accounts is enough; the client has its own retries);
 * 2. an account frees up later → the answer for what it waits out (see waitAnswer);
 * 3. an upstream answer from an earlier try (a 401 after a failed refresh, …) → passed on as it was;
 * 4. the deadline passed, or every try timed out → 504; the upstream unreachable → 502;
 * 5. nothing usable at all → 401 when every account is refused for its credentials, else 503,
 *    saying what to do.
 */
export function noAccountResponse(input: NoAccountInput): NoAccountAnswer {
	const {snapshot, freeAt, lastFailure, lastConnectionError} = input;
	if (input.requestScoped && lastFailure) {
		return replay(lastFailure);
	}

	if (freeAt !== undefined) {
		return waitAnswer(input, freeAt);
	}

	if (lastFailure) {
		return replay(lastFailure);
	}

	if (input.timedOut || lastConnectionError === 'timeout') {
		return errorAnswer(504, 'timeout_error', 'No account answered in time; shunt gave the request up before the client\'s own timeout.', 'no answer in time');
	}

	if (lastConnectionError) {
		return errorAnswer(502, 'api_error', `shunt could not reach the upstream API (${lastConnectionError}).`, 'upstream unreachable');
	}

	if (snapshot.accounts.length === 0) {
		return input.noAccounts
			? errorAnswer(503, 'api_error', input.noAccounts, 'no account for this client')
			: errorAnswer(503, 'api_error', 'shunt has no accounts configured. Add one with `shunt add-account`.', 'no accounts');
	}

	const reasons = snapshot.accounts.map(account => blockedBecause(account, input));
	const refusedCredentials = snapshot.accounts.every(account => account.authFailed
		|| (account.cooldownUntilMs > snapshot.nowMs && waitKindOf(account.cooldownReason) === 'auth'));
	const message = `No account can take requests: ${reasons.join('; ')}.`;
	const answer = refusedCredentials
		? errorAnswer(401, 'authentication_error', message, 'every login refused')
		: errorAnswer(503, 'api_error', message, 'no account can serve');
	answer.allOffline = snapshot.accounts.every(account => account.paused || account.authFailed || account.unhealthy);
	return answer;
}
