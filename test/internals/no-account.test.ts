// covers: source/proxy/no-account.ts, source/anthropic/unified-headers.ts
// What a client hears when no account takes its request: every branch of noAccountResponse.
import {Buffer} from 'node:buffer';
import assert from 'node:assert/strict';
import type {IncomingHttpHeaders, OutgoingHttpHeaders} from 'node:http';
import {test} from 'node:test';
import type {RateLimitTelemetry} from '../../source/anthropic/telemetry.js';
import {
	noAccountResponse, type FailedAnswer, type NoAccountAnswer, type NoAccountInput,
} from '../../source/proxy/no-account.js';
import type {RoutingAccount, RoutingSnapshot} from '../../source/routing/types.js';

const nowMs = Date.UTC(2026, 6, 31, 12, 0, 0) + 250;
const nowS = Math.floor(nowMs / 1000);

function account(name: string, fields: Partial<RoutingAccount> = {}): RoutingAccount {
	return {
		name, kind: 'oauth', index: 0, paused: false, authFailed: false, unhealthy: false,
		cooldownUntilMs: 0, lastCooldownEndMs: 0, burstCount: 0, excludedModels: [], lastUsedMs: 0, ...fields,
	};
}

function snapshot(accounts: RoutingAccount[]): RoutingSnapshot {
	return {
		nowMs, accounts, pinned: null, strategy: 'maximus', burstRpmLimit: 0, expirySoonSeconds: 1800,
	};
}

const telemetryByAccount: Record<string, RateLimitTelemetry> = {
	home: {
		updatedMs: nowMs,
		fiveHour: {status: 'rejected', utilization: 1.02, reset: nowS + 600},
		sevenDay: {status: 'allowed', utilization: 0.4, reset: nowS + 86_400},
		representativeClaim: 'five_hour',
	},
	work: {updatedMs: nowMs, sevenDay: {status: 'rejected', utilization: 1, reset: nowS + 7200}},
};

function input(fields: Partial<NoAccountInput> = {}): NoAccountInput {
	return {
		snapshot: snapshot([account('home'), account('work')]),
		freeAt: undefined,
		lastFailure: undefined,
		lastConnectionError: undefined,
		requestScoped: false,
		timedOut: false,
		telemetry: name => telemetryByAccount[name],
		fixHint: name => `shunt add-account ${name}`,
		...fields,
	};
}

type ErrorBody = {type: string; error: {type: string; message: string}};

function errorOf(answer: NoAccountAnswer): ErrorBody['error'] {
	const body = JSON.parse(String(answer.body)) as ErrorBody;
	assert.equal(body.type, 'error');
	assert.equal(answer.headers['content-type'], 'application/json');
	assert.equal(answer.headers['content-length'], Buffer.byteLength(answer.body));
	assert.equal(answer.message, body.error.message, 'the logged message is what the client reads');
	return body.error;
}

const unifiedNames = (headers: OutgoingHttpHeaders) => Object.keys(headers).filter(name => name.startsWith('anthropic-ratelimit-unified')).toSorted();

// An upstream 529 as it arrived, with headers that must not reach the client.
const upstreamHeaders: IncomingHttpHeaders = {
	'content-type': 'application/json',
	'request-id': 'req_upstream_1',
	'transfer-encoding': 'chunked',
	connection: 'keep-alive',
	'set-cookie': ['a=b'],
	'access-control-allow-origin': '*',
	'x-should-retry': 'true',
};
const overloaded: FailedAnswer = {
	account: 'work', status: 529, headers: upstreamHeaders, body: Buffer.from('{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}'),
};

