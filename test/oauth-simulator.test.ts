// covers: source/simulator/oauth-endpoints.ts, source/simulator/oauth-book.ts, source/simulator/oauth-usage.ts
// The simulator's OAuth surface: code exchange with PKCE, refresh with rotation, invalid_grant on
// reuse, armed faults, per-token expiry, and the usage and profile endpoints.
import assert from 'node:assert/strict';
import {createHash, randomBytes} from 'node:crypto';
import {
	after, before, describe, test,
} from 'node:test';
import {Simulator, simClientId} from '../source/simulator/index.js';

let simulator: Simulator;

before(async () => {
	simulator = new Simulator();
	await simulator.listen();
});

after(async () => {
	await simulator.close();
});

async function token(body: Record<string, unknown>) {
	const response = await fetch(`${simulator.url}/v1/oauth/token`, {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify(body)});
	return {status: response.status, headers: response.headers, body: await response.json() as Record<string, any>};
}

const refresh = async (refreshToken: string) => token({grant_type: 'refresh_token', refresh_token: refreshToken, client_id: simClientId});

const oauthHeaders = (accessToken: string, beta = true): Record<string, string> => ({
	authorization: `Bearer ${accessToken}`,
	'anthropic-version': '2023-06-01',
	...(beta ? {'anthropic-beta': 'oauth-2025-04-20'} : {}),
});

async function message(accessToken: string) {
	const response = await fetch(`${simulator.url}/v1/messages`, {
		method: 'POST',
		headers: {...oauthHeaders(accessToken), 'content-type': 'application/json'},
		body: JSON.stringify({model: 'claude-sonnet-4-6', max_tokens: 16, messages: [{role: 'user', content: 'hi'}]}),
	});
	return {status: response.status, headers: response.headers, body: await response.json() as Record<string, any>};
}

let sequence = 0;
function uniqueLogin(extra: Partial<Parameters<Simulator['addOAuthLogin']>[0]> = {}) {
	sequence++;
	return {accessToken: `sk-ant-oat01-sim-${sequence}-${randomBytes(6).toString('hex')}`, refreshToken: `sk-ant-ort01-sim-${sequence}-${randomBytes(6).toString('hex')}`, ...extra};
}

