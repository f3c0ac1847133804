// The OpenAI front door: POST /v1/chat/completions, translated to the Messages API and served by
// the same pool, routing, failover, holds and accounting as /v1/messages. Only the edges differ:
// the request is translated before routing, and every answer is written in OpenAI's shape.
// Subscription logins are for Claude's own clients, so by default this door uses API-key
// accounts only (the openaiAllowSubscriptions setting opts subscriptions in).
import type {IncomingHttpHeaders, OutgoingHttpHeaders, ServerResponse} from 'node:http';
import type {AccountKind} from '../accounts/types.js';
import type {ClientSink} from '../proxy/deliver.js';
import {clientResponseHeaders} from '../proxy/forwarded-headers.js';
import type {DoorAnswer, FrontDoor, Prepared, Reply} from '../proxy/front-door.js';
import {outgoingBody} from '../proxy/request-body.js';
import {isRecord} from '../util/json.js';
import {openAiError, openAiErrorBody, openAiStatus, translateErrorBody, type OpenAiError} from './errors.js';
import {modelMap} from './model-map.js';
import {translateRequest} from './request.js';
import {translateResponse} from './response.js';
import {ChatStreamTranslator} from './stream.js';

export type OpenAiDoorOptions = {
	/** The openaiModelMap setting: OpenAI model names → Claude model ids, over the defaults. */
	modelMap?: Readonly<Record<string, string>>;
	/** The openaiAllowSubscriptions setting. */
	allowSubscriptions?: boolean;
};

export const anthropicVersion = '2023-06-01';

/** A whole Messages answer is held to be translated; none comes near this (128k output tokens are ~0.5 MB). */
const maxAnswerBytes = 64 * 1024 * 1024;
/** An error body is read whole; Anthropic's are a few hundred bytes. */
const maxErrorBytes = 64 * 1024;

export const subscriptionsRefused = 'shunt\'s OpenAI-compatible endpoint uses API-key accounts only (Anthropic restricts subscription logins to Claude\'s own clients), and no API-key account is configured. Add one with `shunt add-account <name> --api-key -`, or set "openaiAllowSubscriptions": true in the settings of config.json if you accept that risk for your subscription accounts.';

export function openAiDoor(options: OpenAiDoorOptions = {}): FrontDoor {
	const models = modelMap(options.modelMap);
	const allowKinds: ReadonlySet<AccountKind> | undefined = options.allowSubscriptions ? undefined : new Set(['apikey']);
	return {
		name: 'openai',
		allowKinds,
		noAllowedAccount: allowKinds ? subscriptionsRefused : undefined,
		prepare(bytes, headers): Prepared {
			let json: unknown;
			try {
				json = JSON.parse(bytes.toString('utf8'));
			} catch {
				return refuse(400, openAiError('invalid_request_error', 'The request body is not valid JSON.'), 'not JSON');
			}

			const translated = translateRequest(json, {models});
			if (!translated.ok) {
				return refuse(translated.status, translated.error, 'unsupported request');
			}

			const body = Buffer.from(JSON.stringify(translated.body));
			return {
				kind: 'send',
				body: outgoingBody(body, translated.body),
				headers: upstreamHeaders(headers),
				clientModel: translated.clientModel,
				reply: openAiReply(translated.includeUsage),
			};
		},
		error: sendOpenAiError,
	};
}

function refuse(status: number, error: OpenAiError, reason: string): Prepared {
	return {kind: 'refuse', status, body: openAiErrorBody(error), reason};
}

/**
 * The headers the Messages request is built from: the API version (OpenAI clients send none), and
 * the few client headers that mean something to the Messages API. OpenAI's SDK headers
 * (x-stainless-*, openai-*) describe another API and stay behind.
 */
function upstreamHeaders(client: IncomingHttpHeaders): IncomingHttpHeaders {
	const headers: IncomingHttpHeaders = {
		'content-type': 'application/json',
		'anthropic-version': typeof client['anthropic-version'] === 'string' ? client['anthropic-version'] : anthropicVersion,
	};
	for (const name of ['anthropic-beta', 'user-agent', 'x-claude-code-session-id']) {
		if (typeof client[name] === 'string') {
			headers[name] = client[name];
		}
	}

	return headers;
}

export function sendOpenAiError(response: ServerResponse, status: number, type: string, message: string, headers: Record<string, string> = {}): void {
	if (response.headersSent) {
		response.end();
		return;
	}

	sendJson(response, openAiStatus(status), openAiErrorBody(openAiError(type, message)), headers);
}

function sendJson(response: ServerResponse, status: number, body: string, headers: OutgoingHttpHeaders): void {
	response.writeHead(status, {...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body)});
	response.end(body);
}

