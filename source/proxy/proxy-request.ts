import type {IncomingMessage, ServerResponse} from 'node:http';
import type {AuthProvider} from '../accounts/auth-provider.js';
import {MissingCredentialError} from '../accounts/auth-provider.js';
import type {Alerts} from '../alerts/alerts.js';
import {costUsd} from '../pricing/cost.js';
import {pickAccount, soonestFreeAt} from '../routing/route.js';
import {sessionKey} from '../routing/session-key.js';
import type {StateStore} from '../state/store.js';
import type {Attempt, RequestOutcome, Usage} from '../types.js';
import {sendAnthropicError} from './anthropic-error.js';
import {classifyResponse, type Verdict} from './classify-response.js';
import type {FailurePolicy} from './failure-policy.js';
import {Cancellation} from '../util/cancellation.js';
import {clockTime} from '../util/clock-time.js';
import {clientResponseHeaders, upstreamRequestHeaders} from './forwarded-headers.js';
import {fallbackModelFor} from './model-fallback.js';
import {noAccountResponse} from './no-account.js';
import {parseRateLimitHeaders} from './rate-limit-headers.js';
import {BodyTooLargeError, readBody} from './read-body.js';
import {applyOverrides, outgoingBody, parseJsonObject, withModel, type OutgoingBody} from './request-body.js';
import {SseUsageTap, usageFromJson} from './sse-usage.js';
import {describeConnectionError, readSmallBody, sendUpstream, type UpstreamResponse} from './upstream-client.js';

export type ProxyContext = {
	store: StateStore;
	auth: AuthProvider;
	/**
	 * The upstream's origin and base path without a trailing slash. The upstream may carry a base
	 * path (a corporate gateway); each client path goes below it.
	 */
	upstreamBase: string;
	policy: FailurePolicy;
	alerts: Alerts;
	maxHoldMs: number;
	firstByteTimeoutMs: number;
};

// Request ids only need to be unique within this process (the ring and the log); a counter is
// far cheaper than random bytes on the request path.
let requestCounter = 0;
const idPrefix = Date.now().toString(36);
function nextRequestId(): string {
	requestCounter++;
	return `${idPrefix}-${requestCounter.toString(36)}`;
}

/** Non-streaming bodies are parsed for usage up to this size; bigger ones pass through unparsed. */
const maxUsageBodyBytes = 64 * 1024 * 1024;
const holdMarginMs = 50;

type Finished = {
	account: string | null;
	status: number;
	outcome: RequestOutcome;
	usage?: Usage;
	model?: string;
	stream: boolean;
};

function wait(ms: number, cancellation: Cancellation): Promise<void> {
	return new Promise(resolve => {
		const timer = setTimeout(done, Math.max(0, ms));
		const forget = cancellation.onAbort(done);
		function done() {
			clearTimeout(timer);
			forget();
			resolve();
		}
	});
}

/**
 * One client request, end to end: route, forward, fail over before the first byte reaches the
 * client, hold while a cooldown ends soon, and otherwise answer honestly. Every failed try is
 * recorded in the request's attempts; usage is counted once, from the response the client got.
 */
