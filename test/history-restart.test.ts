// covers: source/state/store.ts, source/history/history.ts, source/state/session-hash.ts, source/proxy/exchange.ts
// The in-process proxy, restarted on the same files: the log after the restart shows the requests
// from before it, with their sessions as short hashes; history.db never holds a prompt or a
// session id.
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {after, before, test} from 'node:test';
import Database from 'better-sqlite3';
import {sessionKey} from '../source/routing/session-key.js';
import {sessionHash} from '../source/state/session-hash.js';
import {Simulator} from '../source/simulator/index.js';
import {message, startHarness, type Harness} from './helpers/proxy-harness.js';
import {tempDir} from './helpers/temp-dir.js';
import {waitFor} from './helpers/wait.js';

let simulator: Simulator;
const accounts = [{name: 'alpha', kind: 'apikey' as const, secret: 'sim-key-alpha-restart-0000'}, {name: 'bravo', kind: 'apikey' as const, secret: 'sim-key-bravo-restart-0000'}];
const prompt = 'a secret plan nobody else may read 7f3a';
const sessionId = 'session-id-that-is-not-stored-9c1e';
const conversation = (turns: number) => [
	{role: 'user', content: `${prompt} 0`},
	...Array.from({length: turns}, (_, index) => [{role: 'assistant', content: 'noted'}, {role: 'user', content: `${prompt} ${index + 1}`}]).flat(),
];

before(async () => {
	simulator = new Simulator({chunkDelayMs: 1});
	await simulator.listen();
	for (const account of accounts) {
		simulator.addAccount({kind: 'apikey', credential: account.secret, name: account.name});
	}
});

after(async () => {
	await simulator.close();
});

async function harness(directory: string): Promise<Harness> {
	return startHarness({
		upstream: simulator.url, accounts, stateFile: path.join(directory, 'state.json'), historyFile: path.join(directory, 'history.db'),
	});
}

test('after a restart the log shows the requests from before it, and history.db keeps no prompt text nor session id', async () => {
	const directory = tempDir();
	const first = await harness(directory);
	const ids: string[] = [];
	try {
		for (let index = 0; index < 3; index++) {
			// One conversation growing turn by turn: the same session id and first message.
			const response = await first.post(message({messages: conversation(index)}), {'x-claude-code-session-id': sessionId});
			assert.equal(response.status, 200);

			await response.text();
		}

		const streamed = await first.post(message({stream: true}));
		await streamed.text();
		await waitFor(() => first.store.freshSnapshot().requests.length === 4, 'four requests in the ring');
		ids.push(...first.store.freshSnapshot().requests.map(request => request.id));
	} finally {
		await first.close();
	}

	const second = await harness(directory);
	try {
		const {requests} = second.store.freshSnapshot();
		assert.deepEqual(requests.map(request => request.id), ids, 'the same requests, newest first');
		const [streamed, ...plain] = requests;
		assert.equal(streamed!.stream, true);
		assert.ok(streamed!.outputTokens > 0 && streamed!.ttftMs !== null);
		for (const request of plain) {
			assert.equal(request.sessionHash, sessionHash(sessionKey({'x-claude-code-session-id': sessionId}, message({messages: conversation(0)}))!));
			assert.match(request.sessionHash, /^[0-9a-f]{16}$/);
			assert.ok(request.decision?.candidates.length === 2, 'the routing decision came back too');
		}

		// New requests join the old ones.
		const response = await second.post(message());
		await response.text();
		await waitFor(() => second.store.freshSnapshot().requests.length === 5, 'the new request beside the old ones');
	} finally {
		await second.close();
	}

	const bytes = ['', '-wal'].map(suffix => {
		try {
			return readFileSync(path.join(directory, `history.db${suffix}`)).toString('latin1');
		} catch {
			return '';
		}
	}).join('');
	assert.ok(bytes.length > 0);
	assert.ok(!bytes.includes(prompt), 'no prompt text in the file');
	assert.ok(!bytes.includes(sessionId), 'no session id in the file');
	const db = new Database(path.join(directory, 'history.db'), {readonly: true});
	assert.equal(db.prepare('SELECT count(*) FROM requests').pluck().get(), 5);
	assert.deepEqual(db.prepare('SELECT DISTINCT account_kind FROM requests').pluck().all(), ['apikey']);
	db.close();
});
