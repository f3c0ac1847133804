// One try of a request on one account: its credential, the upstream call, what the response says
// about the account, and what to do next (deliver, try the same account again, or move on).
import type {ServerResponse} from 'node:http';
import {MissingCredentialError} from '../accounts/auth-provider.js';
import type {Cancellation} from '../util/cancellation.js';
import {applyVerdict} from '../failover/apply-verdict.js';
import {classifyResponse, type Verdict} from '../failover/classify-response.js';
import {deliver} from './deliver.js';
import type {ExchangeState} from './exchange-state.js';
import {upstreamRequestHeaders} from './forwarded-headers.js';
import type {ProxyContext} from './proxy-context.js';
import {parseRateLimitHeaders, parseRetryAfterMs} from '../anthropic/rate-limit-headers.js';
import type {Finished} from './request-record.js';
import {describeConnectionError, readSmallBody, sendUpstream} from '../anthropic/upstream-client.js';
import {assertUpstreamOrigin} from './upstream-url.js';

const progressEveryMs = 250;

export type TryResult =
	| {kind: 'delivered'; finished: Finished}
	/** The token was renewed after a 401: the same account gets the request again. */
	| {kind: 'again'}
	/** Recorded in the request's attempts; the account is marked tried. */
	| {kind: 'failed'};

export async function tryAccount(context: ProxyContext, state: ExchangeState, account: string, response: ServerResponse, clientGone: Cancellation): Promise<TryResult> {
	const {store} = context;
	const stamp = store.recordAttempt(account, state.isMessages);
	let credential;
	try {
		credential = await context.auth.credential(account);
	} catch (error) {
		if (!(error instanceof MissingCredentialError)) {
			throw error;
		}

		store.setAuthFailed(account, true);
		return failed(state, account, 0, 'no credential');
	}

	// The last check before the credential leaves: it goes to the configured upstream only.
	assertUpstreamOrigin(state.upstreamUrl, context.upstream);
	const timeoutMs = Math.max(1, Math.min(state.perTryTimeoutMs, state.deadlineMs - store.now()));
	try {
		state.current = await sendUpstream({
			url: state.upstreamUrl,
			method: state.method,
			headers: upstreamRequestHeaders(state.clientHeaders, credential),
			body: state.body.bytes,
			firstByteTimeoutMs: timeoutMs,
		});
	} catch (error) {
		if (clientGone.aborted) {
			return {kind: 'failed'};
		}

		state.lastConnectionError = describeConnectionError(error);
		return failed(state, account, 0, state.lastConnectionError);
	}

	const upstream = state.current;
	const telemetry = parseRateLimitHeaders(upstream.headers, store.now());
	if (telemetry) {
		store.recordTelemetry(account, telemetry);
	}

	const verdict: Verdict = upstream.status < 400
		? {kind: 'deliver'}
		: classifyResponse({
			status: upstream.status,
			retryAfterMs: parseRetryAfterMs(firstValue(upstream.headers['retry-after']), store.now()),
			telemetry,
			accountKind: credential.kind,
			model: state.body.model,
			nowMs: store.now(),
			policy: context.policy,
		});

	if (verdict.kind === 'deliver') {
		if (upstream.status < 300) {
			store.recordSuccess(account);
			if (state.session && state.isMessages && state.bindsSession) {
				store.setSticky(state.session, account);
			}
		}

		state.live.update({state: 'streaming'});
		let lastProgressMs = 0;
		const delivered = await deliver(upstream, response, {
			account,
			clientGone,
			idle: context.upstreamIdle,
			sinkFor: (answer, stream) => state.reply.sink(answer, stream),
			onProgress({firstByte, outputTokens}) {
				// The live row is redrawn a few times a second at most: no need to note every chunk.
				const now = store.now();
				if (firstByte) {
					state.firstByteMs = now;
					lastProgressMs = now;
					state.live.update({firstByteMs: now, outputTokens});
				} else if (now - lastProgressMs >= progressEveryMs) {
					lastProgressMs = now;
					state.live.update({outputTokens});
				}
			},
		});
		return {kind: 'delivered', finished: {account, ...delivered}};
	}

	state.lastFailure = {account, status: upstream.status, headers: upstream.headers, body: await readSmallBody(upstream.body)};
	state.attempts.push({account, status: upstream.status, reason: verdict.reason});
	if (verdict.unauthorized) {
		// Refused for its token, not served: the try does not count against the burst limit.
		store.refundAttempt(account, stamp);
	}

	if (verdict.refresh && !state.refreshed.has(account)) {
		state.refreshed.add(account);
		if (await context.auth.refreshAfterUnauthorized(account, credential.secret)) {
			// Same account again with its new token; it is not marked tried.
			return {kind: 'again'};
		}
	}

	applyVerdict(context, account, verdict);
	state.tried.add(account);
	if (verdict.excludeModel) {
		state.modelScoped.add(account);
	}

	if (verdict.requestScoped) {
		state.requestScoped = true;
	}

	return {kind: 'failed'};
}

function failed(state: ExchangeState, account: string, status: number, reason: string): TryResult {
	state.attempts.push({account, status, reason});
	state.tried.add(account);
	return {kind: 'failed'};
}

function firstValue(value: string | string[] | undefined): string | undefined {
	return Array.isArray(value) ? value[0] : value;
}
