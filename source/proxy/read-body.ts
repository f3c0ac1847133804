import type {IncomingMessage} from 'node:http';

export const maxRequestBytes = 32 * 1024 * 1024;

export class BodyTooLargeError extends Error {}

/**
 * Buffers the request body: failover needs to resend it, so it cannot be streamed once. Past the
 * limit it rejects at once but keeps draining (and dropping) the upload for a while, so the client
 * finishes sending and can read the 413 instead of seeing a reset connection; one that keeps going
 * long after is cut off.
 */
export async function readBody(request: IncomingMessage, limit = maxRequestBytes): Promise<Buffer> {
	return new Promise<Buffer>((resolve, reject) => {
		const chunks: Buffer[] = [];
		let size = 0;
		let tooLarge = false;
		const refuse = () => {
			tooLarge = true;
			chunks.length = 0;
			reject(new BodyTooLargeError());
		};

		const declared = Number(request.headers['content-length']);
		if (Number.isFinite(declared) && declared > limit) {
			refuse();
		}

		request.on('data', (chunk: Buffer) => {
			size += chunk.length;
			if (tooLarge) {
				if (size > limit * 2) {
					request.destroy();
				}

				return;
			}

			if (size > limit) {
				refuse();
				return;
			}

			chunks.push(chunk);
		});
		request.once('end', () => {
			if (!tooLarge) {
				resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
			}
		});
		request.once('error', error => {
			if (!tooLarge) {
				reject(error);
			}
		});
		request.once('aborted', () => {
			if (!tooLarge) {
				reject(new Error('client aborted the upload'));
			}
		});
	});
}
