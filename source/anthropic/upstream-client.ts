import {Buffer} from 'node:buffer';
import http, {type IncomingHttpHeaders, type IncomingMessage} from 'node:http';
import https from 'node:https';

export type UpstreamResponse = {
	status: number;
	headers: IncomingHttpHeaders;
	/** The response body. Reading it is the caller's job; destroy() aborts the upstream request. */
	body: IncomingMessage;
};

export type UpstreamRequest = {
	url: URL;
	method: string;
	/** Owned by the request from here on: content-length is set on it. */
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

class FirstByteTimeout extends Error {
	// eslint-disable-next-line @typescript-eslint/class-literal-property-style -- an own property, like the code on Node's own errors
	readonly code = 'ETIMEDOUT';
}

/**
 * Sends one request upstream and resolves when its response headers arrive. Rejects on a
 * connection error or a first-byte timeout — both happen before anything reached the client, so
 * the caller may try another account.
 *
 * This is node:http rather than got: the benchmark (npm run bench, readme "Benchmarks") measured
 * got.stream at about 3.5× the CPU per request of node:http on this exact path, which alone cost
 * shunt its throughput and streaming budgets. A proxy needs none of got's conveniences: no
 * retries, no redirects, no decompression, no total timeout. Only the URL's origin, path and
 * query are used; the client's Host never reaches the upstream (node sets the upstream's own).
 */
export async function sendUpstream(request: UpstreamRequest): Promise<UpstreamResponse> {
	const {url} = request;
	const secure = url.protocol === 'https:';
	// The caller builds a fresh header object for every try, so it is completed in place.
	const {headers} = request;
	const body = bodylessMethods.has(request.method) ? undefined : (request.body ?? Buffer.alloc(0));
	if (body) {
		headers['content-length'] = String(body.length);
	}

	return new Promise<UpstreamResponse>((resolve, reject) => {
		let answered = false;
		const outgoing = (secure ? https : http).request({
			protocol: url.protocol,
			hostname: url.hostname.replaceAll(/^\[|\]$/g, ''),
			port: url.port || (secure ? 443 : 80),
			path: `${url.pathname}${url.search}`,
			method: request.method,
			headers,
			agent: secure ? agents.https : agents.http,
		});
		const timer = setTimeout(() => {
			outgoing.destroy(new FirstByteTimeout(`no response headers within ${request.firstByteTimeoutMs} ms`));
		}, request.firstByteTimeoutMs);
		outgoing.on('error', error => {
			clearTimeout(timer);
			if (!answered) {
				reject(error);
			}
			// After the headers, a broken connection surfaces on the response body instead.
		});
		outgoing.once('response', response => {
			answered = true;
			clearTimeout(timer);
			resolve({status: response.statusCode ?? 502, headers: response.headers, body: response});
		});
		outgoing.end(body);
	});
}

/** Reads a (small) error body so it can be shown or replayed; bounded so a huge one cannot hurt. */
export async function readSmallBody(body: IncomingMessage, limit = 64 * 1024): Promise<Buffer> {
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
	const {code} = (error as {code?: string});
	if (code === 'ETIMEDOUT' || error instanceof FirstByteTimeout) {
		return 'timeout';
	}

	return code ? `connect ${code}` : (error as Error).message;
}
