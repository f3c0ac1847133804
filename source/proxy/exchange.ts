// One client request, end to end: read its body, then choose an account, try it, and repeat
// until a response can be delivered, a cooldown is worth waiting for, or the request must be
// answered without an account. Failover happens only before the first byte reaches the client.
// Every failed try is kept in the request's attempts; usage is counted once, from the response
// the client got.
import {Buffer} from 'node:buffer';
import type {IncomingMessage, ServerResponse} from 'node:http';
import {Cancellation} from '../util/cancellation.js';
import type {SessionMove} from '../routing/types.js';
import {windowLabel} from '../routing/windows.js';
import {formatTokens} from '../util/amounts.js';
import {shortModel} from '../anthropic/models.js';
import {sessionKey} from '../routing/session-key.js';
import {withSessionHash} from '../state/session-hash.js';
import {tryAccount} from './attempt.js';
import {choose} from './choose.js';
import type {ExchangeState} from './exchange-state.js';
import {anthropicDoor, type FrontDoor} from './front-door.js';
import type {ProxyContext} from './proxy-context.js';
import {BodyIdleError, BodyTooLargeError, readBody} from './read-body.js';
import {nextRequestId, requestRecord, type Finished} from './request-record.js';
import {fitToModel} from './model-fit.js';
import {applyOverrides, withModel} from './request-body.js';

export type Target = {
	/** The upstream URL this request goes to (built from the configured upstream). */
	url: URL;
	/** The request's path below the upstream base, normalised, without the query. */
	path: string;
	/** The target as the client sent it (for the log). */
	raw: string;
};

