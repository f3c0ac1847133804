import {Buffer} from 'node:buffer';
import type {Effort} from '../state/overrides.js';
import type {JsonObject} from '../util/json.js';

export type OutgoingBody = {
	bytes: Buffer;
	json: JsonObject | undefined;
	model: string | undefined;
};

function modelOf(json: JsonObject | undefined): string | undefined {
	return typeof json?.['model'] === 'string' ? json['model'] : undefined;
}

export function outgoingBody(bytes: Buffer, json: JsonObject | undefined): OutgoingBody {
	return {bytes, json, model: modelOf(json)};
}

/**
 * Runtime overrides rewrite only the fields they own (model, output_config.effort). A body that
 * needs no change is forwarded byte for byte, so `system` and everything else stay exactly as the
 * client sent them.
 */
export function applyOverrides(body: OutgoingBody, overrides: {model: string | null; effort: Effort | null}): OutgoingBody {
	const {json} = body;
	if (!json) {
		return body;
	}

	let next = json;
	if (overrides.model && typeof json['model'] === 'string' && json['model'] !== overrides.model) {
		next = {...next, model: overrides.model};
	}

	if (overrides.effort) {
		const config = typeof json['output_config'] === 'object' && json['output_config'] !== null ? json['output_config'] as JsonObject : {};
		if (config['effort'] !== overrides.effort) {
			next = {...next, output_config: {...config, effort: overrides.effort}};
		}
	}

	if (next === json) {
		return body;
	}

	return {bytes: Buffer.from(JSON.stringify(next)), json: next, model: modelOf(next)};
}

/** The same request with another model (model fallback). */
export function withModel(body: OutgoingBody, model: string): OutgoingBody {
	if (!body.json) {
		return body;
	}

	const json = {...body.json, model};
	return {bytes: Buffer.from(JSON.stringify(json)), json, model};
}
