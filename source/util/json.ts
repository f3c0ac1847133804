// The two questions every reader of outside JSON asks, answered once.
import {type Buffer} from 'node:buffer';

export type JsonObject = Record<string, unknown>;

/** A plain JSON object (not an array, not null). */
export function isRecord(value: unknown): value is JsonObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value itself when it is a plain object, else undefined: `asRecord(x)?.['field']`. */
export function asRecord(value: unknown): JsonObject | undefined {
	return isRecord(value) ? value : undefined;
}

/** Bytes as a JSON object when they are one; anything else (empty, not JSON, an array) is undefined. */
export function parseJsonObject(body: Buffer | string): JsonObject | undefined {
	if (body.length === 0) {
		return undefined;
	}

	try {
		const parsed: unknown = JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
		return isRecord(parsed) ? parsed : undefined;
	} catch {
		return undefined;
	}
}