async function wait(ms: number, cancellation: Cancellation): Promise<void> {
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

/** A hold's wait, cut short when the client leaves or the server starts to stop. */
async function holdFor(context: ProxyContext, ms: number, clientGone: Cancellation): Promise<void> {
	const wake = new Cancellation();
	const forgetClient = clientGone.onAbort(() => {
		wake.abort();
	});
	const forgetClosing = context.closing.onAbort(() => {
		wake.abort();
	});
	try {
		await (context.sleep ?? wait)(ms, wake);
	} finally {
		forgetClient();
		forgetClosing();
	}
}

/** Says once per model and field set that shunt removes fields that model refuses. */
function announceFit(context: ProxyContext, model: string | undefined, removed: readonly string[]): void {
	const key = `${model ?? ''}\0${removed.join(',')}`;
	if (removed.length === 0 || context.announcedFits.has(key)) {
		return;
	}

	context.announcedFits.add(key);
	context.store.addEvent('info', `${shortModel(model ?? '')} refuses ${removed.join(' and ')}: removed from requests shunt sends it (an override or fallback chose the model)`);
}

/** "moved: work at 92 % → team; cost ≈ 41k cache-write tokens". */
function movedMessage(moved: SessionMove, to: string): string {
	const window = moved.window === '5h' || moved.window === '7d' ? '' : ` (${windowLabel(moved.window)})`;
	return `moved: ${moved.from} at ${Math.round(moved.utilization * 100)} %${window} → ${to}; cost ≈ ${formatTokens(moved.cacheWriteTokens)} cache-write tokens`;
}

/**
 * Serves one client request through a front door: the door turns the client's body into a
 * Messages request and writes every answer in its own shape; everything between is the same for
 * every door. The Messages API's door (the default) is the identity.
 */
export async function proxyRequest(context: ProxyContext, request: IncomingMessage, response: ServerResponse, target: Target, door: FrontDoor = anthropicDoor): Promise<void> {
	const {store} = context;
	const startedMs = store.now();
	const id = nextRequestId();
	const method = request.method ?? 'GET';
	const clientGone = new Cancellation();
	const live = store.beginRequest({id, startedMs});
	let state: ExchangeState | undefined;
	response.once('close', () => {
		if (!response.writableFinished) {
			clientGone.abort();
			state?.current?.body.destroy();
		}
	});

	const finish = (finished: Finished) => {
		const {usage} = finished;
		if (state?.session && state.bindsSession && usage && finished.status < 300) {
			const cachedTokens = usage.cacheReadInputTokens + usage.cacheCreationInputTokens;
			store.noteSessionUsage(state.session, {cachedTokens, inputTokens: usage.inputTokens + cachedTokens});
		}

		store.recordRequest(withSessionHash(requestRecord(finished, {
			id,
			startedMs,
			finishedMs: store.now(),
			firstByteMs: state?.firstByteMs ?? null,
			clientModel: state?.clientModel,
			sentModel: state?.body.model,
			path: target.raw,
			frontDoor: door.name,
			attempts: state?.attempts ?? [],
			holds: state?.holds ?? [],
			decision: state?.decision,
			removedFields: state?.removedFields ?? [],
		}), state?.session));
	};

	try {
		let bytes: Buffer;
		try {
			bytes = await readBody(request, {idle: context.uploadIdle});
		} catch (error) {
			if (error instanceof BodyTooLargeError) {
				door.error(response, 413, 'request_too_large', 'Request exceeds the maximum allowed number of bytes (32 MiB).');
				finish({
					account: null, status: 413, outcome: 'error', stream: false, shuntReason: 'body too large',
				});
			} else if (error instanceof BodyIdleError) {
				door.error(response, 408, 'invalid_request_error', `The request body stopped arriving for ${Math.round(context.uploadIdle.timeoutMs / 1000)} s.`, {connection: 'close'});
				response.once('finish', () => {
					request.destroy();
				});
				finish({
					account: null, status: 408, outcome: 'error', stream: false, shuntReason: 'upload stalled',
				});
			}

			return;
		}

		const prepared = door.prepare(bytes, request.headers);
		if (prepared.kind === 'refuse') {
			response.writeHead(prepared.status, {'content-type': 'application/json', 'content-length': Buffer.byteLength(prepared.body)});
			response.end(prepared.body);
			finish({
				account: null, status: prepared.status, outcome: 'error', stream: false, shuntReason: prepared.reason,
			});
			return;
		}

		const overridden = applyOverrides(prepared.body, store.overrides);
		// Only what shunt changed is fitted to the model: a client's own request goes as it was sent.
		const fitted = overridden === prepared.body ? {body: overridden, removed: []} : fitToModel(overridden);
		const {body} = fitted;
		const isMessages = method === 'POST' && target.path === '/v1/messages';
		const stream = body.json?.['stream'] === true;
		// A non-streaming answer arrives whole, after all of its generation: it gets the SDK's own timeout.
		const wholeAnswer = isMessages && !stream;
		live.update({model: body.model ?? target.path, stream});
		state = {
			id,
			startedMs,
			live,
			door,
			reply: prepared.reply,
			clientModel: prepared.clientModel,
			deadlineMs: startedMs + (wholeAnswer ? context.nonStreamingTimeoutMs : context.requestDeadlineMs),
			holdUntilMs: startedMs + context.maxHoldMs,
			perTryTimeoutMs: wholeAnswer ? context.nonStreamingTimeoutMs : context.firstByteTimeoutMs,
			method,
			path: target.raw,
			upstreamUrl: target.url,
			clientHeaders: prepared.headers,
			session: sessionKey(request.headers, body.json),
			isMessages,
			body,
			tried: new Set(),
			refreshed: new Set(),
			modelScoped: new Set(),
			fellBack: false,
			removedFields: fitted.removed,
			bindsSession: false,
			requestScoped: false,
			lastFailure: undefined,
			lastConnectionError: undefined,
			attempts: [],
			holds: [],
			decision: undefined,
			firstByteMs: null,
			current: undefined,
		};
		announceFit(context, state.body.model, state.removedFields);
		await serve(context, state, response, clientGone, finish);
	} finally {
		if (state) {
			state.current = undefined;
		}

		live.end();
	}
}

async function serve(context: ProxyContext, state: ExchangeState, response: ServerResponse, clientGone: Cancellation, finish: (finished: Finished) => void): Promise<void> {
	const {store} = context;
	for (;;) {
		if (clientGone.aborted) {
			finish({
				account: null, status: 499, outcome: 'client-cancelled', stream: false,
			});
			return;
		}

		const choice = choose(store, state, context.closing.aborted);
		switch (choice.kind) {
			case 'pick': {
				if (choice.decision.reason === 'carousel') {
					store.nextCarousel();
				}

				state.live.update({
					account: choice.decision.account, state: 'waiting', heldUntilMs: null, heldReason: null,
				});
				// Traffic sent where the user pinned it says nothing about where its conversation belongs.
				state.bindsSession = choice.decision.reason !== 'pinned';
				// eslint-disable-next-line no-await-in-loop
				const result = await tryAccount(context, state, choice.decision.account, response, clientGone);
				if (result.kind === 'delivered') {
					state.decision = choice.explain();
					if (choice.decision.moved) {
						store.addEvent('moved', movedMessage(choice.decision.moved, choice.decision.account), choice.decision.account);
					}

					finish(result.finished);
					return;
				}

				break;
			}

			case 'fallback': {
				store.addEvent('info', `no account can serve ${state.body.model ?? 'this model'}; falling back to ${choice.model}`);
				const fallback = fitToModel(withModel(state.body, choice.model));
				state.body = fallback.body;
				state.removedFields = [...new Set([...state.removedFields, ...fallback.removed])];
				state.fellBack = true;
				for (const name of state.modelScoped) {
					state.tried.delete(name);
				}

				break;
			}

			case 'hold': {
				state.live.update({
					account: null, state: 'held', heldUntilMs: choice.untilMs, heldReason: choice.reason,
				});
				state.holds.push({afterAttempts: state.attempts.length, ms: Math.max(0, choice.untilMs - store.now()), reason: choice.reason});
				// eslint-disable-next-line no-await-in-loop
				await holdFor(context, choice.untilMs - store.now(), clientGone);
				state.live.update({state: 'waiting', heldUntilMs: null, heldReason: null});
				state.tried.clear();
				break;
			}

			case 'answer': {
				const {answer} = choice;
				state.reply.answer(response, answer);
				state.decision = choice.explain();
				finish({
					account: answer.account, status: answer.status, outcome: 'error', stream: false, shuntReason: answer.reason,
				});
				if (answer.allOffline) {
					context.alerts.raise('all-offline', answer.message);
				}

				return;
			}
		}
	}
}
