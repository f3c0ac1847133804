// The floor for any Node proxy: a node:http server that streams each request to one upstream over
// a keep-alive agent and streams the answer back, doing nothing else (no routing, no parsing, no
// bookkeeping). Whatever shunt adds on top of this is shunt's own cost.
//
// Runnable as its own process (the benchmark runs it that way so it gets its own core share, on
// plain node from a type-stripped copy: see processes.ts). By hand:
//   node --import=tsx bench/pipe-proxy.ts --upstream http://127.0.0.1:<port> [--port 0]
// It must import nothing but node: builtins.
// prints one JSON line {"url": "http://127.0.0.1:<port>"} on stdout and serves until SIGTERM.
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import process from 'node:process';
import {pathToFileURL} from 'node:url';
import {parseArgs} from 'node:util';

// Connection-scoped headers must not be copied across the hop; node sets its own.
const hopByHop = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'host']);

function forwardHeaders(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
	const out: http.OutgoingHttpHeaders = {};
	for (const [name, value] of Object.entries(headers)) {
		if (value !== undefined && !hopByHop.has(name)) {
			out[name] = value;
		}
	}

	return out;
}

export type PipeProxy = {url: string; close(): Promise<void>};

export async function startPipeProxy(upstream: string, port = 0, host = '127.0.0.1'): Promise<PipeProxy> {
	const target = new URL(upstream);
	// Same pool shape as shunt's upstream agent, so the comparison is about per-request work.
	const agent = new http.Agent({keepAlive: true, maxSockets: 256, maxFreeSockets: 64});
	const server = http.createServer((request, response) => {
		const upstreamRequest = http.request({
			host: target.hostname,
			port: target.port,
			method: request.method,
			path: request.url,
			headers: forwardHeaders(request.headers),
			agent,
		}, upstreamResponse => {
			response.writeHead(upstreamResponse.statusCode ?? 502, forwardHeaders(upstreamResponse.headers));
			// Headers go out at once, as a streaming proxy must (the client learns the status early).
			response.flushHeaders();
			upstreamResponse.pipe(response);
			upstreamResponse.once('error', () => {
				response.destroy();
			});
		});
		upstreamRequest.once('error', () => {
			if (response.headersSent) {
				response.destroy();
			} else {
				response.writeHead(502, {'content-type': 'application/json'});
				response.end('{"type":"error","error":{"type":"api_error","message":"upstream unreachable"}}');
			}
		});
		// A client that goes away mid-stream must free the upstream socket too.
		response.once('close', () => {
			if (!response.writableFinished) {
				upstreamRequest.destroy();
			}
		});
		request.pipe(upstreamRequest);
	});
	server.keepAliveTimeout = 5000;
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, host, () => {
			server.off('error', reject);
			resolve();
		});
	});
	const address = server.address() as AddressInfo;
	return {
		url: `http://${host}:${address.port}`,
		async close() {
			await new Promise<void>(resolve => {
				server.close(() => {
					resolve();
				});
				server.closeAllConnections();
			});
			agent.destroy();
		},
	};
}

async function main(): Promise<void> {
	const {values} = parseArgs({options: {upstream: {type: 'string'}, port: {type: 'string'}, host: {type: 'string'}}});
	if (!values.upstream) {
		process.stderr.write('pipe-proxy: --upstream <url> is required\n');
		process.exit(2);
	}

	const proxy = await startPipeProxy(values.upstream, Number(values.port ?? 0), values.host ?? '127.0.0.1');
	process.stdout.write(`${JSON.stringify({url: proxy.url})}\n`);
	const stop = () => {
		void proxy.close().then(() => process.exit(0));
	};

	process.once('SIGTERM', stop);
	process.once('SIGINT', stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
	await main();
}
