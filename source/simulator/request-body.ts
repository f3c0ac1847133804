// Body validation for /v1/messages and count_tokens, with Anthropic's field-path messages.
import type {Exchange} from './context.js';
import {type Rejection, reject} from './errors.js';
import {isKnownModel} from './models.js';

export type MessagesBody = Record<string, unknown> & {
	model: string;
	messages: unknown[];
	max_tokens: number;
	stream: boolean;
};

const invalid = (message: string): Rejection => reject(400, 'invalid_request_error', message);

const isRecord = (value: unknown): value is Record<string, unknown> =>
	typeof value === 'object' && value !== null && !Array.isArray(value);

/** countTokens: the same shape minus max_tokens, which upstream refuses there. */
export function parseBody(exchange: Exchange, models: readonly string[], countTokens = false): MessagesBody | Rejection {
	const {body} = exchange;
	if (!isRecord(body)) {
		return invalid('There was an error parsing the body of your request: expected a JSON object.');
	}

	if (typeof body['model'] !== 'string' || body['model'] === '') {
		return invalid('model: Field required');
	}

	if (countTokens) {
		if (body['max_tokens'] !== undefined) {
			return invalid('max_tokens: Extra inputs are not permitted');
		}
	} else if (body['max_tokens'] === undefined) {
		return invalid('max_tokens: Field required');
	} else if (!Number.isInteger(body['max_tokens']) || (body['max_tokens'] as number) < 1) {
		return invalid('max_tokens: Input should be an integer greater than or equal to 1');
	}

	if (body['messages'] === undefined) {
		return invalid('messages: Field required');
	}

	if (!Array.isArray(body['messages'])) {
		return invalid('messages: Input should be a valid list');
	}

	if (!isKnownModel(models, body['model'])) {
		return reject(404, 'not_found_error', `model: ${body['model']}`);
	}

	return {
		...body, model: body['model'], messages: body['messages'], max_tokens: Number(body['max_tokens'] ?? 0), stream: body['stream'] === true,
	};
}
