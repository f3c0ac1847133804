// One HTTP exchange with a running shunt's control API, on node:http: fetch would load undici
// first (tens of milliseconds), and `shunt statusline` runs every few seconds. Whatever answers
// on the port may be any process, so the answer is bounded in size and in time.
import {Buffer} from 'node:buffer';
import http from 'node:http';

export type Target = {host: string; port: number};

/** http://host:port, with an IPv6 host in brackets. */
export function baseUrl(target: Target): string {
	const host = target.host.includes(':') ? `[${target.host}]` : target.host;
	return `http://${host}:${target.port}`;
}

/** Nothing answered: refused, timed out, or the connection broke before a whole answer. */
export class Unreachable extends Error {}

export type ControlAnswer = {status: number; text: string};

export type ControlRequest = {
	/** JSON body: the request is a POST. */
	body?: unknown;
	timeoutMs?: number;
	maxBytes?: number;
};

/** GET (or POST with `body`) /_shunt/<path>; rejects with Unreachable when no whole answer came in time. */
export async function requestControl(target: Target, path: string, options: ControlRequest = {}): Promise<ControlAnswer> {
	const timeoutMs = options.timeoutMs ?? 5000;
	const maxBytes = options.maxBytes ?? 16 * 1024 * 1024;
	const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
	return new Promise<ControlAnswer>((resolve, reject) => {
		const request = http.request({
			host: target.host,
			port: target.port,
			path: `/_shunt/${path}`,
			method: payload === undefined ? 'GET' : 'POST',
			agent: false,
			headers: payload === undefined ? {accept: 'application/json'} : {accept: 'application/json', 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload)},
		});
		// The whole exchange, not only a silence, is bounded.
		const timer = setTimeout(() => {
			request.destroy(new Unreachable(`no answer within ${timeoutMs} ms`));
		}, timeoutMs);
		let settled = false;
		const fail = (error: Error) => {
			clearTimeout(timer);
			if (!settled) {
				settled = true;
				reject(error instanceof Unreachable ? error : new Unreachable(error.message));
			}
		};

		request.once('error', fail);
		request.once('response', response => {
			const chunks: Buffer[] = [];
			let size = 0;
			response.on('data', (chunk: Buffer) => {
				size += chunk.length;
				if (size > maxBytes) {
					request.destroy(new Unreachable(`the answer is larger than ${maxBytes} bytes`));
					return;
				}

				chunks.push(chunk);
			});
			response.once('error', fail);
			response.once('end', () => {
				clearTimeout(timer);
				settled = true;
				resolve({status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8')});
			});
			response.once('close', () => {
				fail(new Unreachable('the connection closed before the whole answer'));
			});
		});
		request.end(payload);
	});
}
