import type {IncomingHttpHeaders, OutgoingHttpHeaders} from 'node:http';
import type {RoutingSnapshot} from '../routing/types.js';
import type {RateLimitTelemetry} from '../types.js';
import {anthropicErrorBody} from './anthropic-error.js';
import {formatDuration} from '../util/duration.js';
import {clientResponseHeaders} from './forwarded-headers.js';

export type NoAccountInput = {
	snapshot: RoutingSnapshot;
	/** The soonest account to free up, from routing's soonestFreeAt. */
	freeAt: {atMs: number; account: string} | undefined;
	lastFailure: {account: string; status: number; headers: IncomingHttpHeaders; body: Buffer} | undefined;
	lastConnectionError: string | undefined;
	telemetry: (account: string) => RateLimitTelemetry | undefined;
	fixHint: (account: string) => string;
};

export type NoAccountAnswer = {
	status: number;
	headers: OutgoingHttpHeaders;
	body: string | Buffer;
	account: string | null;
	message: string;
	/** Nothing can serve anything until the user acts. */
	allOffline: boolean;
};

function errorAnswer(status: number, type: string, message: string, headers: OutgoingHttpHeaders = {}, account: string | null = null): NoAccountAnswer {
	const body = anthropicErrorBody(type, message);
	return {
		status,
		headers: {...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body)},
		body,
		account,
		message,
		allOffline: false,
	};
}

/** The unified headers of the account that frees up first, so clients show a real "limit reached". */
function unifiedHeaders(telemetry: RateLimitTelemetry | undefined, freeAtSeconds: number): OutgoingHttpHeaders {
	const headers: OutgoingHttpHeaders = {
		'anthropic-ratelimit-unified-status': 'rejected',
		'anthropic-ratelimit-unified-reset': String(freeAtSeconds),
	};
	for (const [infix, window] of [['5h', telemetry?.fiveHour], ['7d', telemetry?.sevenDay]] as const) {
		if (window?.status) {
			headers[`anthropic-ratelimit-unified-${infix}-status`] = window.status;
		}

		if (window?.utilization !== undefined) {
			headers[`anthropic-ratelimit-unified-${infix}-utilization`] = String(window.utilization);
		}

		if (window?.reset !== undefined) {
			headers[`anthropic-ratelimit-unified-${infix}-reset`] = String(window.reset);
		}
	}

	if (telemetry?.representativeClaim) {
		headers['anthropic-ratelimit-unified-representative-claim'] = telemetry.representativeClaim;
	}

	return headers;
}

/**
 * The answer when no account can take a request and none frees up within the hold limit:
 * - every account spent → an honest 429 with the soonest account's unified headers and a
 *   retry-after that is the real wait (x-should-retry: false, so SDKs do not sleep for hours);
 * - the upstream unreachable from every account → 502;
 * - the last upstream error (a 529, a 401 …) → passed on as it was;
 * - nothing usable at all (paused, needs re-auth) → 503 saying what to do.
 */
export function noAccountResponse(input: NoAccountInput): NoAccountAnswer {
	const {snapshot, freeAt, lastFailure, lastConnectionError} = input;
	const now = snapshot.nowMs;
	if (freeAt !== undefined) {
		const soonest = freeAt.account;
		const waitMs = freeAt.atMs - now;
		const message = `All ${snapshot.accounts.length} accounts are rate-limited; ${soonest} frees up in ${formatDuration(waitMs, 'up')} (at ${new Date(freeAt.atMs).toISOString()}).`;
		const headers: OutgoingHttpHeaders = {
			...unifiedHeaders(input.telemetry(soonest), Math.ceil(freeAt.atMs / 1000)),
			'retry-after': String(Math.ceil(waitMs / 1000)),
			'x-should-retry': 'false',
			'x-shunt-account': soonest,
		};
		return errorAnswer(429, 'rate_limit_error', message, headers, soonest);
	}

	if (lastConnectionError && (!lastFailure)) {
		return errorAnswer(502, 'api_error', `shunt could not reach the upstream API (${lastConnectionError}).`);
	}

	if (lastFailure) {
		const headers = clientResponseHeaders(lastFailure.headers, lastFailure.account);
		delete headers['transfer-encoding'];
		headers['content-length'] = lastFailure.body.length;
		return {status: lastFailure.status, headers, body: lastFailure.body, account: lastFailure.account, message: `upstream answered ${lastFailure.status}`, allOffline: false};
	}

	const reasons = snapshot.accounts.map(account => {
		if (account.paused) {
			return `${account.name} is paused`;
		}

		if (account.authFailed) {
			return `${account.name} needs a new login (${input.fixHint(account.name)})`;
		}

		if (account.unhealthy) {
			return `${account.name} is failing health checks`;
		}

		return `${account.name} cannot serve this model`;
	});
	const message = snapshot.accounts.length === 0
		? 'shunt has no accounts configured. Add one with `shunt add-account`.'
		: `No account can take requests: ${reasons.join('; ')}.`;
	const answer = errorAnswer(503, 'api_error', message);
	answer.allOffline = snapshot.accounts.length > 0 && snapshot.accounts.every(account => account.paused || account.authFailed || account.unhealthy);
	return answer;
}
