// The /__fake/ control surface: the programmatic API over HTTP, for a simulator running in
// another process (the benchmark). Test-only and unauthenticated, like the simulator itself.
import type {Exchange, SimControl} from './context.js';
import {reject, sendJson, sendRejection} from './errors.js';
import {fingerprint} from './ids.js';
import type {ArmedFault, SimAccount, SimRequestLogEntry} from './sim-types.js';
import {unifiedConfigError} from './unified-limits.js';

type Json = Record<string, unknown>;

const isRecord = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

const badRequest = (exchange: Exchange, message: string): void =>
	sendRejection(exchange.response, reject(400, 'invalid_request_error', message));

const ok = (exchange: Exchange, extra: Json = {}): void => sendJson(exchange.response, 200, {ok: true, ...extra});

function isAccount(value: unknown): value is SimAccount {
	return isRecord(value) && (value['kind'] === 'apikey' || value['kind'] === 'oauth') && typeof value['credential'] === 'string' && value['credential'] !== '';
}

/** Body: one SimAccount, an array of them, or {accounts: [...]}. Nothing is added unless every one is good. */
export function postAccounts(exchange: Exchange, simulator: SimControl): void {
	const body = exchange.body;
	const list: unknown[] = Array.isArray(body) ? body : (isRecord(body) && Array.isArray(body['accounts']) ? body['accounts'] : [body]);
	if (!list.every(account => isAccount(account))) {
		badRequest(exchange, 'each account needs kind ("apikey" | "oauth") and credential');
		return;
	}

	const problem = list.map(account => unifiedConfigError(account as SimAccount)).find(error => error !== undefined);
	if (problem !== undefined) {
		badRequest(exchange, problem);
		return;
	}

	for (const account of list as SimAccount[]) {
		simulator.addAccount(account);
	}

	ok(exchange, {accounts: list.length});
}

/** JSON has no Infinity: times may be the string "Infinity" (or -1) for a sticky fault. */
function parseTimes(value: unknown): number | undefined {
	if (value === 'Infinity' || value === -1) {
		return Number.POSITIVE_INFINITY;
	}

	return typeof value === 'number' ? value : undefined;
}

/** Body: {credential, fault: {type, …, times?}} (times may also sit beside fault). */
export function postArm(exchange: Exchange, simulator: SimControl): void {
	const body = exchange.body;
	if (!isRecord(body) || typeof body['credential'] !== 'string' || !isRecord(body['fault']) || typeof body['fault']['type'] !== 'string') {
		badRequest(exchange, 'expected {"credential": string, "fault": {"type": string, ...}}');
		return;
	}

	const times = parseTimes(body['fault']['times'] ?? body['times']);
	simulator.arm(body['credential'], {...body['fault'], times} as ArmedFault);
	ok(exchange);
}

/** Body: {credential?}; without one every fault goes. */
export function postClearFaults(exchange: Exchange, simulator: SimControl): void {
	const credential = isRecord(exchange.body) ? exchange.body['credential'] : undefined;
	simulator.clearFaults(typeof credential === 'string' ? credential : undefined);
	ok(exchange);
}

const usageShape = 'expected {"credential": string, "fiveHour"?: number, "sevenDay"?: number, "scoped"?: {"7d_opus": number, ...}}';

/** Body: {credential, fiveHour?, sevenDay?, scoped?: {"7d_opus": n}} as fractions. */
export function postUtilization(exchange: Exchange, simulator: SimControl): void {
	const body = exchange.body;
	if (!isRecord(body) || typeof body['credential'] !== 'string') {
		badRequest(exchange, usageShape);
		return;
	}

	const fraction = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
	const scopedBody = body['scoped'];
	let scoped: Record<string, number> | undefined;
	if (scopedBody !== undefined) {
		if (!isRecord(scopedBody) || !Object.values(scopedBody).every(value => fraction(value) !== undefined)) {
			badRequest(exchange, usageShape);
			return;
		}

		scoped = scopedBody as Record<string, number>;
	}

	try {
		simulator.setUtilization(body['credential'], {fiveHour: fraction(body['fiveHour']), sevenDay: fraction(body['sevenDay']), scoped});
	} catch (error) {
		badRequest(exchange, (error as Error).message);
		return;
	}

	ok(exchange);
}

/** Body: {advance_ms} or {advance_s}. */
export function postClock(exchange: Exchange, simulator: SimControl): void {
	const body = isRecord(exchange.body) ? exchange.body : {};
	const ms = typeof body['advance_ms'] === 'number' ? body['advance_ms'] : (typeof body['advance_s'] === 'number' ? body['advance_s'] * 1000 : undefined);
	if (ms === undefined || !Number.isFinite(ms) || ms < 0) {
		badRequest(exchange, 'expected {"advance_ms": number >= 0} or {"advance_s": number >= 0}');
		return;
	}

	simulator.advanceClock(ms);
	ok(exchange, {now_ms: simulator.now()});
}

const secretHeaders = new Set(['authorization', 'x-api-key']);

/** Credentials leave the process only as fingerprints; tests compare fingerprint(credential). */
function redact(entry: SimRequestLogEntry): SimRequestLogEntry {
	const headers: Record<string, string> = {};
	for (const [name, value] of Object.entries(entry.headers)) {
		headers[name] = secretHeaders.has(name) ? `redacted:${fingerprint(value.replace(/^Bearer\s+/i, ''))}` : value;
	}

	return {...entry, headers};
}

export function getRequests(exchange: Exchange, simulator: SimControl): void {
	sendJson(exchange.response, 200, {requests: simulator.requests.map(entry => redact(entry))});
}
