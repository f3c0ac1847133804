import type {IncomingMessage} from 'node:http';

export const maxRequestBytes = 32 * 1024 * 1024;

export class BodyTooLargeError extends Error {}

/**
 * Buffers the request body: failover needs to resend it, so it cannot be streamed once. Anything
 * past the limit is refused before it is all read (Content-Length is checked first).
 */
export async function readBody(request: IncomingMessage, limit = maxRequestBytes): Promise<Buffer> {
	const declared = Number(request.headers['content-length']);
	if (Number.isFinite(declared) && declared > limit) {
		throw new BodyTooLargeError();
	}

	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of request) {
		size += (chunk as Buffer).length;
		if (size > limit) {
			throw new BodyTooLargeError();
		}

		chunks.push(chunk as Buffer);
	}

	return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}
