// covers: source/accounts/oauth/oauth-auth-provider.ts, source/accounts/oauth/token-client.ts, source/accounts/credentials.ts
// OAuthAuthProvider in this process, in front of the simulator's token endpoint, with short
// backoffs: transient failures back off, invalid_grant parks the account in reauth without a
// retry loop, rotation races are won by re-reading, concurrent callers share one refresh.
import assert from 'node:assert/strict';
import {randomBytes} from 'node:crypto';
import {readFileSync, statSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterEach, test} from 'node:test';
import {loadCredentials, saveCredentials} from '../source/accounts/credentials.js';
import {OAuthAuthProvider, type OAuthAuthProviderOptions} from '../source/accounts/oauth/oauth-auth-provider.js';
import {TokenClient} from '../source/accounts/oauth/token-client.js';
import {Alerts} from '../source/alerts/alerts.js';
import {Simulator, simClientId} from '../source/simulator/index.js';
import type {OAuthCredential} from '../source/accounts/types.js';
import {message, startHarness, type Harness} from './helpers/proxy-harness.js';
import {tempDir} from './helpers/temp-dir.js';
import {waitFor} from './helpers/wait.js';

let simulator: Simulator | undefined;
let harness: Harness | undefined;
let provider: OAuthAuthProvider | undefined;

afterEach(async () => {
	provider?.stop();
	await harness?.close();
	await simulator?.close();
	provider = undefined;
	harness = undefined;
	simulator = undefined;
});

function pair(label: string, expiresAt: number) {
	const tag = `${label}-${randomBytes(8).toString('hex')}`;
	return {accessToken: `sk-ant-oat01-${tag}`, refreshToken: `sk-ant-ort01-${tag}`, expiresAt};
}

type Setup = {
	/** The pair shunt holds (also in credentials.json), and whether the simulator knows it. */
	held: {accessToken: string; refreshToken: string; expiresAt: number};
	burstRpmLimit?: number;
	source?: string;
	options?: Partial<OAuthAuthProviderOptions>;
	start?: boolean;
};

async function setup({held, source, options, start = true, burstRpmLimit = 0}: Setup) {
	simulator = new Simulator();
	await simulator.listen();
	const sim = simulator;
	const login = sim.addOAuthLogin({...held, expiresAtMs: held.expiresAt, name: 'chain-a'});
	const credentialsFile = path.join(tempDir(), 'credentials.json');
	const credential: OAuthCredential = {type: 'oauth', ...held, source};
	saveCredentials(credentialsFile, {a: credential});
	harness = await startHarness({
		upstream: sim.url,
		accounts: [{
			name: 'a', kind: 'oauth', secret: held.accessToken, source,
		}],
		settings: {burstRpmLimit},
		// The proxy asks whatever provider is current; it is built below, once the store exists.
		auth: () => ({
			credential: async account => provider!.credential(account),
			refreshAfterUnauthorized: async (account, used) => provider!.refreshAfterUnauthorized(account, used),
		}),
	});
	const alerts: string[] = [];
	provider = new OAuthAuthProvider({
		accounts: harness.store.accounts,
		credentials: {a: credential},
		credentialsFile,
		store: harness.store,
		alerts: new Alerts(harness.store, (_title, body) => {
			alerts.push(body);
		}),
		tokens: new TokenClient({url: `${sim.url}/v1/oauth/token`}),
		retryFirstMs: 150,
		retryMaxMs: 2000,
		checkEveryMs: 50,
		...options,
	});
	if (start) {
		provider.start();
	}

	const tokenCalls = () => sim.requests.filter(entry => entry.path === '/v1/oauth/token');
	return {
		sim, harness, provider, login, credentialsFile, alerts, tokenCalls,
	};
}

