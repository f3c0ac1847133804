// covers: source/anthropic/json-usage.ts
// The non-streaming usage reader: the top-level usage and model of a Messages body, read as the
// bytes pass, whatever the chunking, never fooled by a "usage" key deeper in the content.
import {Buffer} from 'node:buffer';
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {JsonUsageScanner} from '../source/anthropic/json-usage.js';

function scanInChunks(text: string, size: number): JsonUsageScanner {
	const bytes = Buffer.from(text);
	const scanner = new JsonUsageScanner();
	for (let offset = 0; offset < bytes.length; offset += size) {
		scanner.push(bytes.subarray(offset, offset + size));
	}

	return scanner;
}

const body = {
	id: 'msg_1',
	type: 'message',
	role: 'assistant',
	model: 'claude-sonnet-4-6',
	content: [
		{type: 'text', text: String.raw`a "usage": {"input_tokens": 999} in quotes, braces } { and \ backslashes`},
		{
			type: 'tool_use', id: 'toolu_1', name: 'report', input: {usage: {input_tokens: 777, output_tokens: 777}, model: 'not-this-one'},
		},
	],
	stop_reason: 'end_turn',
	usage: {
		input_tokens: 12, cache_creation_input_tokens: 30, cache_read_input_tokens: 400, cache_creation: {ephemeral_5m_input_tokens: 10, ephemeral_1h_input_tokens: 20}, output_tokens: 6, service_tier: 'standard',
	},
	container: null,
};

test('the top-level usage and model are read at every chunk size, nested look-alikes ignored', () => {
	const text = JSON.stringify(body, null, 1);
	for (const size of [1, 2, 3, 7, 64, text.length]) {
		const scanner = scanInChunks(text, size);
		assert.deepEqual(scanner.usage, {
			inputTokens: 12,
			outputTokens: 6,
			cacheCreationInputTokens: 30,
			cacheReadInputTokens: 400,
			cacheCreation5mTokens: 10,
			cacheCreation1hTokens: 20,
		}, `chunk size ${size}`);
		assert.equal(scanner.model, 'claude-sonnet-4-6', `chunk size ${size}`);
	}
});

test('a body without usage, a broken one, or an absurdly large one yields none', () => {
	assert.equal(scanInChunks('{"type":"message","content":[]}', 5).usage, undefined);
	assert.equal(scanInChunks('{"usage": {"input_tokens": 1', 5).usage, undefined, 'cut off before the usage closed');
	assert.equal(scanInChunks('[1, 2, {"usage": {"input_tokens": 1}}]', 5).usage, undefined, 'not an object at the top');
	const huge = `{"usage": {"input_tokens": 1, "pad": "${'x'.repeat(100_000)}"}}`;
	assert.equal(scanInChunks(huge, 4096).usage, undefined, 'a usage object this big is not Anthropic\'s');
	assert.equal(scanInChunks('{"model": 5, "usage": {"output_tokens": 2}}', 3).model, undefined);
	assert.equal(scanInChunks(String.raw`{"model": "claude-\"odd\"", "usage": {"output_tokens": 2}}`, 3).model, 'claude-"odd"');
});

test('token counts beyond any real response are dropped, not summed into savings', () => {
	const scanner = scanInChunks('{"usage": {"input_tokens": 1e300, "output_tokens": 5}}', 8);
	assert.deepEqual(scanner.usage, {
		inputTokens: 0, outputTokens: 5, cacheCreationInputTokens: 0, cacheReadInputTokens: 0,
	});
});
