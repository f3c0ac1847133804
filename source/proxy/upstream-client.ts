import http from 'node:http';
import https from 'node:https';
import type {IncomingHttpHeaders} from 'node:http';
import got, {type Request} from 'got';

export type UpstreamResponse = {
	status: number;
	headers: IncomingHttpHeaders;
	/** The response body. Reading it is the caller's job; destroy() aborts the upstream request. */
	body: Request;
};

export type UpstreamRequest = {
	url: URL;
	method: string;
	headers: Record<string, string>;
	body: Buffer | undefined;
	/** Give up waiting for the response headers after this long (then another account is tried). */
	firstByteTimeoutMs: number;
};

// Keep-alive pools shared by every request: a proxy that opened a connection per request would add
// a TCP (and TLS) handshake to every call.
const agents = {
	http: new http.Agent({keepAlive: true, maxSockets: 256, maxFreeSockets: 64}),
	https: new https.Agent({keepAlive: true, maxSockets: 256, maxFreeSockets: 64}),
};

const bodylessMethods = new Set(['GET', 'HEAD', 'OPTIONS', 'DELETE']);

/**
 * Sends one request upstream and resolves when its response headers arrive. Rejects on a
 * connection error or a first-byte timeout — both happen before anything reached the client, so
 * the caller may try another account.
 */
export async function sendUpstream(request: UpstreamRequest): Promise<UpstreamResponse> {
	const withBody = !bodylessMethods.has(request.method);
	const stream = got.stream(request.url, {
		method: request.method as 'POST',
		headers: request.headers,
		body: withBody ? (request.body ?? Buffer.alloc(0)) : undefined,
		// got's default copies the client's headers (Host included) onto piped requests.
		copyPipedHeaders: false,
		// Pass bytes through as they are; the client decides about encodings.
		decompress: false,
		retry: {limit: 0},
		throwHttpErrors: false,
		followRedirect: false,
		// No total `request` timeout: a stream may legitimately run for many minutes.
		timeout: {lookup: 10_000, connect: 10_000, secureConnect: 10_000, response: request.firstByteTimeoutMs},
		agent: agents,
	});

	return new Promise<UpstreamResponse>((resolve, reject) => {
		const onError = (error: Error) => {
			stream.destroy();
			reject(error);
		};

		stream.once('error', onError);
		stream.once('response', (response: http.IncomingMessage) => {
			stream.off('error', onError);
			resolve({status: response.statusCode ?? 502, headers: response.headers, body: stream});
		});
	});
}

/** Reads a (small) error body so it can be shown or replayed; bounded so a huge one cannot hurt. */
export async function readSmallBody(body: Request, limit = 64 * 1024): Promise<Buffer> {
	const chunks: Buffer[] = [];
	let size = 0;
	try {
		for await (const chunk of body) {
			if (size < limit) {
				chunks.push(chunk as Buffer);
			}

			size += (chunk as Buffer).length;
		}
	} catch {
		// A broken error body is still an error; what we got is enough.
	}

	return Buffer.concat(chunks).subarray(0, limit);
}

export function describeConnectionError(error: unknown): string {
	const code = (error as {code?: string}).code;
	if (code === 'ETIMEDOUT' || (error as Error).name === 'TimeoutError') {
		return 'timeout';
	}

	return code ? `connect ${code}` : (error as Error).message;
}
