// POST /v1/messages: validation in Anthropic's order, then the account's limits, then any armed
// fault, then the scripted reply as JSON or SSE.
import {Buffer} from 'node:buffer';
import type {AccountState} from './accounts.js';
import {authenticate, checkVersion, messages as authMessages} from './auth.js';
import type {Exchange, SimControl} from './context.js';
import {
	isRejection, type Rejection, reject, sendJson, sendRejection,
} from './errors.js';
import type {FaultTarget} from './faults.js';
import {pause} from './http-util.js';
import {consumption, messageJson, planReply} from './reply.js';
import {parseBody} from './request-body.js';
import type {SimFault} from './sim-types.js';
import {streamReply} from './stream-response.js';
import {countInput} from './tokens.js';
import {unifiedHeaders} from './unified-limits.js';

const retryable = {'x-should-retry': 'true', 'x-robots-tag': 'none'};

function accountHeaders(account: AccountState, nowMs: number, model?: string): Record<string, string> {
	return {'anthropic-organization-id': account.orgId, ...account.rateHeaders(nowMs, model)};
}

export function authFault(fault: SimFault): Rejection | undefined {
	switch (fault.type) {
		case 'expired_token': {
			return reject(401, 'authentication_error', authMessages.expired);
		}

		case 'invalid_key': {
			return reject(401, 'authentication_error', authMessages.invalidKey);
		}

		case 'revoked': {
			return reject(403, 'permission_error', authMessages.revoked);
		}

		default: {
			return undefined;
		}
	}
}

/** A real quota refusal: the account's own limits say no (a model-scoped window only to its family). */
function limitRejection(account: AccountState, nowMs: number, model: string, inputTokens: number): Rejection | undefined {
	if (account.unified) {
		account.unified.begin(nowMs);
		if (account.spentWindow(nowMs, model) === undefined) {
			return undefined;
		}

		const headers = accountHeaders(account, nowMs, model);
		// The reset of the binding window, as the representative claim names it.
		const retryAfter = Math.max(1, Math.ceil(Number(headers['anthropic-ratelimit-unified-reset']) - (nowMs / 1000)));
		return reject(429, 'rate_limit_error', 'rate limit exceeded', {...headers, ...retryable, 'retry-after': String(retryAfter)});
	}

	const retryAfter = account.keys?.retryAfter(nowMs, inputTokens);
	if (retryAfter === undefined) {
		return undefined;
	}

	const message = 'This request would exceed your organization\'s rate limit. Please try again later.';
	return reject(429, 'rate_limit_error', message, {...accountHeaders(account, nowMs), ...retryable, 'retry-after': String(retryAfter)});
}

/** The quota_429 fault: a refusal rendered as if the chosen window (or request bucket) had run out. */
function fakeQuota(fault: Extract<SimFault, {type: 'quota_429'}>, account: AccountState, nowMs: number): Rejection {
	const view = account.unifiedView(nowMs);
	let retryAfter = fault.resetInSeconds ?? 60;
	let limitHeaders: Record<string, string>;
	if (view) {
		const window = view[fault.window ?? '5h'];
		window.utilization = Math.max(1, window.utilization);
		if (fault.resetInSeconds === undefined) {
			retryAfter = Math.max(1, Math.ceil(window.reset - (nowMs / 1000)));
		} else {
			window.reset = Math.ceil(nowMs / 1000) + fault.resetInSeconds;
		}

		limitHeaders = unifiedHeaders(view);
	} else {
		limitHeaders = account.keys?.headers(nowMs, retryAfter) ?? {};
	}

	return reject(429, 'rate_limit_error', 'rate limit exceeded', {
		'anthropic-organization-id': account.orgId, ...limitHeaders, ...retryable, 'retry-after': String(retryAfter), ...fault.headers,
	});
}