export async function proxyRequest(context: ProxyContext, request: IncomingMessage, response: ServerResponse): Promise<void> {
	const {store} = context;
	const startedMs = store.now();
	const attempts: Attempt[] = [];
	const path = request.url ?? '/';
	const method = request.method ?? 'GET';
	const clientGone = new Cancellation();
	let current: UpstreamResponse | undefined;
	response.once('close', () => {
		if (!response.writableFinished) {
			clientGone.abort();
			current?.body.destroy();
		}
	});

	let body: OutgoingBody | undefined;
	const finish = (finished: Finished) => {
		const usage = finished.usage;
		const model = finished.model ?? body?.model ?? '';
		const finishedMs = store.now();
		store.recordRequest({
			id: nextRequestId(),
			// Logged when it finished (like an access log), so the newest-first ring stays in order.
			tsMs: finishedMs,
			account: finished.account,
			model,
			status: finished.status,
			inputTokens: usage?.inputTokens ?? 0,
			outputTokens: usage?.outputTokens ?? 0,
			cacheReadTokens: usage?.cacheReadInputTokens ?? 0,
			cacheWriteTokens: usage?.cacheCreationInputTokens ?? 0,
			durationMs: finishedMs - startedMs,
			attempts,
			outcome: finished.outcome,
			stream: finished.stream,
			path,
			costUsd: usage ? costUsd(model, usage) : 0,
		});
	};

	store.beginRequest();
	try {
		let bytes: Buffer;
		try {
			bytes = await readBody(request);
		} catch (error) {
			if (error instanceof BodyTooLargeError) {
				sendAnthropicError(response, 413, 'request_too_large', 'Request exceeds the maximum allowed number of bytes (32 MiB).');
				finish({account: null, status: 413, outcome: 'error', stream: false});
			}

			return;
		}

		body = applyOverrides(outgoingBody(bytes, parseJsonObject(bytes)), store.overrides);
		const session = sessionKey(request.headers, body.json);
		const isMessages = method === 'POST' && /^\/v1\/messages(?:\?|$)/.test(path);
		const upstreamUrl = new URL(`${context.upstreamBase}${path.replace(/^\/+/, '/')}`);
		const tried = new Set<string>();
		const refreshed = new Set<string>();
		const modelScoped = new Set<string>();
		const holdDeadline = startedMs + context.maxHoldMs;
		let fellBack = false;
		let lastFailure: {account: string; status: number; headers: UpstreamResponse['headers']; body: Buffer} | undefined;
		let lastConnectionError: string | undefined;

		for (;;) {
			if (clientGone.aborted) {
				finish({account: null, status: 499, outcome: 'client-cancelled', stream: false});
				return;
			}

			const snapshot = store.routingSnapshot();
			const stickyAccount = session ? store.stickyAccount(session) : undefined;
			const route = {tried, model: body.model, stickyAccount, carouselCounter: store.peekCarousel()};
			const decision = pickAccount(snapshot, route);
			if (!decision) {
				const fallback = fellBack || !body.model ? undefined : fallbackModelFor(body.model, store.effectiveFallbackModel());
				// Fall back only where the other model really finds an account. Accounts that refused
				// just this model (a model-scoped limit) may serve the fallback; others stay tried.
				const stillTried = new Set([...tried].filter(name => !modelScoped.has(name)));
				if (fallback && pickAccount(snapshot, {...route, tried: stillTried, model: fallback})) {
					store.addEvent('info', `no account can serve ${body.model}; falling back to ${fallback}`);
					body = withModel(body, fallback);
					fellBack = true;
					for (const name of modelScoped) {
						tried.delete(name);
					}

					continue;
				}

				const freeAt = soonestFreeAt(snapshot, body.model);
				if (freeAt !== undefined && freeAt.atMs <= holdDeadline) {
					store.holdStarted();
					try {
						await wait(freeAt.atMs - store.now() + holdMarginMs, clientGone);
					} finally {
						store.holdEnded();
					}

					tried.clear();
					continue;
				}

				const answer = noAccountResponse({snapshot, freeAt, lastFailure, lastConnectionError, telemetry: name => store.telemetry(name), fixHint: name => store.fixHint(name)});
				response.writeHead(answer.status, answer.headers);
				response.end(answer.body);
				finish({account: answer.account, status: answer.status, outcome: 'error', stream: false});
				if (answer.allOffline) {
					context.alerts.raise('all-offline', answer.message);
				}

				return;
			}

			if (decision.reason === 'carousel') {
				store.nextCarousel();
			}

			const account = decision.account;
			store.recordAttempt(account, isMessages);
			let credential;
			try {
				credential = await context.auth.credential(account);
			} catch (error) {
				if (!(error instanceof MissingCredentialError)) {
					throw error;
				}

				store.setAuthFailed(account, true);
				attempts.push({account, status: 0, reason: 'no credential'});
				tried.add(account);
				continue;
			}

			try {
				current = await sendUpstream({
					url: upstreamUrl,
					method,
					headers: upstreamRequestHeaders(request.headers, credential),
					body: body.bytes,
					firstByteTimeoutMs: context.firstByteTimeoutMs,
				});
			} catch (error) {
				if (clientGone.aborted) {
					continue;
				}

				lastConnectionError = describeConnectionError(error);
				attempts.push({account, status: 0, reason: lastConnectionError});
				tried.add(account);
				continue;
			}

			const telemetry = parseRateLimitHeaders(current.headers, store.now());
			if (telemetry) {
				store.recordTelemetry(account, telemetry);
			}

			const verdict: Verdict = current.status < 400
				? {kind: 'deliver'}
				: classifyResponse({
					status: current.status,
					headers: current.headers,
					telemetry,
					accountKind: credential.kind,
					model: body.model,
					nowMs: store.now(),
					policy: context.policy,
				});

			if (verdict.kind === 'deliver') {
				if (current.status < 300) {
					store.recordSuccess(account);
					if (session && isMessages) {
						store.setSticky(session, account);
					}
				}

				finish(await deliver(current, response, account, clientGone));
				return;
			}

			const errorBody = await readSmallBody(current.body);
			lastFailure = {account, status: current.status, headers: current.headers, body: errorBody};
			attempts.push({account, status: current.status, reason: verdict.reason});
			if (verdict.refresh && !refreshed.has(account)) {
				refreshed.add(account);
				if (await context.auth.refreshAfterUnauthorized(account, credential.secret)) {
					// Same account again with its new token; it is not marked tried.
					continue;
				}
			}

			applyVerdict(context, account, verdict);
			tried.add(account);
			if (verdict.excludeModel) {
				modelScoped.add(account);
			}
		}
	} finally {
		current = undefined;
		store.endRequest();
	}
}

