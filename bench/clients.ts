// The upstream HTTP client on its own: the same request to the simulator sent with got.stream
// (exactly as shunt's upstream-client.ts sends it), plain node:http, and fetch (node's built-in
// undici). What differs between the rows is only the client library's per-request cost, which is
// measured as this process's CPU time per request (process.cpuUsage), next to latency and rate.
//   node --import=tsx bench/clients.ts --upstream <simulator url> --key sim-key-1   (or via run.ts)
// got is a devDependency for this comparison only: shunt itself does not use it.
import http from 'node:http';
import https from 'node:https';
import {performance} from 'node:perf_hooks';
import process from 'node:process';
import {pathToFileURL} from 'node:url';
import {parseArgs} from 'node:util';
import {got} from 'got';
import {messageBody} from './load.js';
import {median, round, summarize} from './stats.js';

export type ClientName = 'got' | 'node:http' | 'fetch';
export const clientNames: ClientName[] = ['got', 'node:http', 'fetch'];

type Send = () => Promise<number>;

function makeClients(upstream: string, key: string): Record<ClientName, {send: Send; close(): void}> {
	const url = new URL('/v1/messages', upstream);
	const body = messageBody(false);
	const headers = {'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-api-key': key};
	// The same pool shape shunt uses upstream.
	const agents = {
		http: new http.Agent({keepAlive: true, maxSockets: 256, maxFreeSockets: 64}),
		https: new https.Agent({keepAlive: true, maxSockets: 256, maxFreeSockets: 64}),
	};
	const nodeAgent = new http.Agent({keepAlive: true, maxSockets: 256, maxFreeSockets: 64});

	const viaGot: Send = async () => new Promise((resolve, reject) => {
		// Options copied from source/proxy/upstream-client.ts sendUpstream().
		const stream = got.stream(url, {
			method: 'POST',
			headers,
			body,
			copyPipedHeaders: false,
			decompress: false,
			retry: {limit: 0},
			throwHttpErrors: false,
			followRedirect: false,
			timeout: {
				lookup: 10_000, connect: 10_000, secureConnect: 10_000, response: 600_000,
			},
			agent: agents,
		});
		stream.once('error', reject);
		stream.once('response', (response: http.IncomingMessage) => {
			stream.on('data', () => {
				// Read and thrown away: only the end matters.
			});
			stream.once('end', () => {
				resolve(response.statusCode ?? 0);
			});
		});
	});

	const viaNode: Send = async () => new Promise((resolve, reject) => {
		const request = http.request(url, {method: 'POST', headers: {...headers, 'content-length': body.length}, agent: nodeAgent}, response => {
			response.on('data', () => {
				// Read and thrown away: only the end matters.
			});
			response.once('end', () => {
				resolve(response.statusCode ?? 0);
			});
			response.once('error', reject);
		});
		request.on('error', reject);
		request.end(body);
	});

	const viaFetch: Send = async () => {
		const response = await fetch(url, {method: 'POST', headers, body});
		await response.arrayBuffer();
		return response.status;
	};

	return {
		got: {
			send: viaGot,
			close() {
				agents.http.destroy();
			},
		},
		'node:http': {
			send: viaNode,
			close() {
				nodeAgent.destroy();
			},
		},
		fetch: {
			send: viaFetch,
			close() {
				// Fetch pools its connections itself.
			},
		},
	};
}

export type ClientRun = {p50: number; p99: number; rps: number; cpuUsPerRequest: number; errors: number};

async function measure(send: Send, concurrency: number, requests: number): Promise<ClientRun> {
	const latencies = new Float64Array(requests);
	let issued = 0;
	let completed = 0;
	let errors = 0;
	const cpuBefore = process.cpuUsage();
	const started = performance.now();
	await Promise.all(Array.from({length: concurrency}, async () => {
		while (issued < requests) {
			issued++;
			const begin = performance.now();
			try {
				// eslint-disable-next-line no-await-in-loop
				if (await send() !== 200) {
					errors++;
				}
			} catch {
				errors++;
			}

			latencies[completed++] = performance.now() - begin;
		}
	}));
	const elapsedMs = performance.now() - started;
	const cpu = process.cpuUsage(cpuBefore);
	const summary = summarize(latencies);
	return {
		p50: round(summary.p50),
		p99: round(summary.p99),
		rps: round(requests / (elapsedMs / 1000), 1),
		cpuUsPerRequest: round((cpu.user + cpu.system) / requests, 1),
		errors,
	};
}

export type ClientComparison = Record<ClientName, Record<'c1' | 'c32', ClientRun & {runs: ClientRun[]}>>;

/** Interleaved rounds (got, node:http, fetch, rotated), medians; warm-up first so JIT is done. */
export async function compareClients(options: {upstream: string; key: string; rounds: number; requests: {c1: number; c32: number}; warmup: number; progress?: (line: string) => void}): Promise<ClientComparison> {
	const clients = makeClients(options.upstream, options.key);
	const runs = Object.fromEntries(clientNames.map(name => [name, {c1: [] as ClientRun[], c32: [] as ClientRun[]}])) as Record<ClientName, Record<'c1' | 'c32', ClientRun[]>>;
	try {
		for (const name of clientNames) {
			// eslint-disable-next-line no-await-in-loop
			await measure(clients[name].send, 32, options.warmup);
		}

		for (let roundIndex = 0; roundIndex < options.rounds; roundIndex++) {
			options.progress?.(`http clients round ${roundIndex + 1}/${options.rounds}`);
			const order = [...clientNames.slice(roundIndex % 3), ...clientNames.slice(0, roundIndex % 3)];
			for (const level of ['c1', 'c32'] as const) {
				for (const name of order) {
					// eslint-disable-next-line no-await-in-loop
					runs[name][level].push(await measure(clients[name].send, level === 'c1' ? 1 : 32, options.requests[level]));
				}
			}
		}
	} finally {
		for (const name of clientNames) {
			clients[name].close();
		}
	}

	const pick = (list: ClientRun[]) => ({
		p50: round(median(list.map(run => run.p50))),
		p99: round(median(list.map(run => run.p99))),
		rps: round(median(list.map(run => run.rps)), 1),
		cpuUsPerRequest: round(median(list.map(run => run.cpuUsPerRequest)), 1),
		errors: list.reduce((sum, run) => sum + run.errors, 0),
		runs: list,
	});
	return Object.fromEntries(clientNames.map(name => [name, {c1: pick(runs[name].c1), c32: pick(runs[name].c32)}])) as ClientComparison;
}

async function main(): Promise<void> {
	const {values} = parseArgs({
		options: {
			upstream: {type: 'string'},
			key: {type: 'string', default: 'sim-key-1'},
			rounds: {type: 'string', default: '3'},
			requests: {type: 'string', default: '5000'},
		},
	});
	if (!values.upstream) {
		process.stderr.write('usage: node --import=tsx bench/clients.ts --upstream <simulator url> [--key sim-key-1] [--rounds 3] [--requests 5000]\n');
		process.exit(2);
	}

	const requests = Number(values.requests);
	const result = await compareClients({
		upstream: values.upstream, key: values.key, rounds: Number(values.rounds), requests: {c1: Math.ceil(requests / 2), c32: requests}, warmup: 2000,
	});
	for (const name of clientNames) {
		const {c1, c32} = result[name];
		process.stdout.write(`${name.padEnd(10)} c=1 p50 ${c1.p50.toFixed(3)} ms  cpu ${c1.cpuUsPerRequest} µs/req   c=32 ${c32.rps.toFixed(0)} req/s  cpu ${c32.cpuUsPerRequest} µs/req\n`);
	}
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
	await main();
}