function assertReplay(answer: NoAccountAnswer, failure: FailedAnswer): void {
	assert.equal(answer.status, failure.status);
	assert.ok(answer.body === failure.body || Buffer.compare(Buffer.from(answer.body), failure.body) === 0, 'the upstream\'s bytes, unchanged');
	assert.equal(answer.account, failure.account);
	assert.equal(answer.headers['x-shunt-account'], failure.account);
	assert.equal(answer.headers['content-length'], failure.body.length);
	assert.equal(answer.headers['request-id'], 'req_upstream_1');
	assert.equal(answer.headers['x-should-retry'], 'true');
	for (const name of ['transfer-encoding', 'connection', 'set-cookie', 'access-control-allow-origin']) {
		assert.equal(answer.headers[name], undefined, `${name} is not replayed`);
	}

	assert.equal(answer.message, `upstream answered ${failure.status}`);
	assert.equal(answer.allOffline, false);
}

// --- 1. request-scoped refusals: the upstream's own answer, at once ---

test('a request-scoped refusal replays the upstream\'s answer, even when an account frees up later', () => {
	const answer = noAccountResponse(input({
		requestScoped: true, lastFailure: overloaded, freeAt: {
			account: 'home', atMs: nowMs + 60_000, kind: 'quota', cause: 'spent',
		},
	}));
	assertReplay(answer, overloaded);
});

test('request-scoped without an upstream answer to replay goes on down the list', () => {
	const answer = noAccountResponse(input({requestScoped: true, lastConnectionError: 'ECONNRESET'}));
	assert.equal(answer.status, 502);
});

// --- 2. an account frees up later: the answer for what it waits out ---

test('quota: 429 with the soonest account\'s unified headers, the real wait in retry-after, x-should-retry false', () => {
	const atMs = nowMs + (9 * 60_000) + 1500;
	const answer = noAccountResponse(input({
		freeAt: {
			account: 'home', atMs, kind: 'quota', cause: 'spent',
		},
	}));
	assert.equal(answer.status, 429);
	assert.equal(answer.account, null, 'shunt answers for the pool: no account saw the request');
	assert.equal(answer.reason, 'all out of quota');
	const error = errorOf(answer);
	assert.equal(error.type, 'rate_limit_error');
	assert.match(error.message, /^All 2 accounts are out of quota; home frees up in /);
	const home = telemetryByAccount['home']!;
	assert.deepEqual({...answer.headers, 'content-length': undefined, 'content-type': undefined}, {
		'anthropic-ratelimit-unified-status': 'rejected',
		'anthropic-ratelimit-unified-reset': String(Math.ceil(atMs / 1000)),
		'anthropic-ratelimit-unified-5h-status': 'rejected',
		'anthropic-ratelimit-unified-5h-utilization': String(home.fiveHour!.utilization),
		'anthropic-ratelimit-unified-5h-reset': String(home.fiveHour!.reset),
		'anthropic-ratelimit-unified-7d-status': 'allowed',
		'anthropic-ratelimit-unified-7d-utilization': String(home.sevenDay!.utilization),
		'anthropic-ratelimit-unified-7d-reset': String(home.sevenDay!.reset),
		'anthropic-ratelimit-unified-representative-claim': 'five_hour',
		'retry-after': String(Math.ceil((atMs - nowMs) / 1000)),
		'x-should-retry': 'false',
		'x-shunt-account': 'home',
		'content-length': undefined,
		'content-type': undefined,
	});
});

test('quota: the unified headers are those of the account that frees up, not another', () => {
	const answer = noAccountResponse(input({
		freeAt: {
			account: 'work', atMs: nowMs + 7_200_000, kind: 'quota', cause: 'spent',
		},
	}));
	assert.equal(answer.headers['anthropic-ratelimit-unified-7d-status'], 'rejected');
	assert.equal(answer.headers['anthropic-ratelimit-unified-5h-status'], undefined);
	assert.equal(answer.headers['x-shunt-account'], 'work');
});

test('quota without telemetry: still an honest limit with the reset, and nothing made up', () => {
	const atMs = nowMs + 30_000;
	const answer = noAccountResponse(input({
		freeAt: {
			account: 'home', atMs, kind: 'quota', cause: 'spent',
		}, telemetry: () => undefined,
	}));
	assert.deepEqual(unifiedNames(answer.headers), ['anthropic-ratelimit-unified-reset', 'anthropic-ratelimit-unified-status']);
	assert.equal(answer.headers['x-should-retry'], 'false');
});