describe('token endpoint', () => {
	test('authorization_code: PKCE S256, redirect_uri and state are checked; a code works once', async () => {
		const verifier = randomBytes(32).toString('base64url');
		const challenge = createHash('sha256').update(verifier).digest('base64url');
		const redirect = 'https://platform.claude.com/oauth/code/callback';
		const pasted = simulator.authorize({
			challenge, state: 'st-1', redirectUri: redirect, email: 'pkce@example.com', name: 'pkce',
		});
		const [code, state] = pasted.split('#');
		assert.equal(state, 'st-1');
		const base = {
			grant_type: 'authorization_code', code, redirect_uri: redirect, client_id: simClientId, code_verifier: verifier, state: 'st-1',
		};

		assert.equal((await token({...base, client_id: 'someone-else'})).body['error'], 'invalid_client');
		assert.equal((await token({...base, code_verifier: randomBytes(32).toString('base64url')})).body['error'], 'invalid_grant');
		assert.equal((await token({...base, redirect_uri: 'https://evil.example/cb'})).body['error'], 'invalid_grant');
		assert.equal((await token({...base, state: 'other'})).body['error'], 'invalid_grant');

		const granted = await token(base);
		assert.equal(granted.status, 200);
		assert.match(granted.body['access_token'], /^sk-ant-oat01-/);
		assert.match(granted.body['refresh_token'], /^sk-ant-ort01-/);
		assert.equal(granted.body['expires_in'], 28_800);
		assert.equal(granted.body['token_type'], 'Bearer');
		assert.equal(granted.body['account'].email_address, 'pkce@example.com');
		assert.equal((await token(base)).body['error'], 'invalid_grant', 'a code is single-use');

		assert.equal((await message(granted.body['access_token'])).status, 200, 'the new access token works on /v1/messages');
		assert.equal(simulator.oauthLogin('pkce').accessToken, granted.body['access_token']);
	});

	test('GET /oauth/authorize answers code#state for the query the real authorize URL carries', async () => {
		const verifier = randomBytes(32).toString('base64url');
		const query = new URLSearchParams({
			code: 'true', client_id: simClientId, response_type: 'code', redirect_uri: 'https://platform.claude.com/oauth/code/callback',
			scope: 'user:inference user:profile', code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256', state: 'web-state',
		});
		const response = await fetch(`${simulator.url}/oauth/authorize?${query.toString()}`);
		assert.equal(response.status, 200);
		const [code, state] = (await response.text()).split('#');
		assert.equal(state, 'web-state');
		const granted = await token({
			grant_type: 'authorization_code', code, redirect_uri: 'https://platform.claude.com/oauth/code/callback', client_id: simClientId, code_verifier: verifier, state,
		});
		assert.equal(granted.status, 200);
		query.set('code_challenge_method', 'plain');
		assert.equal((await fetch(`${simulator.url}/oauth/authorize?${query.toString()}`)).status, 400, 'only S256');
	});

	test('refresh rotates the pair, keeps the account (utilization carries over) and refuses reuse with invalid_grant', async () => {
		const login = uniqueLogin({email: 'rot@example.com', limits: {utilization5h: 0.3}});
		const name = simulator.addOAuthLogin(login);
		const first = await refresh(login.refreshToken);
		assert.equal(first.status, 200);
		assert.notEqual(first.body['refresh_token'], login.refreshToken);
		const reused = await refresh(login.refreshToken);
		assert.equal(reused.status, 400);
		assert.deepEqual(reused.body, {error: 'invalid_grant', error_description: 'Refresh token not found or invalid'});

		const state = simulator.oauthLogin(name);
		assert.equal(state.refreshes, 1);
		assert.equal(state.refreshCalls, 2, 'the reuse is counted against the chain too');
		assert.equal(state.refreshToken, first.body['refresh_token']);
		const reply = await message(first.body['access_token']);
		assert.equal(reply.status, 200);
		assert.ok(Number(reply.headers.get('anthropic-ratelimit-unified-5h-utilization')) >= 0.3, 'same limiter as before the refresh');
		assert.equal((await message(login.accessToken)).status, 200, 'the old access token lives until its own expiry');
	});

	test('form-encoded refresh bodies work too', async () => {
		const login = uniqueLogin();
		simulator.addOAuthLogin(login);
		const response = await fetch(`${simulator.url}/v1/oauth/token`, {
			method: 'POST',
			headers: {'content-type': 'application/x-www-form-urlencoded'},
			body: new URLSearchParams({grant_type: 'refresh_token', refresh_token: login.refreshToken, client_id: simClientId}).toString(),
		});
		assert.equal(response.status, 200);
	});

	test('armed faults: 429 with retry-after, 503, revoked refresh token', async () => {
		const login = uniqueLogin();
		const name = simulator.addOAuthLogin(login);
		simulator.armOAuth({type: 'rate_limited', retryAfterSeconds: 7});
		const limited = await refresh(login.refreshToken);
		assert.equal(limited.status, 429);
		assert.equal(limited.headers.get('retry-after'), '7');
		simulator.armOAuth({type: 'unavailable'});
		assert.equal((await refresh(login.refreshToken)).status, 503);
		assert.equal(simulator.oauthLogin(name).refreshes, 0, 'faults rotate nothing');
		assert.equal((await refresh(login.refreshToken)).status, 200);
		simulator.armOAuth({type: 'invalid_grant'});
		const current = simulator.oauthLogin(name).refreshToken;
		assert.equal((await refresh(current)).body['error'], 'invalid_grant');
		assert.equal((await refresh(current)).body['error'], 'invalid_grant', 'a revoked token stays dead');
		assert.equal(simulator.oauthLogin(name).refreshCalls, 5);
	});

	test('token lifetime is configurable; expiry is per token; expireToken forces one', async () => {
		simulator.setOAuthOptions({tokenLifetimeSeconds: 60});
		try {
			const login = uniqueLogin();
			simulator.addOAuthLogin(login);
			const renewed = await refresh(login.refreshToken);
			assert.equal(renewed.body['expires_in'], 60);
			simulator.expireToken(login.accessToken);
			const expired = await message(login.accessToken);
			assert.equal(expired.status, 401);
			assert.match(expired.body['error'].message, /OAuth token has expired/);
			assert.equal((await message(renewed.body['access_token'])).status, 200, 'the rotated token is unaffected');
		} finally {
			simulator.setOAuthOptions({tokenLifetimeSeconds: 28_800});
		}
	});
});

