// One client request, end to end: read its body, then choose an account, try it, and repeat
// until a response can be delivered, a cooldown is worth waiting for, or the request must be
// answered without an account. Failover happens only before the first byte reaches the client.
// Every failed try is kept in the request's attempts; usage is counted once, from the response
// the client got.
import type {IncomingMessage, ServerResponse} from 'node:http';
import {Cancellation} from '../util/cancellation.js';
import {sendAnthropicError} from '../anthropic/errors.js';
import {tryAccount} from './attempt.js';
import {choose} from './choose.js';
import type {ExchangeState} from './exchange-state.js';
import type {ProxyContext} from './proxy-context.js';
import {BodyIdleError, BodyTooLargeError, readBody} from './read-body.js';
import {requestRecord, type Finished} from './request-record.js';
import {applyOverrides, outgoingBody, withModel} from './request-body.js';
import {parseJsonObject} from '../util/json.js';
import {sessionKey} from '../routing/session-key.js';

export type Target = {
	/** The upstream URL this request goes to (built from the configured upstream). */
	url: URL;
	/** The request's path below the upstream base, normalised, without the query. */
	path: string;
	/** The target as the client sent it (for the log). */
	raw: string;
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

export async function proxyRequest(context: ProxyContext, request: IncomingMessage, response: ServerResponse, target: Target): Promise<void> {
	const {store} = context;
	const startedMs = store.now();
	const method = request.method ?? 'GET';
	const clientGone = new Cancellation();
	let state: ExchangeState | undefined;
	response.once('close', () => {
		if (!response.writableFinished) {
			clientGone.abort();
			state?.current?.body.destroy();
		}
	});

	const finish = (finished: Finished) => {
		store.recordRequest(requestRecord(finished, {
			startedMs,
			finishedMs: store.now(),
			requestedModel: state?.body.model,
			path: target.raw,
			attempts: state?.attempts ?? [],
		}));
	};

	store.beginRequest();
	try {
		let bytes: Buffer;
		try {
			bytes = await readBody(request, {idle: context.uploadIdle});
		} catch (error) {
			if (error instanceof BodyTooLargeError) {
				sendAnthropicError(response, 413, 'request_too_large', 'Request exceeds the maximum allowed number of bytes (32 MiB).');
				finish({account: null, status: 413, outcome: 'error', stream: false});
			} else if (error instanceof BodyIdleError) {
				sendAnthropicError(response, 408, 'invalid_request_error', `The request body stopped arriving for ${Math.round(context.uploadIdle.timeoutMs / 1000)} s.`, {connection: 'close'});
				response.once('finish', () => request.destroy());
				finish({account: null, status: 408, outcome: 'error', stream: false});
			}

			return;
		}

		const body = applyOverrides(outgoingBody(bytes, parseJsonObject(bytes)), store.overrides);
		const isMessages = method === 'POST' && target.path === '/v1/messages';
		// A non-streaming answer arrives whole, after all of its generation: it gets the SDK's own timeout.
		const wholeAnswer = isMessages && body.json?.['stream'] !== true;
		const deadlineMs = startedMs + (wholeAnswer ? context.nonStreamingTimeoutMs : context.requestDeadlineMs);
		state = {
			startedMs,
			deadlineMs,
			holdUntilMs: startedMs + context.maxHoldMs,
			perTryTimeoutMs: wholeAnswer ? context.nonStreamingTimeoutMs : context.firstByteTimeoutMs,
			method,
			path: target.raw,
			upstreamUrl: target.url,
			clientHeaders: request.headers,
			session: sessionKey(request.headers, body.json),
			isMessages,
			body,
			tried: new Set(),
			refreshed: new Set(),
			modelScoped: new Set(),
			fellBack: false,
			requestScoped: false,
			lastFailure: undefined,
			lastConnectionError: undefined,
			attempts: [],
			current: undefined,
		};
		await serve(context, state, response, clientGone, finish);
	} finally {
		if (state) {
			state.current = undefined;
		}

		store.endRequest();
	}
}

async function serve(context: ProxyContext, state: ExchangeState, response: ServerResponse, clientGone: Cancellation, finish: (finished: Finished) => void): Promise<void> {
	const {store} = context;
	for (;;) {
		if (clientGone.aborted) {
			finish({account: null, status: 499, outcome: 'client-cancelled', stream: false});
			return;
		}

		const choice = choose(store, state);
		switch (choice.kind) {
			case 'pick': {
				if (choice.decision.reason === 'carousel') {
					store.nextCarousel();
				}

				// eslint-disable-next-line no-await-in-loop
				const result = await tryAccount(context, state, choice.decision.account, response, clientGone);
				if (result.kind === 'delivered') {
					finish(result.finished);
					return;
				}

				break;
			}

			case 'fallback': {
				store.addEvent('info', `no account can serve ${state.body.model ?? 'this model'}; falling back to ${choice.model}`);
				state.body = withModel(state.body, choice.model);
				state.fellBack = true;
				for (const name of state.modelScoped) {
					state.tried.delete(name);
				}

				break;
			}

			case 'hold': {
				store.holdStarted();
				try {
					// eslint-disable-next-line no-await-in-loop
					await wait(choice.untilMs - store.now(), clientGone);
				} finally {
					store.holdEnded();
				}

				state.tried.clear();
				break;
			}

			case 'answer': {
				const {answer} = choice;
				response.writeHead(answer.status, answer.headers);
				response.end(answer.body);
				finish({account: answer.account, status: answer.status, outcome: 'error', stream: false});
				if (answer.allOffline) {
					context.alerts.raise('all-offline', answer.message);
				}

				return;
			}
		}
	}
}
