// The small /v1 endpoints (count_tokens, models) and the connection-warming /api/hello.
import {admit} from './auth.js';
import {authFault, faultRejection} from './messages.js';
import type {Exchange, SimControl} from './context.js';
import {
	isRejection, reject, sendJson, sendRejection,
} from './errors.js';
import {isKnownModel, listModels, modelInfo} from './models.js';
import {parseBody} from './request-body.js';
import {countInput} from './tokens.js';

export function handleCountTokens(exchange: Exchange, simulator: SimControl): void {
	const account = admit(exchange, simulator);
	const body = isRejection(account) ? account : parseBody(exchange, simulator.options.models, true);
	if (isRejection(body)) {
		sendRejection(exchange.response, body);
		return;
	}

	sendJson(exchange.response, 200, {input_tokens: countInput(body).total});
}

export function handleListModels(exchange: Exchange, simulator: SimControl): void {
	const account = admit(exchange, simulator);
	if (isRejection(account)) {
		sendRejection(exchange.response, account);
		return;
	}

	// Armed faults reach this cheap endpoint too, so health checks built on it can be tested.
	const target = {model: '', stream: false};
	const {credential} = account.config;
	const fault = simulator.faults.take(credential, 'auth', target) ?? simulator.faults.take(credential, 'response', target);
	const refusal = fault && (authFault(fault) ?? faultRejection(fault, account, simulator.now()));
	if (fault && refusal) {
		exchange.entry.fault = fault.type;
		sendRejection(exchange.response, refusal);
		return;
	}

	sendJson(exchange.response, 200, listModels(simulator.options.models, exchange.url.searchParams));
}

export function handleGetModel(exchange: Exchange, simulator: SimControl, parameters: Record<string, string>): void {
	const account = admit(exchange, simulator);
	if (isRejection(account)) {
		sendRejection(exchange.response, account);
		return;
	}

	const id = parameters['id'] ?? '';
	if (!isKnownModel(simulator.options.models, id)) {
		sendRejection(exchange.response, reject(404, 'not_found_error', `model: ${id}`));
		return;
	}

	sendJson(exchange.response, 200, modelInfo(id));
}

/** Claude Code warms the connection with HEAD /api/hello; any 200 will do. */
export function handleHello(exchange: Exchange): void {
	exchange.response.writeHead(200, {'content-length': '0'});
	exchange.response.end();
}
