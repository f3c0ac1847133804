// covers: source/proxy/model-fit.ts, source/pricing/prices.ts
// Fields a model shunt chose is documented to refuse are removed; nothing else is touched.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {fitToModel} from '../../source/proxy/model-fit.js';
import {outgoingBody} from '../../source/proxy/request-body.js';

function fit(json: Record<string, unknown>) {
	const {body, removed} = fitToModel(outgoingBody(Buffer.from(JSON.stringify(json)), json));
	return {json: body.json, removed, bytes: body.bytes.toString()};
}

const messages = [{role: 'user', content: 'hi'}];

test('rows: model, request fields → what is removed', () => {
	const rows: Array<[string, Record<string, unknown>, string[], Record<string, unknown>]> = [
		// Haiku 4.5 takes no effort and no adaptive thinking, but manual thinking budgets.
		['claude-haiku-4-5-20251001', {output_config: {effort: 'xhigh'}}, ['effort xhigh'], {}],
		['claude-haiku-4-5-20251001', {output_config: {effort: 'low', format: {type: 'json'}}}, ['effort low'], {output_config: {format: {type: 'json'}}}],
		['claude-haiku-4-5-20251001', {thinking: {type: 'adaptive'}}, ['adaptive thinking'], {}],
		['claude-haiku-4-5-20251001', {thinking: {type: 'enabled', budget_tokens: 2048}}, [], {thinking: {type: 'enabled', budget_tokens: 2048}}],
		['claude-haiku-4-5-20251001', {thinking: {type: 'adaptive'}, output_config: {effort: 'max'}}, ['effort max', 'adaptive thinking'], {}],
		// Haiku 3.5 takes no thinking at all.
		['claude-3-5-haiku-20241022', {thinking: {type: 'enabled', budget_tokens: 1024}}, ['thinking'], {}],
		['claude-3-5-haiku-20241022', {thinking: {type: 'disabled'}}, [], {thinking: {type: 'disabled'}}],
		// Sonnet 4.6 takes max but not xhigh; Opus 4.8 takes both.
		['claude-sonnet-4-6', {output_config: {effort: 'xhigh'}}, ['effort xhigh'], {}],
		['claude-sonnet-4-6', {output_config: {effort: 'max'}, thinking: {type: 'adaptive'}}, [], {output_config: {effort: 'max'}, thinking: {type: 'adaptive'}}],
		['claude-opus-4-8', {output_config: {effort: 'xhigh'}}, [], {output_config: {effort: 'xhigh'}}],
		// A model whose support is not documented in the table is left alone, as is an unknown one.
		['claude-haiku-5-5', {output_config: {effort: 'xhigh'}, thinking: {type: 'adaptive'}}, [], {output_config: {effort: 'xhigh'}, thinking: {type: 'adaptive'}}],
		['my-own-haiku-proxy', {output_config: {effort: 'max'}}, [], {output_config: {effort: 'max'}}],
		// A value shunt does not know is removed without being repeated on screen.
		['claude-haiku-4-5-20251001', {output_config: {effort: '\u001B]0;owned\u0007'}}, ['effort'], {}],
	];
	for (const [model, fields, removed, kept] of rows) {
		const result = fit({model, max_tokens: 8, messages, ...fields});
		assert.deepEqual(result.removed, removed, `${model} ${JSON.stringify(fields)}`);
		assert.deepEqual(result.json, {model, max_tokens: 8, messages, ...kept}, `${model} ${JSON.stringify(fields)}`);
		assert.deepEqual(JSON.parse(result.bytes), result.json, 'the bytes sent are the fitted body');
	}
});

test('a body that needs nothing removed keeps its exact bytes', () => {
	const raw = '{"model":"claude-haiku-4-5-20251001",  "max_tokens":8,"messages":[{"role":"user","content":"hi"}]}';
	const json = JSON.parse(raw) as Record<string, unknown>;
	const {body} = fitToModel(outgoingBody(Buffer.from(raw), json));
	assert.equal(body.bytes.toString(), raw);
});
