// Streams a reply as SSE in Anthropic's exact event order, with the stream faults
// (midstream error, dropped connection, stall) injected after a chosen number of deltas.
import type {Exchange, SimCore} from './context.js';
import {pause} from './http-util.js';
import {type Reply, inputUsage, messageStartUsage} from './reply.js';
import type {SimFault} from './sim-types.js';
import {SseWriter} from './sse.js';
import {chunkText} from './tokens.js';

export type StreamFault = Extract<SimFault, {type: 'midstream_error' | 'drop' | 'stall'}>;

/** Destroys the socket only after everything already written has left: response.write corks until the next tick. */
async function dropConnection(exchange: Exchange): Promise<void> {
	exchange.markCut();
	const {socket} = exchange.response;
	await new Promise(resolve => {
		setImmediate(resolve);
	});
	if (socket && socket.writableLength > 0 && !socket.destroyed) {
		await new Promise(resolve => {
			socket.once('drain', resolve);
			socket.once('close', resolve);
		});
	}

	socket?.destroy();
}

/** Silence, broken only by pings so idle-timeout watchdogs see bytes as they would upstream. */
async function stall(sse: SseWriter, ms: number, pingEveryMs: number, signal: AbortSignal): Promise<boolean> {
	let left = ms;
	while (left > 0) {
		const step = Math.min(left, pingEveryMs);
		// eslint-disable-next-line no-await-in-loop -- one step of silence after another
		if (!await pause(step, signal)) {
			return false;
		}

		left -= step;
		// eslint-disable-next-line no-await-in-loop -- a ping between steps, in order
		if (left > 0 && !await sse.send('ping', {type: 'ping'})) {
			return false;
		}
	}

	return true;
}

/** Runs the fault; true when the stream should carry on afterwards. */
async function injectFault(fault: StreamFault, exchange: Exchange, sse: SseWriter, core: SimCore): Promise<boolean> {
	switch (fault.type) {
		case 'midstream_error': {
			await sse.send('error', {type: 'error', error: {type: 'overloaded_error', message: 'Overloaded'}});
			sse.end();
			return false;
		}

		case 'drop': {
			await dropConnection(exchange);
			return false;
		}

		case 'stall': {
			return fault.silent ? pause(fault.ms, exchange.signal) : stall(sse, fault.ms, core.options.pingIntervalMs, exchange.signal);
		}
	}
}

/** A tool_use block as the API streams it: empty input first, then its JSON in pieces (the first one ""). */
async function streamToolUse(sse: SseWriter, call: NonNullable<Reply['toolUse']>): Promise<boolean> {
	const started = await sse.send('content_block_start', {
		type: 'content_block_start', index: 1, content_block: {
			type: 'tool_use', id: call.id, name: call.name, input: {},
		},
	});
	if (!started) {
		return false;
	}

	for (const piece of ['', ...chunkText(JSON.stringify(call.input))]) {
		// eslint-disable-next-line no-await-in-loop
		if (!await sse.send('content_block_delta', {type: 'content_block_delta', index: 1, delta: {type: 'input_json_delta', partial_json: piece}})) {
			return false;
		}
	}

	return sse.send('content_block_stop', {type: 'content_block_stop', index: 1});
}

export async function streamReply(exchange: Exchange, core: SimCore, reply: Reply, headers: Record<string, string>, fault?: StreamFault): Promise<void> {
	exchange.response.writeHead(200, {
		...headers,
		'content-type': 'text/event-stream; charset=utf-8',
		'cache-control': 'no-cache',
	});
	exchange.response.flushHeaders();
	const sse = new SseWriter(exchange.response, core.options.stampEvents, exchange.signal);
	const start = {
		id: reply.id, type: 'message', role: 'assistant', model: reply.model, content: [], stop_reason: null, stop_sequence: null, usage: messageStartUsage(reply),
	};
	const opened = await sse.send('message_start', {type: 'message_start', message: start})
		&& await sse.send('content_block_start', {type: 'content_block_start', index: 0, content_block: {type: 'text', text: ''}})
		&& await sse.send('ping', {type: 'ping'});
	if (!opened) {
		return;
	}

	const chunks = chunkText(reply.text);
	const faultAt = fault ? Math.min(Math.max(0, fault.afterDeltas ?? 1), chunks.length) : -1;
	for (let index = 0; index <= chunks.length; index++) {
		// eslint-disable-next-line no-await-in-loop -- the stream's events go out in order
		if (index === faultAt && fault && !await injectFault(fault, exchange, sse, core)) {
			return;
		}

		const chunk = chunks[index];
		if (chunk === undefined) {
			break;
		}

		// eslint-disable-next-line no-await-in-loop -- the stream's events go out in order
		if (!await sse.send('content_block_delta', {type: 'content_block_delta', index: 0, delta: {type: 'text_delta', text: chunk}})) {
			return;
		}

		// eslint-disable-next-line no-await-in-loop -- the delay between two deltas
		if (core.options.chunkDelayMs > 0 && index < chunks.length - 1 && !await pause(core.options.chunkDelayMs, exchange.signal)) {
			return;
		}
	}

	if (!await sse.send('content_block_stop', {type: 'content_block_stop', index: 0})) {
		return;
	}

	if (reply.toolUse && !await streamToolUse(sse, reply.toolUse)) {
		return;
	}

	// message_delta usage is cumulative: whole-message totals, input side repeated.
	const finished = await sse.send('message_delta', {
		type: 'message_delta',
		delta: {stop_reason: reply.stopReason, stop_sequence: null},
		usage: {...inputUsage(reply), output_tokens: reply.outputTokens},
	})
	&& await sse.send('message_stop', {type: 'message_stop'});
	if (finished) {
		sse.end();
	}
}