test('quota with a single account says "the only account"', () => {
	const answer = noAccountResponse(input({
		snapshot: snapshot([account('home')]), freeAt: {
			account: 'home', atMs: nowMs + 5000, kind: 'quota', cause: 'spent',
		},
	}));
	assert.match(errorOf(answer).message, /^The only account is out of quota; home frees up in 5s \(at \d\d:\d\d:\d\d\)\.$/);
});

test('a rate limit: 429 without unified headers, not a plan limit, the client may retry after retry-after', () => {
	const answer = noAccountResponse(input({
		freeAt: {
			account: 'work', atMs: nowMs + 12_001, kind: 'rate', cause: 'cooling',
		},
	}));
	assert.equal(answer.status, 429);
	assert.equal(answer.account, null);
	assert.deepEqual(unifiedNames(answer.headers), []);
	assert.equal(answer.headers['retry-after'], '13');
	assert.equal(answer.headers['x-should-retry'], 'true');
	const error = errorOf(answer);
	assert.equal(error.type, 'rate_limit_error');
	assert.match(error.message, /^All 2 accounts are rate-limited for the moment \(not a plan limit\); work frees up in 13s/);
});

test('overload: 529 overloaded_error, never dressed up as a plan limit', () => {
	const answer = noAccountResponse(input({
		freeAt: {
			account: 'home', atMs: nowMs + 4000, kind: 'overloaded', cause: 'cooling',
		},
	}));
	assert.equal(answer.status, 529);
	assert.equal(answer.account, null);
	assert.deepEqual(unifiedNames(answer.headers), []);
	assert.equal(answer.headers['retry-after'], '4');
	assert.equal(answer.headers['x-should-retry'], 'true');
	const error = errorOf(answer);
	assert.equal(error.type, 'overloaded_error');
	assert.match(error.message, /^The upstream is overloaded on every account; home frees up in 4s/);
});

test('a free-up instant already past waits zero seconds, never a negative retry-after', () => {
	const answer = noAccountResponse(input({
		freeAt: {
			account: 'home', atMs: nowMs - 2000, kind: 'rate', cause: 'cooling',
		},
	}));
	assert.equal(answer.headers['retry-after'], '0');
});

test('an account freeing up later beats replaying an earlier failure that was not request-scoped', () => {
	const answer = noAccountResponse(input({
		lastFailure: overloaded, freeAt: {
			account: 'home', atMs: nowMs + 5000, kind: 'rate', cause: 'cooling',
		},
	}));
	assert.equal(answer.status, 429);
});

// --- 3. an earlier upstream answer ---

test('the last upstream failure is passed on as it was when nothing frees up', () => {
	const unauthorized: FailedAnswer = {
		account: 'home', status: 401, headers: {...upstreamHeaders}, body: Buffer.from('{"type":"error","error":{"type":"authentication_error","message":"invalid token"}}'),
	};
	const answer = noAccountResponse(input({lastFailure: unauthorized, timedOut: true, lastConnectionError: 'ECONNREFUSED'}));
	assertReplay(answer, unauthorized);
});

// --- 4. time and the network ---

const timeoutCases: Array<[string, Partial<NoAccountInput>]> = [
	['the deadline passed', {timedOut: true}],
	['every try timed out', {lastConnectionError: 'timeout'}],
	['the deadline passed after a connection error', {timedOut: true, lastConnectionError: 'ECONNREFUSED'}],
];

for (const [name, fields] of timeoutCases) {
	test(`504 timeout_error when ${name}`, () => {
		const answer = noAccountResponse(input(fields));
		assert.equal(answer.status, 504);
		assert.equal(errorOf(answer).type, 'timeout_error');
		assert.equal(answer.account, null);
	});
}