test('transient 503s back off exponentially, then the refresh succeeds and the account serves again', async () => {
	const {sim, harness, login, credentialsFile, tokenCalls} = await setup({held: pair('t', Date.now() - 1000), start: false});
	sim.armOAuth({type: 'unavailable', times: 2});
	provider!.start();
	await waitFor(() => sim.oauthLogin(login).refreshes === 1, 'the third refresh attempt to succeed', 10_000);
	const times = tokenCalls().map(entry => entry.tsMs);
	assert.equal(times.length, 3);
	assert.ok(times[1]! - times[0]! >= 140, `first backoff ${times[1]! - times[0]!} ms`);
	assert.ok(times[2]! - times[1]! >= 290, `second backoff doubles: ${times[2]! - times[1]!} ms`);
	assert.ok(harness.store.freshSnapshot().events.some(event => /token refresh failed .*503.*retrying in/.test(event.message)));

	// The simulator counts the refresh when it answers; shunt saves the pair right after.
	await waitFor(() => (loadCredentials(credentialsFile)['a'] as OAuthCredential).accessToken === sim.oauthLogin(login).accessToken, 'the new pair in credentials.json');
	await waitFor(() => harness.store.accountState('a') === 'available', 'the account to be available');
	const response = await harness.post(message());
	assert.equal(response.status, 200);
	await response.arrayBuffer();
	assert.equal(tokenCalls().length, 3, 'no further refresh');
});

test('a 429 from the token endpoint is waited out for its retry-after', async () => {
	const {sim, login, tokenCalls} = await setup({held: pair('r', Date.now() - 1000), start: false});
	sim.armOAuth({type: 'rate_limited', retryAfterSeconds: 1});
	provider!.start();
	await waitFor(() => sim.oauthLogin(login).refreshes === 1, 'the retry to succeed', 10_000);
	const times = tokenCalls().map(entry => entry.tsMs);
	assert.equal(times.length, 2);
	assert.ok(times[1]! - times[0]! >= 990, `waited ${times[1]! - times[0]!} ms of a 1 s retry-after`);
});

test('invalid_grant: reauth once, with the fixing command, and no retry loop; a new login on disk is picked up', async () => {
	const held = pair('dead', Date.now() - 1000);
	const {sim, harness, alerts, credentialsFile, tokenCalls} = await setup({held});
	sim.armOAuth({type: 'invalid_grant'});
	await waitFor(() => harness.store.accountState('a') === 'reauth', 'the account to need reauth');
	assert.equal(alerts.length, 1);
	assert.match(alerts[0]!, /revoked or replaced.*invalid_grant.*run: shunt add-account a/);
	const view = harness.store.freshSnapshot().accounts.find(account => account.name === 'a');
	assert.equal(view?.fixHint, 'shunt add-account a');

	for (let index = 0; index < 4; index++) {
		const response = await harness.post(message());
		assert.notEqual(response.status, 200);

		await response.arrayBuffer();
	}

	// Several background ticks (every 50 ms) have passed meanwhile.
	await waitFor(() => harness.store.freshSnapshot().events.length > 0 && Date.now() - sim.requests.at(-1)!.tsMs > 300, 'a quiet spell');
	assert.equal(tokenCalls().length, 1, 'the dead refresh token was sent exactly once');
	assert.equal(sim.requests.filter(entry => entry.path === '/v1/messages').length, 0, 'no request went out on a dead login');

	// What `shunt add-account a` does: a fresh login in credentials.json. The provider adopts it.
	const fresh = pair('fresh', Date.now() + (8 * 3_600_000));
	sim.addOAuthLogin({...fresh, expiresAtMs: fresh.expiresAt, name: 'relogin'});
	saveCredentials(credentialsFile, {a: {type: 'oauth', ...fresh, source: 'login'}});
	await waitFor(() => harness.store.accountState('a') === 'available', 'the new login to be picked up');
	const response = await harness.post(message());
	assert.equal(response.status, 200);
	await response.arrayBuffer();
});

test('a lost rotation race is won by re-reading: Claude Code refreshed first and saved its pair', async () => {
	const claudeDir = tempDir();
	const source = path.join(claudeDir, '.credentials.json');
	const held = pair('race', Date.now() - 1000);
	writeFileSync(source, JSON.stringify({claudeAiOauth: {...held, scopes: ['user:inference'], subscriptionType: 'max'}}), {mode: 0o600});
	const {sim, harness, login} = await setup({held, source, start: false});
	// Claude Code refreshes the same chain and writes the new pair into its file.
	const response = await fetch(`${sim.url}/v1/oauth/token`, {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify({grant_type: 'refresh_token', refresh_token: held.refreshToken, client_id: simClientId})});
	const renewed = await response.json() as {access_token: string; refresh_token: string; expires_in: number};
	const theirs = {accessToken: renewed.access_token, refreshToken: renewed.refresh_token, expiresAt: Date.now() + (renewed.expires_in * 1000)};
	writeFileSync(source, JSON.stringify({claudeAiOauth: {...theirs, scopes: ['user:inference'], subscriptionType: 'max'}}));

	const credential = await provider!.credential('a');
	assert.equal(credential.secret, theirs.accessToken, 'their newer pair is adopted instead of refreshing');
	assert.equal(sim.oauthLogin(login).refreshCalls, 1, 'only Claude Code\'s own refresh reached the endpoint');
	assert.equal(harness.store.accountState('a'), 'available');
});

