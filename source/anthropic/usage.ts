// Token usage as Anthropic reports it, in a JSON body or a stream's message_start/message_delta.
import {isRecord} from '../util/json.js';

/** Token usage of one response. Input-side fields are whole-message totals. */
export type Usage = {
	inputTokens: number;
	outputTokens: number;
	cacheCreationInputTokens: number;
	cacheReadInputTokens: number;
	/** The 5-minute / 1-hour split of cacheCreationInputTokens when the response gave it. */
	cacheCreation5mTokens?: number;
	cacheCreation1hTokens?: number;
};

// No response carries anywhere near this many tokens (a million-token context ×1000); a count
// beyond it is a broken or hostile upstream and would poison savings for good.
const maxTokenCount = 1e9;

/** Usage of a non-streaming Messages response body (already parsed JSON). */
export function usageFromJson(body: unknown): Usage | undefined {
	if (!isRecord(body) || !isRecord(body['usage'])) {
		return undefined;
	}

	const usage = emptyUsage();
	return applyUsage(usage, body['usage']) ? usage : undefined;
}

export function emptyUsage(): Usage {
	return {
		inputTokens: 0, outputTokens: 0, cacheCreationInputTokens: 0, cacheReadInputTokens: 0,
	};
}

/** Copies every count the object carries onto usage; reports whether it carried any. */
export function applyUsage(usage: Usage, raw: Record<string, unknown>): boolean {
	let found = false;
	const take = (value: unknown, apply: (count: number) => void): void => {
		if (typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= maxTokenCount) {
			apply(value);
			found = true;
		}
	};

	take(raw['input_tokens'], count => {
		usage.inputTokens = count;
	});
	take(raw['output_tokens'], count => {
		usage.outputTokens = count;
	});
	take(raw['cache_creation_input_tokens'], count => {
		usage.cacheCreationInputTokens = count;
	});
	take(raw['cache_read_input_tokens'], count => {
		usage.cacheReadInputTokens = count;
	});

	const split = raw['cache_creation'];
	if (isRecord(split)) {
		take(split['ephemeral_5m_input_tokens'], count => {
			usage.cacheCreation5mTokens = count;
		});
		take(split['ephemeral_1h_input_tokens'], count => {
			usage.cacheCreation1hTokens = count;
		});
	}

	return found;
}
