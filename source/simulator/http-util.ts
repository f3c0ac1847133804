// Small HTTP plumbing: bounded body reading and abortable pauses.
import {Buffer} from 'node:buffer';
import {createHash} from 'node:crypto';
import type {IncomingMessage, IncomingHttpHeaders} from 'node:http';
import {setTimeout as delay} from 'node:timers/promises';

export type ReceivedBody = {
	raw: Buffer;
	sha256: string;
	tooLarge: boolean;
};

/**
 * Reads the whole body but keeps at most `limit` bytes: an oversize upload is drained and
 * hashed, never buffered, so the client can read our 413 instead of hitting a reset socket.
 * Throws when the client goes away mid-body.
 */
export async function readBody(request: IncomingMessage, limit: number): Promise<ReceivedBody> {
	const hash = createHash('sha256');
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of request as AsyncIterable<Buffer>) {
		hash.update(chunk);
		size += chunk.length;
		if (size <= limit) {
			chunks.push(chunk);
		}
	}

	const tooLarge = size > limit;
	return {raw: tooLarge ? Buffer.alloc(0) : Buffer.concat(chunks), sha256: hash.digest('hex'), tooLarge};
}

/** Header values flattened to strings, the way the request log stores them. */
export function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
	const flat: Record<string, string> = {};
	for (const [name, value] of Object.entries(headers)) {
		if (value !== undefined) {
			flat[name] = Array.isArray(value) ? value.join(', ') : value;
		}
	}

	return flat;
}

/** Waits ms; resolves false instead of throwing when the signal fires (client gone, simulator closing). */
export async function pause(ms: number, signal: AbortSignal): Promise<boolean> {
	if (signal.aborted) {
		return false;
	}

	try {
		await delay(ms, undefined, {signal});
		return true;
	} catch {
		return false;
	}
}