test('ten concurrent callers with an expired token share exactly one refresh, saved before use', async () => {
	const {sim, login, credentialsFile} = await setup({held: pair('many', Date.now() - 1000), start: false});
	const secrets = await Promise.all(Array.from({length: 10}, async () => (await provider!.credential('a')).secret));
	const current = sim.oauthLogin(login);
	assert.equal(current.refreshCalls, 1);
	assert.deepEqual(new Set(secrets), new Set([current.accessToken]));
	assert.equal((loadCredentials(credentialsFile)['a'] as OAuthCredential).refreshToken, current.refreshToken);
	assert.equal(statSync(credentialsFile).mode & 0o777, 0o600);
});

test('an older pair is never written over a newer one: a newer pair on disk is adopted, not refreshed', async () => {
	const held = pair('old', Date.now() - 1000);
	const {sim, credentialsFile, tokenCalls} = await setup({held, start: false});
	const newer = pair('newer', Date.now() + 3_600_000);
	sim.addOAuthLogin({...newer, expiresAtMs: newer.expiresAt, name: 'newer'});
	saveCredentials(credentialsFile, {a: {type: 'oauth', ...newer}});
	assert.equal((await provider!.credential('a')).secret, newer.accessToken);
	assert.equal(tokenCalls().length, 0);
	const stored = JSON.parse(readFileSync(credentialsFile, 'utf8')) as {accounts: {a: OAuthCredential}};
	assert.equal(stored.accounts.a.accessToken, newer.accessToken);
});

test('after a 401, a token that changed meanwhile is simply retried; the same token is refreshed once', async () => {
	const held = pair('u', Date.now() + 3_600_000);
	const {sim, login} = await setup({held, start: false});
	assert.equal(await provider!.refreshAfterUnauthorized('a', 'some-older-token'), true);
	assert.equal(sim.oauthLogin(login).refreshCalls, 0);
	assert.equal(await provider!.refreshAfterUnauthorized('a', held.accessToken), true);
	assert.equal(sim.oauthLogin(login).refreshes, 1);
	const renewed = sim.oauthLogin(login).accessToken;
	// A 401 right after a refresh may be a second revocation: one forced refresh is allowed there…
	assert.equal(await provider!.refreshAfterUnauthorized('a', renewed), true, 'one more refresh inside the loop guard');
	assert.equal(sim.oauthLogin(login).refreshCalls, 2);
	// …but not a loop of them.
	const again = sim.oauthLogin(login).accessToken;
	assert.equal(await provider!.refreshAfterUnauthorized('a', again), false, 'a second 401 inside the guard does not rotate again');
	assert.equal(sim.oauthLogin(login).refreshCalls, 2);
});

test('an account left in reauth by an earlier run gets one recovery attempt at start, then is only watched', async () => {
	const {sim, harness, tokenCalls} = await setup({held: pair('parked', Date.now() - 1000), start: false});
	harness.store.setAuthFailed('a', true);
	sim.armOAuth({type: 'unavailable', times: Number.POSITIVE_INFINITY});
	provider!.start();
	await waitFor(() => tokenCalls().length === 1, 'the recovery attempt');
	// Many 50 ms ticks later: still that one call, and the account still waits for the user.
	const since = Date.now();
	await waitFor(() => Date.now() - since > 400 && harness.store.freshSnapshot().events.length > 0, 'a few ticks');
	assert.equal(tokenCalls().length, 1);
	assert.equal(harness.store.accountState('a'), 'reauth');
	sim.clearOAuthFaults();
});