/** A fault that answers instead of the reply; undefined for the ones that shape the reply. */
export function faultRejection(fault: SimFault, account: AccountState, nowMs: number): Rejection | undefined {
	const headers = accountHeaders(account, nowMs);
	switch (fault.type) {
		case 'quota_429': {
			return fakeQuota(fault, account, nowMs);
		}

		// Request-scoped throttling upstream: no rate-limit headers at all.
		case 'windowless_429': {
			return reject(429, 'rate_limit_error', 'rate limit exceeded', {...retryable});
		}

		case 'overloaded': {
			return reject(529, 'overloaded_error', 'Overloaded', {...headers, 'x-should-retry': 'true'});
		}

		case 'api_error': {
			return reject(500, 'api_error', 'Internal server error', {...headers, 'x-should-retry': 'true'});
		}

		case 'bad_request': {
			return reject(400, 'invalid_request_error', 'messages: roles must alternate between "user" and "assistant", but found multiple "user" roles in a row', headers);
		}

		case 'out_of_credits': {
			const limits = account.unified ? unifiedHeaders(account.unified.view(nowMs), 'out_of_credits') : {};
			return reject(429, 'rate_limit_error', 'You\'re out of extra usage credits for this model.', {
				...headers,
				...limits,
				'anthropic-ratelimit-unified-overage-disabled-reason': 'out_of_credits',
				'x-should-retry': 'false',
			});
		}

		default: {
			return undefined;
		}
	}
}

/** The body_stall fault: the JSON reply's first bytes, silence, then the rest. */
async function sendStalledJson(exchange: Exchange, json: unknown, headers: Record<string, string>, fault: Extract<SimFault, {type: 'body_stall'}>): Promise<void> {
	const body = Buffer.from(JSON.stringify(json));
	const cut = Math.min(Math.max(0, fault.afterBytes ?? 6), body.length);
	exchange.response.writeHead(200, {...headers, 'content-type': 'application/json', 'content-length': String(body.length)});
	exchange.response.write(body.subarray(0, cut));
	if (await pause(fault.ms, exchange.signal)) {
		exchange.response.end(body.subarray(cut));
	}
}

export async function handleMessages(exchange: Exchange, simulator: SimControl): Promise<void> {
	const account = authenticate(exchange, simulator);
	if (isRejection(account)) {
		sendRejection(exchange.response, account);
		return;
	}

	const {credential} = account.config;
	const partial = exchange.body as {model?: unknown; stream?: unknown} | undefined;
	// eslint-disable-next-line @typescript-eslint/no-base-to-string -- the client's JSON, as text whatever it holds
	const target: FaultTarget = {model: String(partial?.model ?? ''), stream: partial?.stream === true};
	exchange.entry.stream = target.stream;
	const armedAuth = simulator.faults.take(credential, 'auth', target);
	if (armedAuth) {
		exchange.entry.fault = armedAuth.type;
		sendRejection(exchange.response, authFault(armedAuth) ?? reject(500, 'api_error', 'Internal server error'));
		return;
	}

	const nowMs = simulator.now();
	const body = checkVersion(exchange) ?? parseBody(exchange, simulator.options.models);
	if (isRejection(body)) {
		sendRejection(exchange.response, body.withHeaders(accountHeaders(account, nowMs)));
		return;
	}

	const limited = limitRejection(account, nowMs, body.model, countInput(body).total);
	if (limited) {
		sendRejection(exchange.response, limited);
		return;
	}

	const fault = simulator.faults.take(credential, 'response', target);
	if (fault) {
		exchange.entry.fault = fault.type;
	}

	const refusal = fault && faultRejection(fault, account, nowMs);
	if (refusal) {
		sendRejection(exchange.response, refusal);
		return;
	}

	if (fault?.type === 'slow_first_byte' && !await pause(fault.ms, exchange.signal)) {
		return;
	}

	const replyNow = simulator.now();
	const reply = planReply(body, account, simulator.options.replyText, replyNow);
	const use = consumption(reply);
	account.charge(use);
	exchange.entry.usage = {
		model: reply.model,
		inputTokens: reply.inputTokens,
		cacheReadTokens: reply.cacheRead,
		cacheWriteTokens: reply.cacheWrite5m + reply.cacheWrite1h,
		outputTokens: reply.outputTokens,
		weighted: account.unified ? use.weighted : 0,
	};
	const headers = accountHeaders(account, replyNow, body.model);
	if (body.stream) {
		const streamFault = fault?.type === 'midstream_error' || fault?.type === 'drop' || fault?.type === 'stall' ? fault : undefined;
		await streamReply(exchange, simulator, reply, headers, streamFault);
	} else if (fault?.type === 'body_stall') {
		await sendStalledJson(exchange, messageJson(reply), headers, fault);
	} else {
		sendJson(exchange.response, 200, messageJson(reply), headers);
	}
}
