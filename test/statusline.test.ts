// covers: source/commands/statusline-command.ts
// The line Claude Code shows under its prompt: what it says in each state of the pool, and that
// whatever answers on the port (shunt's own document with hostile names, something else, nothing
// in time) still gives one short, clean line.
import assert from 'node:assert/strict';
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import {test} from 'node:test';
import {formatStatusLine, statusLine} from '../source/commands/statusline-command.js';
import type {StatusDocument} from '../source/proxy/status-document.js';

const nowMs = 1_795_685_000_000;

type Account = StatusDocument['accounts'][number];

function account(name: string, fields: Partial<Account> = {}): Account {
	return {
		name, kind: 'oauth', state: 'available', cooldownUntilMs: 0, cooldownReason: null,
		utilization5h: null, utilization7d: null, reset5h: null, reset7d: null,
		requestsRemaining: null, requestsLimit: null, fixHint: null, pinned: false, active: false, backAtMs: null,
		...fields,
	} as Account;
}

function document(accounts: Account[], fields: Partial<StatusDocument> = {}): StatusDocument {
	return {
		version: '0.1.0', listenUrl: 'http://127.0.0.1:8082', strategy: 'maximus', strategyOverridden: false,
		pinnedAccount: null, alertsMuted: false, requestsPerMinute: 0, heldRequests: 0, accounts,
		savings: {todayUsd: 0, weekUsd: 0, allTimeUsd: 0},
		...fields,
	} as StatusDocument;
}

test('the line: the account serving (or pinned), how many are ready, the headroom left, the next 5h reset; all out says when one is back', () => {
	const resetSeconds = (nowMs / 1000) + 5400;
	const pool = [
		account('work', {
			active: true, utilization5h: 0.25, utilization7d: 0.125, reset5h: resetSeconds,
		}),
		account('home', {utilization5h: 0.5, utilization7d: 0.75, reset5h: resetSeconds + 600}),
		account('spent', {state: 'cooling', cooldownUntilMs: nowMs + 60_000, utilization5h: 1}),
		account('console', {kind: 'apikey', keyHeadroom: 0.5}),
	];
	// Each account's tighter window: (0.75 + 0.25 + 0 + 0.5) / 4 = 37.5%
	assert.equal(formatStatusLine(document(pool), nowMs), 'shunt · work · 3/4 ready · 38% left · 5h resets in 1h30m');
	assert.equal(formatStatusLine(document(pool, {pinnedAccount: 'home', heldRequests: 2}), nowMs), 'shunt · home (pinned) · 3/4 ready · 38% left · 5h resets in 1h30m · 2 held');

	const out = [
		account('work', {state: 'cooling', cooldownUntilMs: nowMs + 600_000}),
		account('home', {state: 'exhausted', backAtMs: nowMs + 90_000}),
		account('old', {state: 'reauth'}),
	];
	assert.equal(formatStatusLine(document(out), nowMs), 'shunt · no requests yet · 0/3 ready · 0% left · all out, back in 1m30s');
	assert.equal(formatStatusLine(document([account('old', {state: 'reauth'})]), nowMs), 'shunt · no requests yet · 0/1 ready · 0% left · all out');
	assert.equal(formatStatusLine(document([]), nowMs), 'shunt · no requests yet · no accounts');
});

test('names from the document cannot move the cursor, break the line or make it long', () => {
	const hostile = 'x\u001B]0;owned\u0007\u001B[2J\n\r\u202Eevil';
	const line = formatStatusLine(document([account(hostile, {active: true}), ...Array.from({length: 50}, (_, index) => account(`a${index}`))], {pinnedAccount: `${hostile}${'p'.repeat(500)}`}), nowMs);
	assert.doesNotMatch(line, /[\u0000-\u001F\u007F-\u009F\u202A-\u202E]/);
	assert.ok(line.length <= 160, `${line.length} characters`);
	assert.ok(line.endsWith('…'));
});

test('statusLine against whatever answers: shunt\'s document, something else, a body too large, nothing in time', async () => {
	let answer: (response: http.ServerResponse) => void = () => undefined;
	const server = http.createServer((_request, response) => {
		answer(response);
	});
	await new Promise<void>(resolve => {
		server.listen(0, '127.0.0.1', resolve);
	});
	const target = {host: '127.0.0.1', port: (server.address() as AddressInfo).port};
	const url = `http://127.0.0.1:${target.port}`;
	try {
		answer = response => {
			response.end(JSON.stringify(document([account('work', {active: true})])));
		};

		assert.equal(await statusLine(target), 'shunt · work · 1/1 ready · 100% left');

		answer = response => {
			response.end('{"status":"ok"}');
		};

		assert.equal(await statusLine(target), `shunt: ${url} answered, but not as shunt`);

		answer = response => {
			response.end('<html>not json');
		};

		assert.equal(await statusLine(target), `shunt: ${url} answered, but not as shunt`);

		// More than any status document: cut off, not read into memory.
		answer = response => {
			response.write('"');
			response.end('x'.repeat(9 * 1024 * 1024));
		};

		// (Read whole, this would be "answered, but not as shunt"; the cap ends it long before the timeout.)
		const capped = performance.now();
		assert.equal(await statusLine(target, 10_000), `shunt: not running on ${url}`);
		assert.ok(performance.now() - capped < 10_000);

		answer = () => undefined;
		const started = performance.now();
		assert.equal(await statusLine(target, 200), `shunt: not running on ${url}`);
		assert.ok(performance.now() - started < 2000, 'the timeout holds');
	} finally {
		server.closeAllConnections();
		server.close();
	}
});
