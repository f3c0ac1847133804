import {Buffer} from 'node:buffer';
import type {IncomingMessage, ServerResponse} from 'node:http';
import type {ControlStore} from '../state/ports.js';
import {strategyNames, type StrategyName} from '../routing/strategies.js';
import type {Effort} from '../state/overrides.js';
import {sendAnthropicError} from '../anthropic/errors.js';
import {IdleWatch} from '../util/idle-watch.js';
import {historyWindows, type HistoryWindow} from '../monitor/contract.js';
import {BodyTooLargeError, readBody} from './read-body.js';
import {statusDocument} from './status-document.js';
import type {SnapshotStreams} from './snapshot-stream.js';

const efforts: readonly Effort[] = ['low', 'medium', 'high', 'max'];

function sendJson(response: ServerResponse, status: number, value: unknown): void {
	const body = JSON.stringify(value);
	response.writeHead(status, {'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store'});
	response.end(body);
}

class BadRequest extends Error {}

// A control body is a few bytes: one that stops arriving is cut off soon.
const controlUploadIdle = new IdleWatch(10_000);

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
	let bytes: Buffer;
	try {
		bytes = await readBody(request, {limit: 64 * 1024, idle: controlUploadIdle});
	} catch (error) {
		if (error instanceof BodyTooLargeError) {
			throw new BadRequest('body too large');
		}

		throw error;
	}

	let parsed: unknown;
	try {
		parsed = JSON.parse(bytes.toString('utf8') || '{}');
	} catch {
		throw new BadRequest('body is not valid JSON');
	}

	if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
		throw new BadRequest('body must be a JSON object');
	}

	return parsed as Record<string, unknown>;
}

function field<T>(body: Record<string, unknown>, name: string, accept: (value: unknown) => value is T, expected: string): T {
	if (!(name in body)) {
		throw new BadRequest(`missing "${name}" (${expected})`);
	}

	const value = body[name];
	if (!accept(value)) {
		throw new BadRequest(`"${name}" must be ${expected}`);
	}

	return value;
}

const isNullableString = (value: unknown): value is string | null => value === null || (typeof value === 'string' && value.length > 0);

type Handler = (store: ControlStore, body: Record<string, unknown>) => unknown;

// Every write goes through the store's actions, exactly like the monitor's keys.
const writes = {
	pin(store, body) {
		const account = field(body, 'account', isNullableString, 'an account name or null');
		if (account !== null && !store.hasAccount(account)) {
			throw new BadRequest(`unknown account "${account}"; accounts: ${store.accounts.map(candidate => candidate.name).join(', ') || 'none'}`);
		}

		store.pin(account);
		return {pinnedAccount: store.pinnedAccount};
	},
	strategy(store, body) {
		const strategy = field(body, 'strategy', isNullableString, `one of ${strategyNames.join(', ')}, or null`);
		if (strategy !== null && !strategyNames.includes(strategy as StrategyName)) {
			throw new BadRequest(`unknown strategy "${strategy}"; choose one of ${strategyNames.join(', ')}`);
		}

		store.setStrategy(strategy as StrategyName | null);
		return {strategy: store.effectiveStrategy(), overridden: store.overrides.strategy !== null};
	},
	alerts(store, body) {
		const muted = field(body, 'muted', (value): value is boolean => typeof value === 'boolean', 'true or false');
		store.setAlertsMuted(muted);
		return {alertsMuted: store.overrides.alertsMuted};
	},
	model(store, body) {
		const model = field(body, 'model', isNullableString, 'a model id or null');
		store.setModelOverride(model);
		return {modelOverride: store.overrides.model};
	},
	effort(store, body) {
		const effort = field(body, 'effort', (value): value is Effort | null => value === null || efforts.includes(value as Effort), `one of ${efforts.join(', ')}, or null`);
		store.setEffortOverride(effort);
		return {effortOverride: store.overrides.effort};
	},
	'burst-limit'(store, body) {
		const limit = field(body, 'limit', (value): value is number | null => value === null || (Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 100_000), 'a whole number of requests per minute (0 = off) or null');
		store.setBurstRpmLimit(limit);
		return {burstRpmLimit: store.effectiveBurstLimit(), overridden: store.overrides.burstRpmLimit !== null};
	},
	fallback(store, body) {
		const model = field(body, 'model', isNullableString, 'a model id, "off", or null for automatic');
		store.setFallbackModel(model);
		return {fallbackModel: store.effectiveFallbackModel()};
	},
	pause(store, body) {
		const account = field(body, 'account', (value): value is string => typeof value === 'string', 'an account name');
		const paused = field(body, 'paused', (value): value is boolean => typeof value === 'boolean', 'true or false');
		if (!store.hasAccount(account)) {
			throw new BadRequest(`unknown account "${account}"`);
		}

		store.setPaused(account, paused);
		return {account, paused: store.isPaused(account)};
	},
	// The span the history pane reads (an attached monitor chooses it as the in-process one does), or null.
	'history-window'(store, body) {
		const window = field(body, 'window', (value): value is HistoryWindow | null => value === null || historyWindows.includes(value as HistoryWindow), `one of ${historyWindows.join(', ')}, or null`);
		store.setHistoryWindow(window);
		return {historyWindow: window};
	},
} satisfies Record<string, Handler>;

