// Closed-loop load generation over plain node:http with a keep-alive agent: `concurrency` workers
// each send a request, wait for the whole answer, and send the next, until the run's count is
// reached. fetch is avoided on purpose: its own per-request cost would blur the proxy's.
import {Buffer} from 'node:buffer';
import {randomUUID} from 'node:crypto';
import http from 'node:http';
import {performance} from 'node:perf_hooks';

export type Target = {
	name: string;
	url: string;
	/** Sent with every request: the simulator's key when going direct or through the pipe proxy. */
	headers: Record<string, string>;
	/** Where requests go; default /v1/messages. */
	path?: string;
	/** Sent as every request's body instead of the workload's (another API's request, say). */
	body?: Buffer;
};

const baseHeaders = {'content-type': 'application/json', 'anthropic-version': '2023-06-01'};

/** The one-conversation request as an OpenAI client sends it (gpt-4o is mapped to the same Sonnet model). */
export function chatCompletionBody(): Buffer {
	return Buffer.from(JSON.stringify({model: 'gpt-4o', max_tokens: 16, messages: [{role: 'user', content: 'hi'}]}));
}

export function messageBody(stream: boolean, prompt = 'hi'): Buffer {
	const body: Record<string, unknown> = {model: 'claude-sonnet-4-6', max_tokens: 16, messages: [{role: 'user', content: prompt}]};
	if (stream) {
		body['stream'] = true;
	}

	return Buffer.from(JSON.stringify(body));
}

/**
 * What the client sends; neither workload sends x-claude-code-session-id or metadata.user_id.
 * - one-conversation: every request is the same short conversation, so shunt derives the same
 *   session fingerprint each time and holds one sticky session.
 * - new-conversations: every request opens a conversation never sent before (its prompt text
 *   carries a counter), as SDK agents and scripts send: each request is a session shunt has
 *   never seen, and its sticky table fills up.
 */
export type Workload = 'one-conversation' | 'new-conversations';
export const workloads: readonly Workload[] = ['one-conversation', 'new-conversations'];

// Distinct across every run and target of one benchmark, and across benchmarks too.
const conversationPrefix = randomUUID().slice(0, 8);
let conversationCounter = 0;

/** The body of each next request of a workload. */
export function bodySource(workload: Workload, stream: boolean): () => Buffer {
	if (workload === 'one-conversation') {
		const body = messageBody(stream);
		return () => body;
	}

	// The same size as a one-conversation body give or take the counter's digits.
	return () => messageBody(stream, `conversation ${conversationPrefix}-${conversationCounter++}: hi`);
}

type Exchange = {status: number};

function newAgent(concurrency: number): http.Agent {
	// One socket per worker, all kept open between requests.
	return new http.Agent({keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency});
}

async function send(target: Target, agent: http.Agent, body: Buffer, onResponse: (response: http.IncomingMessage, done: (exchange: Exchange) => void, fail: (error: Error) => void) => void): Promise<Exchange> {
	const url = new URL(target.path ?? '/v1/messages', target.url);
	return new Promise((resolve, reject) => {
		const request = http.request({
			host: url.hostname,
			port: url.port,
			path: url.pathname,
			method: 'POST',
			agent,
			headers: {...baseHeaders, ...target.headers, 'content-length': body.length},
		}, response => {
			onResponse(response, resolve, reject);
		});
		// on, not once: a destroyed socket may report more than one error, and an unheard one throws.
		request.on('error', reject);
		request.end(body);
	});
}

/** Reads a whole response and throws its bytes away. */
function drain(response: http.IncomingMessage, done: (exchange: Exchange) => void, fail: (error: Error) => void): void {
	response.on('data', () => {
		// Thrown away.
	});
	response.once('end', () => {
		done({status: response.statusCode ?? 0});
	});
	response.once('error', fail);
}

/** Runs `total` calls of `one` with `concurrency` in flight at a time. */
async function closedLoop(concurrency: number, total: number, one: (index: number) => Promise<void>): Promise<void> {
	let issued = 0;
	const worker = async () => {
		while (issued < total) {
			const index = issued++;
			// eslint-disable-next-line no-await-in-loop
			await one(index);
		}
	};

	await Promise.all(Array.from({length: Math.min(concurrency, total)}, async () => worker()));
}

export type LoadOptions = {
	target: Target;
	concurrency: number;
	/** Measured requests. */
	requests: number;
	/** Unmeasured requests first: connections opened, JIT warm. */
	warmup: number;
	/** Default one-conversation. */
	workload?: Workload;
	/**
	 * Requests per second to pace the measured requests at (default: as fast as the target
	 * answers). At one fixed rate every target batches alike, so CPU per request compares code,
	 * not how busy each target happened to be.
	 */
	rate?: number;
};

export type LoadResult = {
	/** Per-request latency in ms, in completion order. */
	latencies: Float64Array;
	elapsedMs: number;
	/** Measured requests per second over the run. */
	rps: number;
	/** Non-200 answers and transport errors among the measured requests. */
	errors: number;
};

