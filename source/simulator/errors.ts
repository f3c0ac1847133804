// Anthropic's error envelope and the helpers that send it. The request id in the body always
// equals the request-id header, which the server sets before any handler runs.
import {Buffer} from 'node:buffer';
import type {ServerResponse} from 'node:http';

export type ErrorType
	= 'invalid_request_error'
		| 'authentication_error'
		| 'permission_error'
		| 'not_found_error'
		| 'request_too_large'
		| 'rate_limit_error'
		| 'api_error'
		| 'overloaded_error';

/** A refusal decided by a validation step, sent by whoever runs the pipeline. */
export class Rejection {
	constructor(
		readonly status: number,
		readonly type: ErrorType,
		readonly message: string,
		readonly headers: Record<string, string> = {},
	) {}

	withHeaders(headers: Record<string, string>): Rejection {
		return new Rejection(this.status, this.type, this.message, {...headers, ...this.headers});
	}
}

export const reject = (status: number, type: ErrorType, message: string, headers?: Record<string, string>): Rejection =>
	new Rejection(status, type, message, headers);

export const isRejection = <T>(value: T | Rejection): value is Rejection => value instanceof Rejection;

export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
	const text = JSON.stringify(body);
	response.writeHead(status, {
		...headers,
		'content-type': 'application/json',
		'content-length': String(Buffer.byteLength(text)),
	});
	response.end(text);
}

export function sendRejection(response: ServerResponse, rejection: Rejection): void {
	const requestId = String(response.getHeader('request-id') ?? '');
	const body = {type: 'error', error: {type: rejection.type, message: rejection.message}, request_id: requestId};
	sendJson(response, rejection.status, body, rejection.headers);
}