/** Records what a failed try means for the account: cooldown, model exclusion, reauth, alerts. */
function applyVerdict(context: ProxyContext, account: string, verdict: Extract<Verdict, {kind: 'failover'}>): void {
	const {store, alerts, policy} = context;
	if (verdict.unauthorized && store.recordUnauthorized(account) >= policy.unauthorizedBeforeReauth) {
		store.setAuthFailed(account, true);
		alerts.raise('reauth', `${account} keeps answering 401; run: ${store.fixHint(account)}`, account);
	}

	if (verdict.excludeModel) {
		store.excludeModel(account, verdict.excludeModel.model, verdict.excludeModel.untilMs);
		store.addEvent('rate-limited', `${account}: ${verdict.reason} for ${verdict.excludeModel.model}; other models still go there`, account);
	}

	if (verdict.cooldown) {
		const deadline = store.setCooldown(account, verdict.cooldown.untilMs, {reason: verdict.cooldown.reason, staggered: verdict.cooldown.staggered});
		const seconds = Math.round((deadline - store.now()) / 1000);
		const message = `${account} ${verdict.reason}: cooling ${seconds}s until ${clockTime(deadline)}`;
		if (verdict.alert) {
			const spent = verdict.spentUntilMs ? ` (quota back ${new Date(verdict.spentUntilMs).toLocaleString()})` : '';
			alerts.raise(verdict.alert, `${message}${spent}`, account);
		} else {
			store.addEvent(verdict.reason === 'overloaded' ? 'overloaded' : 'cooldown', message, account);
		}
	}
}

/**
 * Streams the chosen upstream response to the client as it arrives, chunk by chunk, reading usage
 * on the side. After the first byte there is no failover: an upstream that breaks off ends the
 * client's response cleanly (never left hanging) and the request is recorded as truncated.
 */
async function deliver(upstream: UpstreamResponse, response: ServerResponse, account: string, clientGone: Cancellation): Promise<Finished> {
	const contentType = String(upstream.headers['content-type'] ?? '');
	const stream = contentType.includes('text/event-stream');
	const tap = stream ? new SseUsageTap() : undefined;
	const jsonChunks: Buffer[] | undefined = !stream && contentType.includes('json') && upstream.status < 300 ? [] : undefined;
	let jsonBytes = 0;

	response.writeHead(upstream.status, clientResponseHeaders(upstream.headers, account));
	if (stream) {
		// A stream's headers go out at once: the client learns which account took it before the
		// first event. A plain response's headers ride with its first body chunk (one write, not two).
		response.flushHeaders();
	}

	const ended = await new Promise<'end' | 'error' | 'client'>(resolve => {
		const source = upstream.body;
		const onData = (chunk: Buffer) => {
			tap?.push(chunk);
			if (jsonChunks && jsonBytes < maxUsageBodyBytes) {
				jsonChunks.push(chunk);
				jsonBytes += chunk.length;
			}

			if (!response.write(chunk)) {
				source.pause();
			}
		};

		const onDrain = () => source.resume();
		let forgetClient = () => {};
		const cleanup = () => {
			source.off('data', onData);
			response.off('drain', onDrain);
			forgetClient();
		};

		source.on('data', onData);
		response.on('drain', onDrain);
		source.once('end', () => {
			cleanup();
			resolve('end');
		});
		source.once('error', () => {
			cleanup();
			resolve(clientGone.aborted ? 'client' : 'error');
		});
		// A connection that closes before the body ended is a break, even when no error is raised.
		source.once('close', () => {
			if (!source.complete) {
				cleanup();
				resolve(clientGone.aborted ? 'client' : 'error');
			}
		});
		forgetClient = clientGone.onAbort(() => {
			cleanup();
			source.destroy();
			resolve('client');
		});
	});

	if (ended !== 'client' && !response.writableEnded) {
		response.end();
	}

	tap?.end();
	let usage = tap?.usage;
	if (jsonChunks && ended === 'end' && jsonBytes < maxUsageBodyBytes) {
		usage = usageFromJson(parseJsonObject(Buffer.concat(jsonChunks)));
	}

	let outcome: RequestOutcome;
	if (ended === 'client') {
		outcome = 'client-cancelled';
	} else if (upstream.status >= 400 || tap?.error) {
		outcome = 'error';
	} else if (ended === 'error' || (tap && !tap.sawMessageStop)) {
		outcome = 'truncated';
	} else {
		outcome = 'complete';
	}

	return {account, status: upstream.status, outcome, usage, model: tap?.model, stream};
}