describe('usage and profile endpoints', () => {
	test('usage: Bearer plus the OAuth beta; legacy flat shape in percent with ISO resets from the live windows', async () => {
		const login = uniqueLogin({limits: {utilization5h: 0.42, utilization7d: 0.13}});
		simulator.addOAuthLogin(login);
		const without = await fetch(`${simulator.url}/api/oauth/usage`, {headers: oauthHeaders(login.accessToken, false)});
		assert.equal(without.status, 401);
		const response = await fetch(`${simulator.url}/api/oauth/usage`, {headers: oauthHeaders(login.accessToken)});
		assert.equal(response.status, 200);
		const body = await response.json() as Record<string, any>;
		assert.equal(body['five_hour'].utilization, 42);
		assert.equal(body['seven_day'].utilization, 13);
		assert.match(body['five_hour'].resets_at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00$/);
		assert.ok(Date.parse(body['seven_day'].resets_at) > Date.now());
		assert.equal(body['seven_day_opus'], null);
	});

	test('usage: the limits[] shape behind an option', async () => {
		const login = uniqueLogin({limits: {utilization5h: 0.5, utilization7d: 0.25}});
		simulator.addOAuthLogin(login);
		simulator.setOAuthOptions({usageShape: 'limits'});
		try {
			const body = await (await fetch(`${simulator.url}/api/oauth/usage`, {headers: oauthHeaders(login.accessToken)})).json() as {limits: Array<Record<string, unknown>>};
			assert.deepEqual(body.limits.map(limit => [limit['kind'], limit['percent']]), [['session', 50], ['weekly_all', 25]]);
		} finally {
			simulator.setOAuthOptions({usageShape: 'flat'});
		}
	});

	test('usage: more than N polls a minute get 429 with retry-after; polling during the penalty doubles it', async () => {
		const login = uniqueLogin();
		simulator.addOAuthLogin(login);
		simulator.setOAuthOptions({usagePollsPerMinute: 2, usageRetryAfterSeconds: 30});
		try {
			const poll = async () => fetch(`${simulator.url}/api/oauth/usage`, {headers: oauthHeaders(login.accessToken)});
			assert.equal((await poll()).status, 200);
			assert.equal((await poll()).status, 200);
			const third = await poll();
			assert.equal(third.status, 429);
			assert.equal(third.headers.get('retry-after'), '30');
			assert.equal((await poll()).headers.get('retry-after'), '60');
		} finally {
			simulator.setOAuthOptions({usagePollsPerMinute: 5, usageRetryAfterSeconds: 60});
		}
	});

	test('profile: account email and organization', async () => {
		const login = uniqueLogin({email: 'profile@example.com'});
		simulator.addOAuthLogin(login);
		const body = await (await fetch(`${simulator.url}/api/oauth/profile`, {headers: oauthHeaders(login.accessToken)})).json() as Record<string, any>;
		assert.equal(body['account'].email, 'profile@example.com');
		assert.ok(body['organization'].uuid);
	});
});
