import {Buffer} from 'node:buffer';
import type {ServerResponse} from 'node:http';

/** Anthropic's error body, used for every response shunt makes itself. */
export function anthropicErrorBody(type: string, message: string): string {
	return JSON.stringify({type: 'error', error: {type, message}});
}

export function sendAnthropicError(
	response: ServerResponse,
	status: number,
	type: string,
	message: string,
	headers: Record<string, string> = {},
): void {
	if (response.headersSent) {
		response.end();
		return;
	}

	const body = anthropicErrorBody(type, message);
	response.writeHead(status, {
		...headers,
		'content-type': 'application/json',
		'content-length': Buffer.byteLength(body),
	});
	response.end(body);
}
