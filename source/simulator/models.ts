// The model catalogue: which ids exist, how they display, and how heavily each family
// draws on a subscription's unified windows.
import {knownModelIds} from '../pricing/prices.js';

// The lineup shunt itself knows (one table, shared with pricing and the model override), so the
// demo answers whatever a current Claude Code sends by default.
export const defaultModels: readonly string[] = knownModelIds;

const datedSuffix = /-\d{8}$/;

/** Exact ids, plus undated aliases of dated ids (claude-haiku-4-5 → claude-haiku-4-5-20251001). */
export function isKnownModel(models: readonly string[], id: string): boolean {
	return models.some(known => known === id || (datedSuffix.test(known) && known.replace(datedSuffix, '') === id));
}

/** claude-sonnet-4-6 → "Claude Sonnet 4.6"; claude-haiku-4-5-20251001 → "Claude Haiku 4.5". */
export function displayName(id: string): string {
	const words: string[] = [];
	for (const part of id.replace(datedSuffix, '').split('-')) {
		const previous = words.at(-1);
		if (/^\d+$/.test(part) && previous !== undefined && /\d$/.test(previous)) {
			words[words.length - 1] = `${previous}.${part}`;
		} else {
			words.push(/^\d/.test(part) ? part : part.charAt(0).toUpperCase() + part.slice(1));
		}
	}

	return words.join(' ');
}

/** Weight of one token against the unified windows: Opus-class models drain a plan fastest. */
export function modelWeight(model: string): number {
	if (model.includes('opus') || model.includes('fable')) {
		return 5;
	}

	if (model.includes('haiku')) {
		return 0.2;
	}

	return 1;
}

export function modelInfo(id: string): Record<string, unknown> {
	return {
		type: 'model',
		id,
		display_name: displayName(id),
		created_at: '2026-01-01T00:00:00Z',
		max_input_tokens: 1_000_000,
		max_tokens: 128_000,
		capabilities: null,
	};
}

/** GET /v1/models with the SDK's cursor pagination (limit, after_id, before_id). */
export function listModels(models: readonly string[], query: URLSearchParams): Record<string, unknown> {
	const limit = Math.min(1000, Math.max(1, Number(query.get('limit') ?? 20) || 20));
	const afterId = query.get('after_id');
	const beforeId = query.get('before_id');
	let start = 0;
	let end = models.length;
	if (afterId !== null) {
		start = models.indexOf(afterId) + 1;
	}

	if (beforeId !== null) {
		end = Math.max(0, models.indexOf(beforeId));
		start = Math.max(start, end - limit);
	}

	const page = models.slice(start, Math.min(end, start + limit));
	return {
		data: page.map(id => modelInfo(id)),
		has_more: beforeId === null ? start + page.length < end : start > 0,
		first_id: page[0] ?? null,
		last_id: page.at(-1) ?? null,
	};
}