test('502 when the upstream could not be reached, naming why', () => {
	const answer = noAccountResponse(input({lastConnectionError: 'ECONNREFUSED'}));
	assert.equal(answer.status, 502);
	const error = errorOf(answer);
	assert.equal(error.type, 'api_error');
	assert.match(error.message, /\(ECONNREFUSED\)/);
});

// --- 5. nothing usable at all ---

test('no accounts configured: 503 saying how to add one', () => {
	const answer = noAccountResponse(input({snapshot: snapshot([])}));
	assert.equal(answer.status, 503);
	assert.match(errorOf(answer).message, /shunt add-account/);
	assert.equal(answer.allOffline, false);
});

type PoolRow = {name: string; accounts: RoutingAccount[]; status: number; allOffline: boolean; says: RegExp[]};

const cooling = (reason: string, ms = 60_000): Partial<RoutingAccount> => ({cooldownUntilMs: nowMs + ms, cooldownReason: reason});

const poolRows: PoolRow[] = [
	{
		name: 'every account needs a new login: 401, each with its fix, and all offline',
		accounts: [account('home', {authFailed: true}), account('work', {authFailed: true})],
		status: 401,
		allOffline: true,
		says: [/home needs a new login \(shunt add-account home\)/, /work needs a new login \(shunt add-account work\)/],
	},
	...['401', 'forbidden', 'token refresh'].map(reason => ({
		name: `every account cooling after a "${reason}" refusal: 401, but not offline (it comes back by itself)`,
		accounts: [account('home', cooling(reason)), account('work', {authFailed: true})],
		status: 401,
		allOffline: false,
		says: [new RegExp(String.raw`home was refused by the API \(${reason}\); tried again at \d\d:\d\d:\d\d`)],
	})),
	{
		name: 'a credentials cooldown that has run out no longer counts as refused: 503',
		accounts: [account('home', cooling('401', 0)), account('work', {authFailed: true})],
		status: 503,
		allOffline: false,
		says: [/home cannot serve this model/],
	},
	{
		name: 'one refused account and one cooling for quota: not a credentials problem, 503',
		accounts: [account('home', {authFailed: true}), account('work', cooling('quota'))],
		status: 503,
		allOffline: false,
		says: [/home needs a new login/, /work cannot serve this model/],
	},
	{
		name: 'every account paused: 503 and all offline',
		accounts: [account('home', {paused: true}), account('work', {paused: true, authFailed: true})],
		status: 503,
		allOffline: true,
		says: [/home is paused/, /work is paused/],
	},
	{
		name: 'every account failing health checks: 503 and all offline',
		accounts: [account('home', {unhealthy: true}), account('work', {unhealthy: true})],
		status: 503,
		allOffline: true,
		says: [/home is failing health checks/],
	},
	{
		name: 'paused, refused and unhealthy together: 503, all offline',
		accounts: [account('home', {paused: true}), account('work', {authFailed: true}), account('spare', {unhealthy: true})],
		status: 503,
		allOffline: true,
		says: [/home is paused; work needs a new login \(shunt add-account work\); spare is failing health checks\.$/],
	},
	{
		name: 'accounts that only cannot serve the model: 503, not offline',
		accounts: [account('home', {excludedModels: ['opus']}), account('work', {paused: true})],
		status: 503,
		allOffline: false,
		says: [/home cannot serve this model/],
	},
];

for (const row of poolRows) {
	test(row.name, () => {
		const answer = noAccountResponse(input({snapshot: snapshot(row.accounts)}));
		assert.equal(answer.status, row.status);
		assert.equal(answer.allOffline, row.allOffline);
		const error = errorOf(answer);
		assert.equal(error.type, row.status === 401 ? 'authentication_error' : 'api_error');
		assert.match(error.message, /^No account can take requests: /);
		for (const pattern of row.says) {
			assert.match(error.message, pattern);
		}
	});
}
