// covers: source/pricing/cost.ts, source/pricing/prices.ts
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {modelFamily, shortModel as shortModelName} from '../source/anthropic/models.js';
import {costUsd, priceFor} from '../source/pricing/cost.js';
import {modelPrices} from '../source/pricing/prices.js';
import type {Usage} from '../source/anthropic/usage.js';

function usage(fields: Partial<Usage>): Usage {
	return {
		inputTokens: 0, outputTokens: 0, cacheCreationInputTokens: 0, cacheReadInputTokens: 0, ...fields,
	};
}

test('the longest matching prefix wins, including dated ids', () => {
	const cases: Array<[string, string]> = [
		['claude-opus-4-8', 'Opus 4.8'],
		['claude-opus-4-1-20250805', 'Opus 4.1'],
		['claude-opus-4-20250514', 'Opus 4'],
		['claude-opus-5-5', 'Opus 5.5'],
		['claude-opus-5', 'Opus 5'],
		['claude-sonnet-4-5-20250929', 'Sonnet 4.5'],
		['claude-haiku-4-5-20251001', 'Haiku 4.5'],
		['claude-3-5-haiku-20241022', 'Haiku 3.5'],
		['claude-fable-5-1', 'Fable 5.1'],
		['Claude-Sonnet-4-6', 'Sonnet 4.6'],
		['claude-opus-4-6[1m]', 'Opus 4.6'],
	];
	for (const [model, label] of cases) {
		const {price, estimated} = priceFor(model);
		assert.equal(price.label, label, model);
		assert.equal(estimated, false, model);
	}
});

test('a prefix does not claim a longer version number', () => {
	// "claude-opus-5" must not price a hypothetical "claude-opus-50".
	const {price, estimated} = priceFor('claude-opus-50');
	assert.equal(price.prefix, 'claude-opus-4-8');
	assert.equal(estimated, true);
});

test('unknown models fall back by family and are marked estimated', () => {
	const cases: Array<[string, string]> = [
		['us.anthropic.claude-opus-9-v1:0', 'claude-opus-4-8'],
		['claude-sonnet-9', 'claude-sonnet-4-6'],
		['claude-haiku-9', 'claude-haiku-4-5'],
		['claude-fable-7', 'claude-fable-5'],
		['gpt-4o', 'claude-sonnet-4-6'],
		['', 'claude-sonnet-4-6'],
	];
	for (const [model, prefix] of cases) {
		const {price, estimated} = priceFor(model);
		assert.equal(price.prefix, prefix, model);
		assert.equal(estimated, true, model);
	}
});

test('1-hour cache writes cost twice the input rate', () => {
	for (const entry of modelPrices) {
		assert.equal(entry.cacheWrite1h, entry.input * 2, entry.prefix);
	}

	assert.equal(costUsd('claude-sonnet-4-6', usage({cacheCreationInputTokens: 1_000_000, cacheCreation1hTokens: 1_000_000})), 6);
	assert.equal(costUsd('claude-sonnet-4-6', usage({cacheCreationInputTokens: 1_000_000, cacheCreation5mTokens: 1_000_000})), 3.75);
});

test('a hand-computed cost with the 5m/1h split', () => {
	// Sonnet 4.5: 1000 × $3 + 2000 × $15 + 10000 × $0.30 + 1000 × $3.75 + 2000 × $6 = $51,750 per million.
	const cost = costUsd('claude-sonnet-4-5-20250929', usage({
		inputTokens: 1000,
		outputTokens: 2000,
		cacheReadInputTokens: 10_000,
		cacheCreationInputTokens: 3000,
		cacheCreation5mTokens: 1000,
		cacheCreation1hTokens: 2000,
	}));
	assert.ok(Math.abs(cost - 0.051_75) < 1e-12, String(cost));
});

test('cache writes without a split are priced at the 5-minute rate', () => {
	// 1000 × $3 + 2000 × $15 + 10000 × $0.30 + 3000 × $3.75 = $47,250 per million.
	const cost = costUsd('claude-sonnet-4-5', usage({
		inputTokens: 1000, outputTokens: 2000, cacheReadInputTokens: 10_000, cacheCreationInputTokens: 3000,
	}));
	assert.ok(Math.abs(cost - 0.047_25) < 1e-12, String(cost));
	// A split that covers only part of the total: the rest at the 5-minute rate.
	const partial = costUsd('claude-opus-4-8', usage({cacheCreationInputTokens: 3000, cacheCreation1hTokens: 1000}));
	assert.ok(Math.abs(partial - (((1000 * 10) + (2000 * 6.25)) / 1_000_000)) < 1e-12, String(partial));
});

test('cost is zero for no usage and ignores nonsense counts', () => {
	assert.equal(costUsd('claude-opus-4-8', usage({})), 0);
	assert.equal(costUsd('claude-opus-4-8', usage({inputTokens: Number.NaN, outputTokens: -5})), 0);
});

test('shortModelName drops the claude- prefix and a date suffix', () => {
	assert.equal(shortModelName('claude-haiku-4-5-20251001'), 'haiku-4-5');
	assert.equal(shortModelName('claude-opus-4-8'), 'opus-4-8');
	assert.equal(shortModelName('claude-3-5-haiku-20241022'), '3-5-haiku');
	assert.equal(shortModelName('gpt-4o'), 'gpt-4o');
	// Only an 8-digit date is a date.
	assert.equal(shortModelName('claude-opus-4-1234'), 'opus-4-1234');
});

test('modelFamily reads the family from anywhere in the id', () => {
	assert.equal(modelFamily('claude-opus-4-8'), 'opus');
	assert.equal(modelFamily('claude-3-5-haiku-20241022'), 'haiku');
	assert.equal(modelFamily('Claude-Sonnet-4-6'), 'sonnet');
	assert.equal(modelFamily('claude-fable-5-1'), 'fable');
	assert.equal(modelFamily('gpt-4o'), undefined);
});