type Read = (store: ControlStore) => unknown;

// GET on each endpoint: the value a POST there would answer with, as it is now.
const reads: Record<keyof typeof writes, Read> = {
	pin: store => ({pinnedAccount: store.pinnedAccount}),
	strategy: store => ({strategy: store.effectiveStrategy(), overridden: store.overrides.strategy !== null}),
	alerts: store => ({alertsMuted: store.overrides.alertsMuted}),
	model: store => ({modelOverride: store.overrides.model}),
	effort: store => ({effortOverride: store.overrides.effort}),
	'burst-limit': store => ({burstRpmLimit: store.effectiveBurstLimit(), overridden: store.overrides.burstRpmLimit !== null}),
	fallback: store => ({fallbackModel: store.effectiveFallbackModel()}),
	pause: store => ({pausedAccounts: store.accounts.filter(account => store.isPaused(account.name)).map(account => account.name)}),
	'history-window': store => ({historyWindow: store.freshSnapshot().history?.window ?? null}),
};

/**
 * Handles /_shunt/*. The caller has already checked the client is on loopback and not a browser;
 * `streams` serves GET /_shunt/stream (the attached monitors' snapshots).
 */
export async function handleControl(store: ControlStore, request: IncomingMessage, response: ServerResponse, streams?: SnapshotStreams): Promise<void> {
	const {pathname} = new URL(request.url ?? '/', 'http://localhost');
	const name = pathname.slice('/_shunt/'.length);
	try {
		if (request.method === 'GET' && name === 'health') {
			sendJson(response, 200, {status: 'ok', version: store.version});
			return;
		}

		if (request.method === 'GET' && name === 'status') {
			sendJson(response, 200, statusDocument(store.freshSnapshot()));
			return;
		}

		if (name === 'stream' && streams) {
			if (request.method !== 'GET') {
				sendAnthropicError(response, 405, 'invalid_request_error', `${pathname} takes GET`, {allow: 'GET'});
				return;
			}

			streams.attach(request, response);
			return;
		}

		const endpoint = Object.hasOwn(writes, name) ? name as keyof typeof writes : undefined;
		if (!endpoint) {
			sendAnthropicError(response, 404, 'not_found_error', `no control endpoint ${request.method} ${pathname}`);
			return;
		}

		if (request.method === 'GET') {
			sendJson(response, 200, reads[endpoint](store));
			return;
		}

		if (request.method !== 'POST') {
			sendAnthropicError(response, 405, 'invalid_request_error', `${pathname} takes GET or POST`, {allow: 'GET, POST'});
			return;
		}

		const handler: Handler = writes[endpoint];
		sendJson(response, 200, handler(store, await readJson(request)));
	} catch (error) {
		if (error instanceof BadRequest) {
			sendAnthropicError(response, 400, 'invalid_request_error', error.message);
			return;
		}

		throw error;
	}
}
