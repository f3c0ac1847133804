// The last step of a request: the chosen upstream response goes to the client as it arrives,
// chunk by chunk with backpressure, while usage is read on the side. After the first byte there is
// no failover, so whatever goes wrong from here ends the client's response cleanly and is
// recorded for what it was (error, truncated, cancelled), never as a success.
import type {ServerResponse} from 'node:http';
import type {RequestOutcome} from '../state/records.js';
import type {Usage} from '../anthropic/usage.js';
import type {Cancellation} from '../util/cancellation.js';
import type {IdleWatch} from '../util/idle-watch.js';
import {anthropicErrorBody} from '../anthropic/errors.js';
import {clientResponseHeaders} from './forwarded-headers.js';
import {JsonUsageReader} from '../anthropic/json-usage.js';
import {SseUsageTap} from '../anthropic/usage-tap.js';
import type {UpstreamResponse} from '../anthropic/upstream-client.js';

export type Delivered = {
	status: number;
	outcome: RequestOutcome;
	usage?: Usage;
	/** The model the upstream says answered, when it said. */
	model?: string;
	stream: boolean;
};

/** How an upstream body that reached its end ended: cleanly, broken off, or gone silent. */
export type BodyEnd = 'end' | 'error' | 'idle';

type Ended = BodyEnd | 'client';

/**
 * How the client's response is written from the upstream's. For the Messages API it is a plain
 * copy (passThrough); a front door that speaks another API translates. Usage is read from the
 * upstream's own bytes either way, so accounting does not depend on the door.
 */
export type ClientSink = {
	/** Writes the response head; called once, before the first body chunk. */
	start(response: ServerResponse, upstream: UpstreamResponse, account: string, stream: boolean): void;
	/** One upstream body chunk; false when the client cannot take more yet (backpressure). */
	write(response: ServerResponse, chunk: Buffer): boolean;
	/** The upstream body is over: it ended, broke, or went silent. Ends the client's response. */
	finish(response: ServerResponse, ended: BodyEnd, stream: boolean, idleTimeoutMs: number): void;
};

/** The Messages API's sink: the upstream's status, headers and bytes as they are. */
export const passThrough: ClientSink = {
	start(response, upstream, account, stream) {
		response.writeHead(upstream.status, clientResponseHeaders(upstream.headers, account));
		if (stream) {
			// A stream's headers go out at once: the client learns which account took it before the
			// first event. A plain response's headers ride with its first body chunk (one write, not two).
			response.flushHeaders();
		}
	},
	write: (response, chunk) => response.write(chunk),
	finish: finishResponse,
};

export type DeliverOptions = {
	account: string;
	clientGone: Cancellation;
	/** The upstream sent nothing for the watch's timeout: end the response (an SSE error event for streams). */
	idle: IdleWatch;
	/** Progress for the live row: the first byte sent, and output so far (streams: content deltas). */
	onProgress?: (progress: {firstByte: boolean; outputTokens: number}) => void;
	/** How the client's response is written, given the upstream's; passThrough when not given. */
	sinkFor?: (upstream: UpstreamResponse, stream: boolean) => ClientSink;
};

export async function deliver(upstream: UpstreamResponse, response: ServerResponse, options: DeliverOptions): Promise<Delivered> {
	const contentType = String(upstream.headers['content-type'] ?? '');
	const stream = contentType.includes('text/event-stream');
	const tap = stream ? new SseUsageTap() : undefined;
	const json = !stream && contentType.includes('json') && upstream.status < 300 ? new JsonUsageReader() : undefined;

	const sink = options.sinkFor?.(upstream, stream) ?? passThrough;
	sink.start(response, upstream, options.account, stream);
	let firstByte = true;
	const ended = await pump(upstream, response, options, sink, chunk => {
		tap?.push(chunk);
		json?.push(chunk);
		options.onProgress?.({firstByte, outputTokens: tap?.deltas ?? 0});
		firstByte = false;
	});
	if (ended !== 'client' && !response.writableEnded) {
		sink.finish(response, ended, stream, options.idle.timeoutMs);
	}

	tap?.end();

	let outcome: RequestOutcome;
	if (ended === 'client') {
		outcome = 'client-cancelled';
	} else if (upstream.status >= 400 || tap?.error) {
		outcome = 'error';
	} else if (ended !== 'end' || (tap && !tap.sawMessageStop)) {
		outcome = 'truncated';
	} else {
		outcome = 'complete';
	}

	if (tap) {
		return {status: upstream.status, outcome, usage: tap.usage, model: tap.model, stream};
	}

	const read = json && ended === 'end' ? json.result() : undefined;
	return {status: upstream.status, outcome, usage: read?.usage, model: read?.model, stream};
}

/** Copies the body to the client until it ends, breaks, goes silent, or the client leaves. */
async function pump(upstream: UpstreamResponse, response: ServerResponse, options: DeliverOptions, sink: ClientSink, observe: (chunk: Buffer) => void): Promise<Ended> {
	return new Promise<Ended>(resolve => {
		const source = upstream.body;
		let settled = false;
		let forgetClient = () => {};
		const settle = (ended: Ended) => {
			if (settled) {
				return;
			}

			settled = true;
			watched.stop();
			source.off('data', onData);
			response.off('drain', onDrain);
			forgetClient();
			resolve(ended);
		};

		// While the client is slow to read, the upstream is paused by us: that is not it going silent.
		const watched = options.idle.watch(() => {
			source.destroy();
			settle('idle');
		}, () => source.isPaused());
		const onData = (chunk: Buffer) => {
			watched.touch();
			observe(chunk);
			if (!sink.write(response, chunk)) {
				source.pause();
			}
		};

		const onDrain = () => {
			watched.touch();
			source.resume();
		};
		source.on('data', onData);
		response.on('drain', onDrain);
		source.once('end', () => settle('end'));
		source.once('error', () => settle(options.clientGone.aborted ? 'client' : 'error'));
		// A connection that closes before the body ended is a break, even when no error is raised.
		source.once('close', () => {
			if (!source.complete) {
				settle(options.clientGone.aborted ? 'client' : 'error');
			}
		});
		forgetClient = options.clientGone.onAbort(() => {
			source.destroy();
			settle('client');
		});
	});
}

/**
 * Ends the client's response so it never hangs. A stream is closed with its chunked terminator,
 * after an SSE error event when the upstream went silent (clients show it instead of waiting out
 * their own watchdog). A plain body that broke off cannot be ended honestly (its content-length
 * promised more), so its connection is closed.
 */
function finishResponse(response: ServerResponse, ended: BodyEnd, stream: boolean, idleTimeoutMs: number): void {
	if (ended === 'end') {
		response.end();
		return;
	}

	if (!stream) {
		response.destroy();
		return;
	}

	if (ended === 'idle') {
		const message = `the upstream sent nothing for ${Math.round(idleTimeoutMs / 1000)} s; shunt ended the stream`;
		response.write(`event: error\ndata: ${anthropicErrorBody('timeout_error', message)}\n\n`);
	}

	response.end();
}
