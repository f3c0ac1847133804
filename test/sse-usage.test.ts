// covers: source/anthropic/usage-tap.ts, source/anthropic/sse-parser.ts
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {SseUsageTap} from '../source/anthropic/usage-tap.js';
import {usageFromJson, type Usage} from '../source/anthropic/usage.js';

const encoder = new TextEncoder();

// Read through a call so an earlier assertion about tap.usage does not narrow later reads.
const usageOf = (tap: SseUsageTap): Usage | undefined => tap.usage;

function event(name: string, data: unknown): string {
	return `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}

// A complete stream: cache writes split 5m/1h, a ping, a comment, a multi-byte text delta
// (an emoji is 4 bytes in UTF-8, "é" is 2), and cumulative totals repeated in message_delta.
const fullStream = [
	': keep-alive comment\n\n',
	event('message_start', {
		type: 'message_start',
		message: {
			id: 'msg_1',
			type: 'message',
			role: 'assistant',
			model: 'claude-sonnet-4-6',
			content: [],
			usage: {
				input_tokens: 25,
				cache_creation_input_tokens: 300,
				cache_read_input_tokens: 1000,
				cache_creation: {ephemeral_5m_input_tokens: 100, ephemeral_1h_input_tokens: 200},
				output_tokens: 1,
			},
		},
	}),
	event('content_block_start', {type: 'content_block_start', index: 0, content_block: {type: 'text', text: ''}}),
	event('ping', {type: 'ping'}),
	event('content_block_delta', {type: 'content_block_delta', index: 0, delta: {type: 'text_delta', text: 'Héllo 🌍!'}}),
	event('future_event_type', {type: 'future_event_type', anything: [1, 2, 3]}),
	event('content_block_stop', {type: 'content_block_stop', index: 0}),
	event('message_delta', {type: 'message_delta', delta: {stop_reason: 'end_turn'}, usage: {output_tokens: 15}}),
	event('message_stop', {type: 'message_stop'}),
].join('');

const expectedUsage = {
	inputTokens: 25,
	outputTokens: 15,
	cacheCreationInputTokens: 300,
	cacheReadInputTokens: 1000,
	cacheCreation5mTokens: 100,
	cacheCreation1hTokens: 200,
};

// What a tap read from a stream, and what it must read from fullStream however the bytes arrive.
const outcome = (tap: SseUsageTap) => ({
	usage: tap.usage, model: tap.model, error: tap.error, sawMessageStop: tap.sawMessageStop,
});
const complete = {
	usage: expectedUsage, model: 'claude-sonnet-4-6', error: undefined, sawMessageStop: true,
};

test('a whole stream in one chunk', () => {
	const tap = new SseUsageTap();
	tap.push(encoder.encode(fullStream));
	tap.end();
	assert.deepEqual(outcome(tap), complete);
});

test('the same stream one byte at a time, splitting multi-byte characters', () => {
	const bytes = encoder.encode(fullStream);
	// The stream really does contain multi-byte sequences to split.
	assert.ok(bytes.length > fullStream.length);
	const tap = new SseUsageTap();
	for (let i = 0; i < bytes.length; i++) {
		tap.push(bytes.subarray(i, i + 1));
	}

	tap.end();
	assert.deepEqual(outcome(tap), complete);
});

test('a multi-byte character split across chunks survives in the parsed JSON', () => {
	// The model name carries the split character, so a mangled decode would show.
	const text = event('message_start', {type: 'message_start', message: {model: 'claude-🌍', usage: {input_tokens: 3}}});
	const bytes = encoder.encode(text);
	const split = bytes.indexOf(0xF0) + 2;
	const tap = new SseUsageTap();
	tap.push(bytes.subarray(0, split));
	tap.push(bytes.subarray(split));
	assert.equal(tap.model, 'claude-🌍');
});

test('message_delta totals overwrite, never add', () => {
	const tap = new SseUsageTap();
	tap.push(encoder.encode([
		event('message_start', {type: 'message_start', message: {model: 'm', usage: {input_tokens: 10, cache_read_input_tokens: 5, output_tokens: 2}}}),
		event('message_delta', {type: 'message_delta', usage: {output_tokens: 40}}),
		event('message_delta', {type: 'message_delta', usage: {output_tokens: 90, input_tokens: 12, cache_read_input_tokens: 7}}),
		event('message_stop', {type: 'message_stop'}),
	].join('')));
	assert.deepEqual(tap.usage, {
		inputTokens: 12, outputTokens: 90, cacheCreationInputTokens: 0, cacheReadInputTokens: 7,
	});
});

test('a delta without input figures keeps the message_start ones', () => {
	const tap = new SseUsageTap();
	tap.push(encoder.encode([
		event('message_start', {
			type: 'message_start', message: {
				usage: {
					input_tokens: 10, cache_creation_input_tokens: 4, cache_creation: {ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 4}, output_tokens: 1,
				},
			},
		}),
		event('message_delta', {type: 'message_delta', usage: {output_tokens: 3}}),
	].join('')));
	assert.deepEqual(tap.usage, {
		inputTokens: 10,
		outputTokens: 3,
		cacheCreationInputTokens: 4,
		cacheReadInputTokens: 0,
		cacheCreation5mTokens: 0,
		cacheCreation1hTokens: 4,
	});
	assert.equal(tap.sawMessageStop, false);
});

test('an error event mid-stream is captured', () => {
	const tap = new SseUsageTap();
	tap.push(encoder.encode(event('message_start', {type: 'message_start', message: {usage: {input_tokens: 8}}})));
	tap.push(encoder.encode('event: error\ndata: {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}\n\n'));
	tap.end();
	assert.deepEqual(tap.error, {type: 'overloaded_error', message: 'Overloaded'});
	assert.equal(tap.usage?.inputTokens, 8);
	assert.equal(tap.sawMessageStop, false);
});

test('CRLF line endings, including a CRLF split between chunks, and bare CR', () => {
	const crlf = fullStream.replaceAll('\n', '\r\n');
	const bytes = encoder.encode(crlf);
	const tap = new SseUsageTap();
	// Cut right after every CR so each LF arrives at the start of the next chunk.
	let start = 0;
	for (let i = 0; i < bytes.length; i++) {
		if (bytes[i] === 0x0D) {
			tap.push(bytes.subarray(start, i + 1));
			start = i + 1;
		}
	}

	tap.push(bytes.subarray(start));
	tap.end();
	assert.deepEqual(outcome(tap), complete);

	const cr = new SseUsageTap();
	cr.push(encoder.encode(fullStream.replaceAll('\n', '\r')));
	assert.deepEqual(outcome(cr), complete);
});

test('a CRLF is one line ending, not two, even when split between chunks', () => {
	const tap = new SseUsageTap();
	// Were CRLF read as two endings, the blank line between would dispatch each half on its own.
	for (const piece of ['event: ping\r', '\ndata: {"type":"message_stop"}\r\n\r\n', 'data: {"type":"message_start",\r', '\ndata: "message":{"usage":{"input_tokens":9}}}\r\n\r', '\n']) {
		tap.push(encoder.encode(piece));
	}

	assert.equal(tap.sawMessageStop, false);
	assert.equal(tap.usage?.inputTokens, 9);
});

test('mixed CR and LF endings in one chunk', () => {
	const tap = new SseUsageTap();
	tap.push(encoder.encode('event: message_start\rdata: {"message":{"usage":{"input_tokens":4}}}\n\r'));
	assert.equal(tap.usage?.inputTokens, 4);
});

test('multi-line data is joined with a newline and the JSON type stands in for a missing event line', () => {
	const tap = new SseUsageTap();
	tap.push(encoder.encode('data: {"type":"message_start",\ndata: "message":{"usage":{"input_tokens":6}}}\n\n'));
	tap.push(encoder.encode('data:{"type":"message_stop"}\n\n'));
	assert.equal(tap.usage?.inputTokens, 6);
	assert.equal(tap.sawMessageStop, true);
});

test('an event line names the event even when the JSON type disagrees', () => {
	const tap = new SseUsageTap();
	tap.push(encoder.encode('event: ping\ndata: {"type":"message_stop"}\n\n'));
	assert.equal(tap.sawMessageStop, false);
});

test('an event cut off by the end of the stream is not counted', () => {
	const tap = new SseUsageTap();
	tap.push(encoder.encode(event('message_start', {type: 'message_start', message: {usage: {input_tokens: 5}}})));
	tap.push(encoder.encode('event: message_delta\ndata: {"type":"message_delta","usage":{"output_tokens":50}}\n'));
	tap.end();
	tap.push(encoder.encode('\n'));
	assert.equal(tap.usage?.outputTokens, 0);
});

test('a line over 1 MiB is dropped with its event, and parsing resumes after it', () => {
	const tap = new SseUsageTap();
	const huge = 'x'.repeat((1024 * 1024) + 10);
	tap.push(encoder.encode('event: message_start\ndata: {"type":"message_start","message":{"usage":{"input_tokens":1}},"pad":"'));
	tap.push(encoder.encode(huge));
	tap.push(encoder.encode('"}\n\n'));
	assert.equal(usageOf(tap), undefined);
	tap.push(encoder.encode(event('message_delta', {type: 'message_delta', usage: {output_tokens: 4}})));
	assert.equal(tap.usage?.outputTokens, 4);
});

test('malformed JSON and junk lines are tolerated', () => {
	const tap = new SseUsageTap();
	tap.push(encoder.encode('event: message_start\ndata: {not json\n\nretry: 10\nid: 7\nnonsense\n\n'));
	tap.push(encoder.encode('event: message_delta\ndata: {"usage":{"output_tokens":"many","input_tokens":-3}}\n\n'));
	assert.equal(usageOf(tap), undefined);
	tap.push(encoder.encode(event('message_delta', {type: 'message_delta', usage: {output_tokens: 2}})));
	assert.equal(tap.usage?.outputTokens, 2);
});

test('usageFromJson reads a non-streaming body', () => {
	assert.deepEqual(usageFromJson({
		id: 'msg_1',
		type: 'message',
		usage: {
			input_tokens: 12,
			cache_creation_input_tokens: 50,
			cache_read_input_tokens: 7,
			cache_creation: {ephemeral_5m_input_tokens: 20, ephemeral_1h_input_tokens: 30},
			output_tokens: 6,
			service_tier: 'standard',
		},
	}), {
		inputTokens: 12,
		outputTokens: 6,
		cacheCreationInputTokens: 50,
		cacheReadInputTokens: 7,
		cacheCreation5mTokens: 20,
		cacheCreation1hTokens: 30,
	});
	assert.deepEqual(usageFromJson({usage: {input_tokens: 3, output_tokens: 1}}), {
		inputTokens: 3,
		outputTokens: 1,
		cacheCreationInputTokens: 0,
		cacheReadInputTokens: 0,
	});
});

test('usageFromJson returns undefined without usage', () => {
	assert.equal(usageFromJson(undefined), undefined);
	assert.equal(usageFromJson('{"usage":{"input_tokens":1}}'), undefined);
	assert.equal(usageFromJson({type: 'error', error: {type: 'overloaded_error'}}), undefined);
	assert.equal(usageFromJson({usage: {service_tier: 'standard'}}), undefined);
	assert.equal(usageFromJson([{usage: {input_tokens: 1}}]), undefined);
});