/** Non-streaming messages: latency is request start to the last body byte. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
	const agent = newAgent(options.concurrency);
	const fixed = options.target.body;
	const nextBody = fixed ? () => fixed : bodySource(options.workload ?? 'one-conversation', false);
	let errors = 0;
	try {
		await closedLoop(options.concurrency, options.warmup, async () => {
			await send(options.target, agent, nextBody(), drain).catch(() => undefined);
		});
		const latencies = new Float64Array(options.requests);
		let completed = 0;
		const started = performance.now();
		const {rate} = options;
		await closedLoop(options.concurrency, options.requests, async index => {
			if (rate) {
				const wait = started + ((index * 1000) / rate) - performance.now();
				if (wait > 0) {
					await new Promise(resolve => {
						setTimeout(resolve, wait);
					});
				}
			}

			const body = nextBody();
			const begin = performance.now();
			try {
				const {status} = await send(options.target, agent, body, drain);
				if (status !== 200) {
					errors++;
				}
			} catch {
				errors++;
			}

			latencies[completed++] = performance.now() - begin;
		});
		const elapsedMs = performance.now() - started;
		return {
			latencies, elapsedMs, rps: options.requests / (elapsedMs / 1000), errors,
		};
	} finally {
		agent.destroy();
	}
}

export type StreamResult = {
	/** Per-event delay in ms: client receive time minus the simulator's stamp, every event. */
	eventLatencies: Float64Array;
	/** The same for each stream's first event only: it also carries the proxy's response setup. */
	firstEventLatencies: Float64Array;
	streams: number;
	errors: number;
};

/** Wall-clock-comparable ms with sub-ms resolution, the clock the simulator stamps with. */
const wallNow = (): number => performance.timeOrigin + performance.now();

type StampSink = {all: number[]; first: number[]};

/**
 * Streaming messages from a simulator started with --stamp-events: every event block starts with
 * `: t=<ms>`. An event counts as received when its closing blank line arrives, so an event split
 * across TCP chunks is timed at its last byte.
 */
function readStamps(sink: StampSink) {
	return (response: http.IncomingMessage, done: (exchange: Exchange) => void, fail: (error: Error) => void): void => {
		let buffer = '';
		let events = 0;
		response.setEncoding('utf8');
		response.on('data', (chunk: string) => {
			const now = wallNow();
			buffer += chunk;
			let end = buffer.indexOf('\n\n');
			while (end !== -1) {
				if (buffer.startsWith(': t=')) {
					const stamp = Number(buffer.slice(4, buffer.indexOf('\n')));
					if (Number.isFinite(stamp)) {
						sink.all.push(now - stamp);
						if (events++ === 0) {
							sink.first.push(now - stamp);
						}
					}
				}

				buffer = buffer.slice(end + 2);
				end = buffer.indexOf('\n\n');
			}
		});
		response.once('end', () => {
			done({status: response.statusCode ?? 0});
		});
		response.once('error', fail);
	};
}

export async function runStreams(options: LoadOptions): Promise<StreamResult> {
	const agent = newAgent(options.concurrency);
	const body = messageBody(true);
	let errors = 0;
	try {
		const discard: StampSink = {all: [], first: []};
		await closedLoop(options.concurrency, options.warmup, async () => {
			await send(options.target, agent, body, readStamps(discard)).catch(() => undefined);
		});
		const sink: StampSink = {all: [], first: []};
		await closedLoop(options.concurrency, options.requests, async () => {
			try {
				const {status} = await send(options.target, agent, body, readStamps(sink));
				if (status !== 200) {
					errors++;
				}
			} catch {
				errors++;
			}
		});
		return {
			eventLatencies: Float64Array.from(sink.all), firstEventLatencies: Float64Array.from(sink.first), streams: options.requests, errors,
		};
	} finally {
		agent.destroy();
	}
}

export type AbortResult = {aborted: number; errors: number; elapsedMs: number};

/**
 * Streams that the client walks away from: the socket is destroyed as soon as the first body
 * chunk arrives, while the upstream is still producing (the simulator runs with a chunk delay).
 */
export async function runAborts(options: Omit<LoadOptions, 'warmup'>): Promise<AbortResult> {
	// No keep-alive: every aborted request kills its socket anyway.
	const agent = new http.Agent({keepAlive: false, maxSockets: options.concurrency});
	const body = messageBody(true);
	let aborted = 0;
	let errors = 0;
	const started = performance.now();
	try {
		await closedLoop(options.concurrency, options.requests, async () => {
			try {
				await send(options.target, agent, body, (response, done) => {
					response.once('data', () => {
						response.socket.destroy();
						aborted++;
						done({status: response.statusCode ?? 0});
					});
					// The stream ended before we could abort it: it does not count as an abort.
					response.once('end', () => {
						done({status: response.statusCode ?? 0});
					});
					response.once('error', () => {
						done({status: response.statusCode ?? 0});
					});
				});
			} catch {
				errors++;
			}
		});
		return {aborted, errors, elapsedMs: performance.now() - started};
	} finally {
		agent.destroy();
	}
}
