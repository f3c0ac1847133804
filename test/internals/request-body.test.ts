// covers: source/proxy/request-body.ts, source/util/json.ts (parseJsonObject)
// Runtime overrides rewrite only the fields they own; a body that needs no change goes out byte for byte.
import {Buffer} from 'node:buffer';
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {
	applyOverrides, outgoingBody, withModel, type OutgoingBody,
} from '../../source/proxy/request-body.js';
import {parseJsonObject} from '../../source/util/json.js';

// Odd spacing, key order, escapes and a long system prompt: any re-serialisation would change these bytes.
const clientText = '{ "system" : "Caf\\u00e9 \\ud83c\\udf0d  keep", "model":"claude-sonnet-4-6",\n\t"max_tokens": 1024, "output_config": {"effort": "high", "format": {"type": "json"}}, "messages": [] }';

function body(text: string): OutgoingBody {
	const bytes = Buffer.from(text);
	return outgoingBody(bytes, parseJsonObject(bytes));
}

const off = {model: null, effort: null} as const;

test('parseJsonObject: only a JSON object is parsed; anything else is left for the upstream', () => {
	assert.deepEqual(parseJsonObject(Buffer.from('{"model": "m"}')), {model: 'm'});
	for (const text of ['', '[1, 2]', 'null', '"text"', '42', 'true', '{"model": ', 'model=m']) {
		assert.equal(parseJsonObject(Buffer.from(text)), undefined, JSON.stringify(text));
	}
});

test('the model is read only when it is a string', () => {
	assert.equal(body('{"model": "claude-x"}').model, 'claude-x');
	assert.equal(body('{"model": 7}').model, undefined);
	assert.equal(body('{"model": null}').model, undefined);
	assert.equal(body('{}').model, undefined);
});

type Unchanged = {name: string; text: string; overrides: Parameters<typeof applyOverrides>[1]};

const unchangedRows: Unchanged[] = [
	{name: 'no overrides', text: clientText, overrides: off},
	{name: 'a model override the body already asks for', text: clientText, overrides: {model: 'claude-sonnet-4-6', effort: null}},
	{name: 'an effort override the body already has', text: clientText, overrides: {model: null, effort: 'high'}},
	{name: 'both overrides already satisfied', text: clientText, overrides: {model: 'claude-sonnet-4-6', effort: 'high'}},
	{name: 'a model override on a body without a model (it is not added)', text: '{ "messages": [] }', overrides: {model: 'claude-opus-4-8', effort: null}},
	{name: 'a model override on a body whose model is not a string', text: '{"model": 7}', overrides: {model: 'claude-opus-4-8', effort: null}},
	{name: 'overrides on a body that is not JSON', text: 'model=claude-sonnet-4-6', overrides: {model: 'claude-opus-4-8', effort: 'max'}},
	{name: 'overrides on an empty body', text: '', overrides: {model: 'claude-opus-4-8', effort: 'max'}},
	{name: 'overrides on a JSON array', text: '[{"model": "claude-sonnet-4-6"}]', overrides: {model: 'claude-opus-4-8', effort: 'max'}},
];

for (const row of unchangedRows) {
	test(`byte for byte: ${row.name}`, () => {
		const before = body(row.text);
		const after = applyOverrides(before, row.overrides);
		assert.equal(after, before, 'the very same body');
		assert.equal(after.bytes.toString(), row.text);
	});
}

test('a model override replaces the model and nothing else', () => {
	const before = body(clientText);
	const after = applyOverrides(before, {model: 'claude-opus-4-8', effort: null});
	assert.equal(after.model, 'claude-opus-4-8');
	const sent = JSON.parse(after.bytes.toString()) as Record<string, unknown>;
	assert.equal(sent['system'], 'Café 🌍  keep');
	assert.deepEqual(after.json, sent, 'json and bytes agree');
	assert.deepEqual(sent, {...before.json, model: 'claude-opus-4-8'});
	assert.equal(before.bytes.toString(), clientText, 'the client\'s body is not mutated');
	assert.equal(before.json?.['model'], 'claude-sonnet-4-6');
});

test('an effort override sets output_config.effort and keeps the rest of output_config', () => {
	const after = applyOverrides(body(clientText), {model: null, effort: 'low'});
	const sent = JSON.parse(after.bytes.toString()) as Record<string, unknown>;
	assert.deepEqual(sent['output_config'], {effort: 'low', format: {type: 'json'}});
	assert.equal(sent['model'], 'claude-sonnet-4-6');
	assert.equal(after.model, 'claude-sonnet-4-6');
});

test('an effort override adds output_config when there is none, or replaces one that is not an object', () => {
	for (const config of ['', ', "output_config": null', ', "output_config": "fast"', ', "output_config": 3']) {
		const after = applyOverrides(body(`{"model": "m"${config}}`), {model: null, effort: 'max'});
		assert.deepEqual(JSON.parse(after.bytes.toString()), {model: 'm', output_config: {effort: 'max'}}, config);
	}
});

test('both overrides at once', () => {
	const after = applyOverrides(body(clientText), {model: 'claude-haiku-4-5-20251001', effort: 'medium'});
	const sent = JSON.parse(after.bytes.toString()) as {model: string; max_tokens: number; output_config: {effort: string}};
	assert.equal(sent.model, 'claude-haiku-4-5-20251001');
	assert.equal(sent.output_config.effort, 'medium');
	assert.equal(sent.max_tokens, 1024);
	assert.equal(after.model, 'claude-haiku-4-5-20251001');
});

test('withModel: the same request with another model; a body that is not JSON stays as it is', () => {
	const before = body(clientText);
	const after = withModel(before, 'claude-haiku-4-5-20251001');
	assert.equal(after.model, 'claude-haiku-4-5-20251001');
	assert.deepEqual(JSON.parse(after.bytes.toString()), {...before.json, model: 'claude-haiku-4-5-20251001'});
	assert.equal(before.json?.['model'], 'claude-sonnet-4-6', 'the original is not mutated');

	const opaque = body('not json at all');
	assert.equal(withModel(opaque, 'claude-haiku-4-5-20251001'), opaque);
});
