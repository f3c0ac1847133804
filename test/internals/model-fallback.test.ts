// covers: source/proxy/model-fallback.ts, source/anthropic/models.ts (modelFamily, fallbackChain)
// The model tried when no account can serve the requested one.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {fallbackChain, modelOverrideChoices} from '../../source/anthropic/models.js';
import {fallbackModelFor} from '../../source/proxy/model-fallback.js';

const family = (model: string) => ['opus', 'sonnet', 'haiku'].find(name => model.toLowerCase().includes(name));

test('by default a model falls back one family down: opus → sonnet → haiku, then nothing', () => {
	const toSonnet = fallbackModelFor('claude-opus-4-8', null);
	assert.equal(family(toSonnet ?? ''), 'sonnet');
	const toHaiku = fallbackModelFor(toSonnet!, null);
	assert.equal(family(toHaiku ?? ''), 'haiku');
	assert.equal(fallbackModelFor(toHaiku!, null), undefined);
});

test('the family is found in any case and anywhere in the model id', () => {
	assert.equal(fallbackModelFor('Claude-OPUS-4-1-20250805', null), fallbackChain.opus);
	assert.equal(fallbackModelFor('us.anthropic.claude-sonnet-4-5-v1:0', null), fallbackChain.sonnet);
});

test('a model of no known family has no default fallback', () => {
	for (const model of ['claude-3-haiku-20240307', 'gpt-4o', '', 'claude-fable-1']) {
		assert.equal(fallbackModelFor(model, null), undefined, model);
	}
});

test('following the default chain from any model always ends, and never repeats a model', () => {
	for (const start of [...modelOverrideChoices, ...Object.values(fallbackChain), 'claude-opus-4-1']) {
		const seen = new Set([start]);
		for (let model = fallbackModelFor(start, null); model !== undefined; model = fallbackModelFor(model, null)) {
			assert.ok(!seen.has(model), `${start} comes back to ${model}`);
			seen.add(model);
		}
	}
});

test('a configured fallback is used for every model, except the configured model itself', () => {
	assert.equal(fallbackModelFor('claude-opus-4-8', 'claude-custom-1'), 'claude-custom-1');
	assert.equal(fallbackModelFor('claude-haiku-4-5-20251001', 'claude-custom-1'), 'claude-custom-1', 'even past the end of the default chain');
	assert.equal(fallbackModelFor('claude-custom-1', 'claude-custom-1'), undefined);
});

test('"off" switches fallback off for every model', () => {
	for (const model of ['claude-opus-4-8', 'claude-sonnet-4-6', 'off']) {
		assert.equal(fallbackModelFor(model, 'off'), undefined, model);
	}
});
