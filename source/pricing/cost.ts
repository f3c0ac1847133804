// Turns a model id and its token usage into list-price dollars, from the table in prices.ts.
import type {Usage} from '../anthropic/usage.js';
import {modelFamily} from '../anthropic/models.js';
import {boundedMemo} from '../util/bounded-memo.js';
import {familyFallback, modelPrices, type ModelPrice} from './prices.js';

// Longest prefix first, so the first match is the most specific one.
const byPrefixLength = [...modelPrices].toSorted((a, b) => b.prefix.length - a.prefix.length);

function entryFor(prefix: string): ModelPrice | undefined {
	return modelPrices.find(entry => entry.prefix === prefix);
}

// Models that fit no family are priced like Sonnet, the middle of the range.
const defaultPrice: ModelPrice = (() => {
	const entry = entryFor(familyFallback.sonnet) ?? modelPrices[0];
	if (!entry) {
		throw new Error('pricing: the model price table is empty');
	}

	return entry;
})();

type PriceLookup = {price: ModelPrice; estimated: boolean};

// Every finished request is priced, almost always with one of a handful of model ids: each id's
// answer is remembered instead of scanning the table each time.
export const priceFor: (model: string) => PriceLookup = boundedMemo(lookUpPrice, 256);

function lookUpPrice(model: string): PriceLookup {
	const id = model.trim().toLowerCase();
	const exact = byPrefixLength.find(entry => matchesPrefix(id, entry.prefix.toLowerCase()));
	if (exact) {
		return {price: exact, estimated: false};
	}

	const family = modelFamily(id);
	const fallback = family ? entryFor(familyFallback[family]) : undefined;
	return {price: fallback ?? defaultPrice, estimated: true};
}

// A prefix must end at a word boundary: "claude-opus-4-1" prices "claude-opus-4-1-20250805" and
// "claude-opus-4-1@…", but must not claim a future "claude-opus-4-10".
function matchesPrefix(id: string, prefix: string): boolean {
	if (!id.startsWith(prefix)) {
		return false;
	}

	const next = id.charAt(prefix.length);
	return next === '' || !/[a-z0-9]/.test(next);
}

const perMillion = 1_000_000;

/** List-price cost in USD of one response's usage. */
export function costUsd(model: string, usage: Usage): number {
	const {price} = priceFor(model);
	const fiveMinute = count(usage.cacheCreation5mTokens);
	const oneHour = count(usage.cacheCreation1hTokens);
	// Writes the split does not account for (or all of them, when there is no split) are priced
	// as 5-minute writes, the default TTL.
	const unsplit = Math.max(0, count(usage.cacheCreationInputTokens) - fiveMinute - oneHour);
	const dollars = (count(usage.inputTokens) * price.input)
		+ (count(usage.outputTokens) * price.output)
		+ (count(usage.cacheReadInputTokens) * price.cacheRead)
		+ ((fiveMinute + unsplit) * price.cacheWrite5m)
		+ (oneHour * price.cacheWrite1h);
	return dollars / perMillion;
}

function count(value: number | undefined): number {
	return value !== undefined && Number.isFinite(value) && value > 0 ? value : 0;
}

