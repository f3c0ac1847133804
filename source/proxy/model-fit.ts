// When shunt, not the client, picks the model a request goes to (a model override, a fallback) or
// sets its effort, the request must still be one that model accepts: a client that asked Opus
// for `effort: "xhigh"` did not ask Haiku for it, and Haiku 4.5 answers such a request with a 400.
// Only fields the model is documented to refuse are removed (the table in pricing/prices.ts);
// everything else, and every request the client addressed itself, is forwarded as sent.
import {priceFor} from '../pricing/cost.js';
import type {EffortLevel} from '../pricing/prices.js';
import {isRecord, type JsonObject} from '../util/json.js';
import type {OutgoingBody} from './request-body.js';

const knownEfforts: readonly EffortLevel[] = ['low', 'medium', 'high', 'xhigh', 'max'];

export type Fitted = {body: OutgoingBody; removed: string[]};

export function fitToModel(body: OutgoingBody): Fitted {
	const {json, model} = body;
	const lookup = model === undefined ? undefined : priceFor(model);
	const accepts = lookup && !lookup.estimated ? lookup.price.accepts : undefined;
	if (!json || !accepts) {
		return {body, removed: []};
	}

	let next: JsonObject = json;
	const removed: string[] = [];
	const config = isRecord(json['output_config']) ? json['output_config'] : undefined;
	const effort = config?.['effort'];
	if (config && typeof effort === 'string' && !(accepts.effort as readonly string[]).includes(effort)) {
		const {effort: _dropped, ...rest} = config;
		next = {...next};
		if (Object.keys(rest).length > 0) {
			next['output_config'] = rest;
		} else {
			delete next['output_config'];
		}

		// The value came from the client: only a level shunt knows is named on screen.
		removed.push((knownEfforts as readonly string[]).includes(effort) ? `effort ${effort}` : 'effort');
	}

	const thinking = isRecord(json['thinking']) ? json['thinking'] : undefined;
	const kind = thinking?.['type'];
	const refused = thinking !== undefined && kind !== 'disabled' && (accepts.thinking === 'none' || (accepts.thinking === 'manual' && kind === 'adaptive'));
	if (refused) {
		const {thinking: _dropped, ...rest} = next;
		next = rest;
		removed.push(kind === 'adaptive' ? 'adaptive thinking' : 'thinking');
	}

	if (removed.length === 0) {
		return {body, removed};
	}

	return {body: {bytes: Buffer.from(JSON.stringify(next)), json: next, model}, removed};
}
