// `shunt status` prints what answers on a port, which could be any process. Before a line is
// built from it, the document is checked to be shaped like shunt's own: a hostile or broken one is
// one clear error, never a TypeError from deep inside the formatter.
import type {StatusDocument} from '../proxy/status-document.js';
import {isRecord} from '../util/json.js';

type Check = (value: unknown) => boolean;

const string: Check = value => typeof value === 'string';
const number: Check = value => typeof value === 'number' && Number.isFinite(value);
const boolean: Check = value => typeof value === 'boolean';
const orNull = (check: Check): Check => value => value === null || check(value);

const accountFields: Record<string, Check> = {
	name: string,
	kind: string,
	state: string,
	cooldownUntilMs: number,
	cooldownReason: orNull(string),
	utilization5h: orNull(number),
	utilization7d: orNull(number),
	reset5h: orNull(number),
	reset7d: orNull(number),
	requestsRemaining: orNull(number),
	requestsLimit: orNull(number),
	fixHint: orNull(string),
	pinned: boolean,
	// Newer fields: optional, so a status from an older shunt still prints.
	backAtMs: value => value === undefined || orNull(number)(value),
};

const documentFields: Record<string, Check> = {
	version: string,
	listenUrl: string,
	strategy: string,
	strategyOverridden: boolean,
	pinnedAccount: orNull(string),
	alertsMuted: boolean,
	requestsPerMinute: number,
	heldRequests: number,
	accounts: value => Array.isArray(value) && value.length <= 1000 && value.every(account => fieldsMatch(account, accountFields)),
	savings: value => fieldsMatch(value, {todayUsd: number, weekUsd: number, allTimeUsd: number}),
};

function fieldsMatch(value: unknown, fields: Record<string, Check>): boolean {
	return isRecord(value) && Object.entries(fields).every(([name, check]) => check(value[name]));
}

/** The document when it has every field `shunt status` prints, with the right types. */
export function asStatusDocument(value: unknown): StatusDocument | undefined {
	return fieldsMatch(value, documentFields) ? value as StatusDocument : undefined;
}