/** The upstream's headers for an OpenAI client: the account, the request id where OpenAI's SDKs look for it. */
function replyHeaders(upstream: OutgoingHttpHeaders): OutgoingHttpHeaders {
	const headers = {...upstream};
	delete headers['content-type'];
	delete headers['content-length'];
	delete headers['transfer-encoding'];
	const requestId = headers['request-id'];
	if (typeof requestId === 'string') {
		headers['x-request-id'] = requestId;
	}

	return headers;
}

function openAiReply(includeUsage: boolean): Reply {
	return {
		sink(upstream, stream) {
			if (upstream.status >= 300) {
				return errorSink();
			}

			return stream ? streamSink(includeUsage) : answerSink();
		},
		answer(response, answer: DoorAnswer) {
			const error = translateErrorBody(answer.status, answer.body);
			sendJson(response, openAiStatus(answer.status), openAiErrorBody(error), replyHeaders(answer.headers));
		},
	};
}

const created = () => Math.floor(Date.now() / 1000);

/** Translates the stream event by event as it passes, with the upstream's pace and backpressure. */
function streamSink(includeUsage: boolean): ClientSink {
	const translator = new ChatStreamTranslator({created: created(), includeUsage});
	return {
		start(response, upstream, account) {
			response.writeHead(200, {
				...replyHeaders(clientResponseHeaders(upstream.headers, account)),
				'content-type': 'text/event-stream; charset=utf-8',
				'cache-control': 'no-cache',
			});
			response.flushHeaders();
		},
		write(response, chunk) {
			const out = translator.push(chunk);
			return out === '' || response.write(out);
		},
		finish(response, ended, _stream, idleTimeoutMs) {
			const out = translator.end(ended, idleTimeoutMs);
			if (out === '') {
				response.end();
			} else {
				response.end(out);
			}
		},
	};
}

/** Collects a body (up to a bound), then writes one translated answer when it is complete. */
function collected(limit: number, write: (response: ServerResponse, body: Buffer | undefined) => void, onBroken: (response: ServerResponse, ended: 'error' | 'idle') => void): ClientSink {
	const chunks: Buffer[] = [];
	let bytes = 0;
	let overflow = false;
	let headers: OutgoingHttpHeaders = {};
	return {
		start(_response, upstream, account) {
			headers = replyHeaders(clientResponseHeaders(upstream.headers, account));
		},
		write(_response, chunk) {
			bytes += chunk.length;
			if (bytes > limit) {
				overflow = true;
				chunks.length = 0;
			} else {
				chunks.push(chunk);
			}

			return true;
		},
		finish(response, ended) {
			// Nothing has reached the client yet, so a broken answer can still be an honest error.
			for (const [name, value] of Object.entries(headers)) {
				if (value !== undefined) {
					response.setHeader(name, value);
				}
			}

			if (ended === 'end') {
				write(response, overflow ? undefined : Buffer.concat(chunks));
			} else {
				onBroken(response, ended);
			}
		},
	};
}

function brokenAnswer(response: ServerResponse, ended: 'error' | 'idle'): void {
	if (ended === 'idle') {
		sendJson(response, 504, openAiErrorBody(openAiError('timeout_error', 'the upstream went silent mid-answer; shunt gave up on it')), {});
	} else {
		sendJson(response, 502, openAiErrorBody(openAiError('api_error', 'the upstream\'s answer broke off before it finished')), {});
	}
}

/** A whole Messages response → one chat.completion. */
function answerSink(): ClientSink {
	let status = 200;
	const sink = collected(maxAnswerBytes, (response, body) => {
		let message: unknown;
		try {
			message = body === undefined ? undefined : JSON.parse(body.toString('utf8'));
		} catch {
			// Not JSON: answered as a broken upstream below.
		}

		if (!isRecord(message)) {
			sendJson(response, 502, openAiErrorBody(openAiError('api_error', 'the upstream\'s answer was not a Messages response')), {});
			return;
		}

		sendJson(response, status, JSON.stringify(translateResponse(message, {created: created()})), {});
	}, brokenAnswer);
	return {
		...sink,
		start(response, upstream, account) {
			status = upstream.status;
			sink.start(response, upstream, account, false);
		},
	};
}

/** An upstream error, passed on with its status in OpenAI's shape. */
function errorSink(): ClientSink {
	let status = 500;
	const sink = collected(maxErrorBytes, (response, body) => {
		sendJson(response, openAiStatus(status), openAiErrorBody(translateErrorBody(status, body ?? '')), {});
	}, response => {
		sendJson(response, openAiStatus(status), openAiErrorBody(openAiError(status >= 500 ? 'api_error' : 'invalid_request_error', `the upstream answered ${status}`)), {});
	});
	return {
		...sink,
		start(response, upstream, account) {
			status = upstream.status;
			sink.start(response, upstream, account, false);
		},
	};
}
