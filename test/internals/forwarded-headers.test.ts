// covers: source/proxy/forwarded-headers.ts
// Which headers cross shunt in each direction, and whose credential the upstream sees.
import assert from 'node:assert/strict';
import type {IncomingHttpHeaders} from 'node:http';
import {test} from 'node:test';
import {oauthBeta} from '../../source/anthropic/constants.js';
import {clientResponseHeaders, upstreamRequestHeaders, type UpstreamAuth} from '../../source/proxy/forwarded-headers.js';

const oauth: UpstreamAuth = {kind: 'oauth', secret: 'sk-ant-oat01-account-token'};
const apikey: UpstreamAuth = {kind: 'apikey', secret: 'sk-ant-api03-account-key'};

// What a client may send, including its own credentials and everything that describes its connection.
const client: IncomingHttpHeaders = {
	host: '127.0.0.1:8082',
	authorization: 'Bearer client-own-token',
	'x-api-key': 'client-own-key',
	cookie: 'session=1',
	connection: 'keep-alive',
	'keep-alive': 'timeout=5',
	'proxy-authorization': 'Basic eDp5',
	'accept-encoding': 'gzip, br',
	'content-length': '123',
	'transfer-encoding': 'chunked',
	'x-forwarded-for': '10.0.0.1',
	origin: 'http://localhost',
	'x-shunt-client-key': 'proxy-key',
	'x-apps': 'near miss of x-app',
	'content-type': 'application/json',
	accept: 'text/event-stream',
	'user-agent': 'claude-cli/2.0',
	'x-app': 'cli',
	'x-request-id': 'abc',
	'anthropic-version': '2023-06-01',
	'anthropic-dangerous-direct-browser-access': 'true',
	'x-stainless-lang': 'js',
	'x-claude-code-session-id': 'session-1',
};

const passed = {
	'content-type': 'application/json',
	accept: 'text/event-stream',
	'user-agent': 'claude-cli/2.0',
	'x-app': 'cli',
	'x-request-id': 'abc',
	'anthropic-version': '2023-06-01',
	'anthropic-dangerous-direct-browser-access': 'true',
	'x-stainless-lang': 'js',
	'x-claude-code-session-id': 'session-1',
};

test('OAuth: the client\'s safe headers, our bearer token and the OAuth beta; nothing of the client\'s own credentials or connection', () => {
	assert.deepEqual(upstreamRequestHeaders(client, oauth), {...passed, authorization: `Bearer ${oauth.secret}`, 'anthropic-beta': oauthBeta});
});

test('API key: the client\'s safe headers and our key; no bearer token, no OAuth beta', () => {
	assert.deepEqual(upstreamRequestHeaders(client, apikey), {...passed, 'x-api-key': apikey.secret});
});

type BetaRow = {sent: string | string[] | undefined; oauth: string; apikey: string | undefined};

const betaRows: BetaRow[] = [
	{sent: undefined, oauth: oauthBeta, apikey: undefined},
	{sent: '', oauth: oauthBeta, apikey: undefined},
	{sent: 'prompt-caching-2024-07-31', oauth: `prompt-caching-2024-07-31,${oauthBeta}`, apikey: 'prompt-caching-2024-07-31'},
	{sent: oauthBeta, oauth: oauthBeta, apikey: undefined},
	{sent: `a-1, ${oauthBeta} ,b-2`, oauth: `a-1,${oauthBeta},b-2`, apikey: 'a-1,b-2'},
	{sent: ' a-1 , , b-2 ,', oauth: `a-1,b-2,${oauthBeta}`, apikey: 'a-1,b-2'},
	{sent: ['a-1', oauthBeta], oauth: `a-1,${oauthBeta}`, apikey: 'a-1'},
	{sent: 'oauth-2025-04-20-not-quite', oauth: `oauth-2025-04-20-not-quite,${oauthBeta}`, apikey: 'oauth-2025-04-20-not-quite'},
];

for (const row of betaRows) {
	test(`anthropic-beta ${JSON.stringify(row.sent)}: OAuth gets the beta exactly once, an API key never`, () => {
		const headers: IncomingHttpHeaders = row.sent === undefined ? {} : {'anthropic-beta': row.sent};
		assert.equal(upstreamRequestHeaders(headers, oauth)['anthropic-beta'], row.oauth);
		const keyHeaders = upstreamRequestHeaders(headers, apikey);
		assert.equal(keyHeaders['anthropic-beta'], row.apikey);
		assert.equal('anthropic-beta' in keyHeaders, row.apikey !== undefined, 'no empty anthropic-beta header');
	});
}

test('a header sent twice reaches the upstream as one comma-joined value', () => {
	assert.equal(upstreamRequestHeaders({'x-stainless-retry-count': ['0', '1']}, apikey)['x-stainless-retry-count'], '0, 1');
});

test('the upstream\'s answer reaches the client without hop-by-hop, cookie or access-control-* headers, naming the account', () => {
	const upstream: IncomingHttpHeaders = {
		'content-type': 'text/event-stream',
		'request-id': 'req_1',
		'retry-after': '30',
		'anthropic-ratelimit-unified-status': 'allowed',
		'cache-control': 'no-cache',
		'x-should-retry': 'false',
		connection: 'keep-alive',
		'keep-alive': 'timeout=5',
		'proxy-authenticate': 'Basic',
		'proxy-authorization': 'Basic eDp5',
		te: 'trailers',
		trailer: 'x-checksum',
		trailers: 'x',
		'transfer-encoding': 'chunked',
		upgrade: 'h2c',
		'set-cookie': ['a=1', 'b=2'],
		'access-control-allow-origin': '*',
		'access-control-allow-credentials': 'true',
		'access-control-expose-headers': 'request-id',
		'x-shunt-account': 'spoofed-by-upstream',
	};
	assert.deepEqual(clientResponseHeaders(upstream, 'work'), {
		'content-type': 'text/event-stream',
		'request-id': 'req_1',
		'retry-after': '30',
		'anthropic-ratelimit-unified-status': 'allowed',
		'cache-control': 'no-cache',
		'x-should-retry': 'false',
		'x-shunt-account': 'work',
	});
});

test('a repeated response header is passed on as the list it was', () => {
	assert.deepEqual(clientResponseHeaders({link: ['<a>', '<b>']}, 'home'), {link: ['<a>', '<b>'], 'x-shunt-account': 'home'});
});