test('an account in reauth from repeated 401s, its refresh token not known dead, retries a refresh every reauthRetryMs until one works', async () => {
	const {sim, harness, tokenCalls} = await setup({held: pair('retried', Date.now() + 3_600_000), options: {reauthRetryMs: 300}});
	// What countUnauthorized does after a run of 401s; nothing says the refresh token is dead.
	harness.store.setAuthFailed('a', true);
	sim.armOAuth({type: 'unavailable', times: 1});
	await waitFor(() => tokenCalls().length === 1, 'a first retry after reauthRetryMs');
	await waitFor(() => tokenCalls().length === 2, 'another retry once the first failed');
	await waitFor(() => harness.store.accountState('a') === 'available', 'the account to serve again after the refresh worked');
	assert.ok(harness.store.freshSnapshot().events.some(event => event.kind === 'recovered' && event.account === 'a'));
	assert.equal((await harness.post(message())).status, 200);
});

test('a dead refresh token is never retried, however short reauthRetryMs is', async () => {
	const {sim, harness, tokenCalls} = await setup({held: pair('revoked', Date.now() - 1000), options: {reauthRetryMs: 100}});
	sim.armOAuth({type: 'invalid_grant', times: Number.POSITIVE_INFINITY});
	await waitFor(() => harness.store.accountState('a') === 'reauth', 'reauth after invalid_grant');
	const calls = tokenCalls().length;
	const since = Date.now();
	await waitFor(() => Date.now() - since > 600, 'several retry periods');
	assert.equal(tokenCalls().length, calls);
	sim.clearOAuthFaults();
});

test('a token that expires during a burst: the 401s do not use up the burst budget, every request is served without a hold', async () => {
	const held = pair('burst', Date.now() + 3_600_000);
	const {sim, harness, login} = await setup({held, burstRpmLimit: 10});
	sim.expireToken(held.accessToken);
	let maxHeld = 0;
	const unsubscribe = harness.store.subscribe(() => {
		maxHeld = Math.max(maxHeld, harness.store.heldRequests);
	});
	const started = Date.now();
	const responses = await Promise.all(Array.from({length: 10}, async () => harness.post(message())));
	unsubscribe();
	assert.deepEqual(responses.map(response => response.status), Array.from({length: 10}, () => 200));
	await Promise.all(responses.map(async response => response.arrayBuffer()));
	assert.equal(sim.oauthLogin(login).refreshes, 1, 'one refresh for all of them');
	assert.equal(maxHeld, 0, 'no request was held for the burst window');
	assert.equal(harness.store.heldRequests, 0);
	assert.ok(Date.now() - started < 20_000);
	assert.equal(harness.store.routingSnapshot().accounts[0]!.burstCount, 10, 'the ten served requests count, the ten refused ones do not');
});

test('a second revocation right after a refresh gets one more refresh; an auth failure is answered as one, not as a rate limit', async () => {
	const held = pair('twice', Date.now() + 3_600_000);
	const {sim, harness, login} = await setup({held});
	sim.expireToken(held.accessToken);
	const first = await harness.post(message());
	assert.equal(first.status, 200);
	await first.arrayBuffer();
	assert.equal(sim.oauthLogin(login).refreshes, 1);

	// Revoked again seconds later (a second login elsewhere): still inside the 10 s loop guard.
	sim.expireToken(sim.oauthLogin(login).accessToken);
	const second = await harness.post(message());
	assert.equal(second.status, 200, 'one forced refresh inside the guard');
	await second.arrayBuffer();
	assert.equal(sim.oauthLogin(login).refreshes, 2);

	// And again: the guard holds now, and the client hears an authentication error.
	sim.expireToken(sim.oauthLogin(login).accessToken);
	const third = await harness.post(message());
	assert.equal(third.status, 401);
	const body = await third.json() as {error: {type: string}};
	assert.equal(body.error.type, 'authentication_error');
	assert.equal(third.headers.get('anthropic-ratelimit-unified-status'), null, 'not dressed up as a plan limit');
	assert.equal(sim.oauthLogin(login).refreshes, 2, 'no refresh loop');
	const later = await harness.post(message());
	assert.equal(later.status, 401, 'while the account rests after the 401, requests still hear an auth error');
	await later.arrayBuffer();
});
