// covers: source/proxy/client-guard.ts
// Who may talk to shunt: no web page (cross-site request or DNS rebinding), any native client on loopback.
import assert from 'node:assert/strict';
import type {IncomingHttpHeaders} from 'node:http';
import {test} from 'node:test';
import {clientGuard, type ClientGuardOptions} from '../../source/proxy/client-guard.js';

const port = 8082;

function guard(fields: Partial<ClientGuardOptions> = {}) {
	return clientGuard({
		listenHost: '127.0.0.1', port, clientKeySet: false, allowedOrigins: [], ...fields,
	});
}

const refusalOf = (headers: IncomingHttpHeaders, fields: Partial<ClientGuardOptions> = {}) => {
	const refusal = guard(fields).refusal(headers);
	if (refusal) {
		assert.equal(refusal.status, 403);
		assert.equal(refusal.type, 'permission_error');
	}

	return refusal?.message;
};

const host = (value: string | undefined): IncomingHttpHeaders => (value === undefined ? {} : {host: value});

type HostRow = {listenHost: string; port?: number; accepted: string[]; refused: Array<string | undefined>};

const hostRows: HostRow[] = [
	{
		listenHost: '127.0.0.1',
		accepted: ['127.0.0.1:8082', 'localhost:8082', 'LOCALHOST:8082', '[::1]:8082'],
		refused: ['evil.example:8082', 'localhost.evil.example:8082', '127.0.0.1:9999', '127.0.0.1', 'localhost', '', undefined, '127.0.0.2:8082', '::1:8082'],
	},
	{listenHost: '::1', accepted: ['[::1]:8082', '127.0.0.1:8082', 'localhost:8082'], refused: ['::1:8082', 'my-laptop:8082']},
	{listenHost: '[::1]', accepted: ['[::1]:8082'], refused: ['[[::1]]:8082']},
	{listenHost: 'fe80::1', accepted: ['[fe80::1]:8082', '[FE80::1]:8082'], refused: ['fe80::1:8082']},
	{listenHost: '0.0.0.0', accepted: ['0.0.0.0:8082', 'localhost:8082'], refused: ['192.168.1.20:8082', 'my-laptop:8082']},
	{listenHost: 'FE80::2', accepted: ['[fe80::2]:8082', '[FE80::2]:8082'], refused: ['[fe80::2]']},
	{
		listenHost: '127.0.0.1', port: 80, accepted: ['127.0.0.1', 'localhost', '[::1]', '127.0.0.1:80'], refused: ['evil.example', 'evil.example:80', '127.0.0.1:8082'],
	},
];

for (const row of hostRows) {
	test(`listening on ${row.listenHost}:${row.port ?? port}, Host is checked against the listen address and loopback names`, () => {
		const options = {listenHost: row.listenHost, port: row.port ?? port};
		for (const value of row.accepted) {
			assert.equal(refusalOf(host(value), options), undefined, `Host ${value} is accepted`);
		}

		for (const value of row.refused) {
			assert.match(refusalOf(host(value), options) ?? '', /own listen address/, `Host ${String(value)} is refused`);
		}
	});
}

test('with SHUNT_CLIENT_KEY set, any Host is accepted (the key guards the proxy), but web pages are still refused', () => {
	const keyed = {clientKeySet: true, listenHost: '0.0.0.0'};
	for (const value of ['my-laptop:8082', '192.168.1.20:8082', undefined]) {
		assert.equal(refusalOf(host(value), keyed), undefined, String(value));
	}

	assert.match(refusalOf({host: 'my-laptop:8082', origin: 'https://evil.example'}, keyed) ?? '', /Origin/);
	assert.match(refusalOf({host: 'my-laptop:8082', 'sec-fetch-site': 'cross-site'}, keyed) ?? '', /another site/);
});

test('any Origin the user did not allow is refused, even "null" and our own address', () => {
	for (const origin of ['https://evil.example', 'null', 'http://127.0.0.1:8082', 'http://localhost:8082', '']) {
		assert.match(refusalOf({host: '127.0.0.1:8082', origin}) ?? '', /sent an Origin header/, JSON.stringify(origin));
	}
});

test('an allowed Origin passes, in any case; the guard hands back the Origin as the browser sent it', () => {
	const options = {allowedOrigins: ['https://App.Example']};
	const allowed = guard(options);
	for (const origin of ['https://app.example', 'https://APP.EXAMPLE']) {
		assert.equal(refusalOf({host: '127.0.0.1:8082', origin}, options), undefined, origin);
		assert.equal(allowed.allowedOrigin({origin}), origin);
	}

	assert.equal(allowed.allowedOrigin({origin: 'https://app.example.evil'}), undefined);
	assert.equal(allowed.allowedOrigin({}), undefined);
	assert.match(refusalOf({host: '127.0.0.1:8082', origin: 'https://app.example:8443'}, options) ?? '', /Origin/);
});

test('an allowed Origin does not excuse a foreign Host (DNS rebinding)', () => {
	assert.match(refusalOf({host: 'rebound.example:8082', origin: 'https://app.example'}, {allowedOrigins: ['https://app.example']}) ?? '', /own listen address/);
});

type SiteRow = {site: string; refused: boolean};

const siteRows: SiteRow[] = [
	{site: 'none', refused: false},
	{site: 'same-origin', refused: false},
	{site: 'same-site', refused: true},
	{site: 'cross-site', refused: true},
	{site: 'anything-else', refused: true},
];

for (const row of siteRows) {
	test(`Sec-Fetch-Site: ${row.site} without an Origin is ${row.refused ? 'refused' : 'accepted'}`, () => {
		const message = refusalOf({host: '127.0.0.1:8082', 'sec-fetch-site': row.site});
		assert.equal(message !== undefined, row.refused);
		if (row.refused) {
			assert.match(message!, /on behalf of another site/);
		}
	});
}

test('a cross-site request from an allowed Origin passes', () => {
	assert.equal(refusalOf({host: '127.0.0.1:8082', origin: 'https://app.example', 'sec-fetch-site': 'cross-site'}, {allowedOrigins: ['https://app.example']}), undefined);
});

test('the Origin refusal comes first: it says what the user can do about it', () => {
	assert.match(refusalOf({host: 'evil.example', origin: 'https://evil.example', 'sec-fetch-site': 'cross-site'}) ?? '', /allowedOrigins/);
	assert.match(refusalOf({host: 'evil.example', 'sec-fetch-site': 'cross-site'}) ?? '', /another site/);
});

test('a native client (no Origin, no Sec-Fetch-Site, our Host) passes', () => {
	assert.equal(refusalOf({host: '127.0.0.1:8082', 'user-agent': 'claude-cli/2.0', 'x-api-key': 'x'}), undefined);
});
