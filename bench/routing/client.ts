// The benchmark's HTTP client: plain node:http over a keep-alive agent, the whole answer read (a
// stream to its end), every request bounded by a real-time timeout so a hang fails the run.
import http from 'node:http';

export type Answer = {status: number; headers: http.IncomingHttpHeaders};

export class HttpClient {
	readonly #agent = new http.Agent({keepAlive: true, maxSockets: 256});

	/** POSTs JSON and reads the answer to its end; rejects on a connection error or after timeoutMs of silence. */
	async post(url: string, body: unknown, headers: Record<string, string>, timeoutMs = 60_000): Promise<Answer> {
		const payload = JSON.stringify(body);
		return new Promise((resolve, reject) => {
			const request = http.request(url, {
				method: 'POST',
				agent: this.#agent,
				headers: {...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload))},
			}, response => {
				response.on('data', () => {});
				response.once('end', () => {
					resolve({status: response.statusCode ?? 0, headers: response.headers});
				});
				response.once('error', reject);
			});
			request.setTimeout(timeoutMs, () => {
				request.destroy(new Error(`no answer from ${url} within ${timeoutMs} ms`));
			});
			request.once('error', reject);
			request.end(payload);
		});
	}

	/** Closes the kept-alive sockets. */
	close(): void {
		this.#agent.destroy();
	}
}
