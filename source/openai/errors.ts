// Errors in OpenAI's shape: {"error": {"message", "type", "param", "code"}}. OpenAI clients pick
// their exception by the HTTP status and show the message, so the status is kept (except 529,
// which OpenAI clients do not know: it becomes 503, OpenAI's own "overloaded") and Anthropic's
// error types become the nearest OpenAI type and code.
import {isRecord, parseJsonObject} from '../util/json.js';

export type OpenAiError = {
	message: string;
	type: string;
	param: string | null;
	code: string | null;
};

// Anthropic error type → OpenAI type and code.
const typeMap: Readonly<Record<string, {type: string; code: string | null}>> = {
	invalid_request_error: {type: 'invalid_request_error', code: null},
	authentication_error: {type: 'authentication_error', code: 'invalid_api_key'},
	permission_error: {type: 'permission_error', code: null},
	not_found_error: {type: 'invalid_request_error', code: 'not_found'},
	request_too_large: {type: 'invalid_request_error', code: 'request_too_large'},
	rate_limit_error: {type: 'rate_limit_error', code: 'rate_limit_exceeded'},
	billing_error: {type: 'insufficient_quota', code: 'insufficient_quota'},
	api_error: {type: 'server_error', code: null},
	overloaded_error: {type: 'server_error', code: 'overloaded'},
	timeout_error: {type: 'server_error', code: 'timeout'},
};

/** The status an OpenAI client gets for an upstream (or shunt) status. */
export function openAiStatus(status: number): number {
	return status === 529 ? 503 : status;
}

/** An Anthropic error (type and message) as OpenAI's error object. */
export function openAiError(type: string, message: string, param: string | null = null): OpenAiError {
	const mapped = Object.hasOwn(typeMap, type) ? typeMap[type]! : {type: 'server_error', code: null};
	// An unknown model is the one 404 OpenAI clients have a code for.
	const code = type === 'not_found_error' && message.startsWith('model:') ? 'model_not_found' : mapped.code;
	return {message, type: mapped.type, param, code};
}

export function openAiErrorBody(error: OpenAiError): string {
	return JSON.stringify({error});
}

// An error body is read whole to be translated; Anthropic's are a few hundred bytes.
const maxMessageChars = 4096;

/**
 * An Anthropic error response body (as the upstream or shunt wrote it) as OpenAI's error. A body
 * that is not Anthropic's shape (a proxy's HTML page, say) still becomes a clear error.
 */
export function translateErrorBody(status: number, body: Buffer | string): OpenAiError {
	const json = parseJsonObject(body);
	const error = isRecord(json?.['error']) ? json['error'] : undefined;
	const type = typeof error?.['type'] === 'string' ? error['type'] : fallbackType(status);
	const message = typeof error?.['message'] === 'string' && error['message'] !== ''
		? error['message'].slice(0, maxMessageChars)
		: `the upstream answered ${status}`;
	return openAiError(type, message);
}

function fallbackType(status: number): string {
	if (status === 401) {
		return 'authentication_error';
	}

	if (status === 403) {
		return 'permission_error';
	}

	if (status === 429) {
		return 'rate_limit_error';
	}

	return status < 500 ? 'invalid_request_error' : 'api_error';
}
