import {Buffer} from 'node:buffer';
import type {IncomingMessage} from 'node:http';
import type {IdleWatch, Watched} from '../util/idle-watch.js';

export const maxRequestBytes = 32 * 1024 * 1024;

export class BodyTooLargeError extends Error {}

/** The client stopped sending its body: a stalled or hostile upload must not hold a socket forever. */
export class BodyIdleError extends Error {}

export type ReadBodyOptions = {
	limit?: number;
	/** Gives up when no byte of the body arrived for the watch's timeout. */
	idle?: IdleWatch;
};

/**
 * Buffers the request body: failover needs to resend it, so it cannot be streamed once. Past the
 * limit it rejects at once but keeps draining (and dropping) the upload for a while, so the client
 * finishes sending and can read the 413 instead of seeing a reset connection; one that keeps going
 * long after is cut off.
 */
export async function readBody(request: IncomingMessage, options: ReadBodyOptions = {}): Promise<Buffer> {
	const limit = options.limit ?? maxRequestBytes;
	return new Promise<Buffer>((resolve, reject) => {
		const chunks: Buffer[] = [];
		let size = 0;
		let tooLarge = false;
		// eslint-disable-next-line prefer-const -- finish() and the data handler read it before the watch starts
		let watched: Watched | undefined;
		const finish = () => {
			watched?.stop();
		};

		const refuse = () => {
			tooLarge = true;
			chunks.length = 0;
			reject(new BodyTooLargeError());
		};

		const declared = Number(request.headers['content-length']);
		if (Number.isFinite(declared) && declared > limit) {
			refuse();
		}

		const onData = (chunk: Buffer) => {
			watched?.touch();
			size += chunk.length;
			if (tooLarge) {
				if (size > limit * 2) {
					finish();
					request.destroy();
				}

				return;
			}

			if (size > limit) {
				refuse();
				return;
			}

			chunks.push(chunk);
		};

		request.on('data', onData);
		request.once('end', () => {
			finish();
			if (!tooLarge) {
				resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
			}
		});
		request.once('error', error => {
			finish();
			if (!tooLarge) {
				reject(error);
			}
		});
		request.once('aborted', () => {
			finish();
			if (!tooLarge) {
				reject(new Error('client aborted the upload'));
			}
		});
		watched = options.idle?.watch(() => {
			request.off('data', onData);
			if (tooLarge) {
				request.destroy();
			} else {
				reject(new BodyIdleError());
			}
		});
	});
}
