// covers: source/cli.tsx, source/state/store.ts, source/util/atomic-write.ts, source/util/private-directory.ts
// The files the built CLI keeps: a private SHUNT_HOME, and a state.json that still parses after any
// number of kill -9s under load, with no temp file surviving a restart.
import process from 'node:process';
import assert from 'node:assert/strict';
import {
	existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync,
} from 'node:fs';
import path from 'node:path';
import {after, before, test} from 'node:test';
import {Simulator} from '../../source/simulator/index.js';
import {runCli, startShunt} from '../helpers/shunt-process.js';
import {tempDir} from '../helpers/temp-dir.js';
import {waitFor} from '../helpers/wait.js';

const posix = process.platform !== 'win32';
const mode = (file: string) => statSync(file).mode & 0o777;
const temps = (directory: string) => readdirSync(directory).filter(name => name.includes('.tmp-'));

let simulator: Simulator;
const keys = ['sim-key-alpha-000000000000', 'sim-key-bravo-000000000000'];

before(async () => {
	simulator = new Simulator({chunkDelayMs: 1});
	await simulator.listen();
	for (const [index, key] of keys.entries()) {
		simulator.addAccount({kind: 'apikey', credential: key, name: `k${index}`});
	}
});

after(async () => {
	await simulator?.close();
});

test('a fresh SHUNT_HOME is created 0700 by add-account, its files 0600', {skip: posix ? false : 'no POSIX modes'}, async () => {
	const home = path.join(tempDir(), 'not', 'there', 'yet');
	const added = await runCli(['add-account', 'x', '--api-key', '-'], {SHUNT_HOME: home}, `${keys[0]}\n`);
	assert.equal(added.code, 0, added.stderr);
	assert.equal(mode(home), 0o700);
	assert.equal(mode(path.join(home, 'credentials.json')), 0o600);
	assert.equal(mode(path.join(home, 'config.json')), 0o600);
});

test('an existing SHUNT_HOME keeps its mode through add-account', {skip: posix ? false : 'no POSIX modes'}, async () => {
	const chosen = path.join(tempDir(), 'chosen');
	mkdirSync(chosen, {mode: 0o750});
	const added = await runCli(['add-account', 'x', '--api-key', '-'], {SHUNT_HOME: chosen}, `${keys[0]}\n`);
	assert.equal(added.code, 0, added.stderr);
	assert.equal(mode(chosen), 0o750, 'the user\'s directory is theirs to set');
});

test('kill -9 under load, again and again: state.json always parses and no temp file survives a restart', async () => {
	const home = path.join(tempDir(), 'home');
	for (const [index, key] of keys.entries()) {
		const added = await runCli(['add-account', `k${index}`, '--api-key', '-'], {SHUNT_HOME: home}, `${key}\n`);
		assert.equal(added.code, 0, added.stderr);
	}

	const stateFile = path.join(home, 'state.json');
	const killedPids: number[] = [];
	for (let round = 0; round < 4; round++) {
		const shunt = await startShunt(['--upstream', simulator.url], {SHUNT_HOME: home});
		let stop = false;
		let served = 0;
		const client = async () => {
			while (!stop) {
				try {
					const response = await fetch(`${shunt.url}/v1/messages`, {
						method: 'POST',
						headers: {'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-claude-code-session-id': `s-${round}-${served}`},
						body: JSON.stringify({model: 'claude-sonnet-4-6', max_tokens: 8, messages: [{role: 'user', content: 'hi'}]}),
					});

					await response.arrayBuffer();
					served++;
				} catch {
					// The process was killed under this request.
					return;
				}
			}
		};

		const clients = Array.from({length: 8}, async () => client());
		// Enough traffic that state.json is being rewritten when the kill lands.

		await waitFor(() => served >= 40 && existsSync(stateFile), 'traffic and a written state.json', 20_000);
		killedPids.push(shunt.child.pid!);

		await shunt.stop('SIGKILL');
		stop = true;

		await Promise.all(clients);
		const saved = JSON.parse(readFileSync(stateFile, 'utf8')) as {format: number};
		assert.equal(saved.format, 1, `round ${round}: state.json parses`);
	}

	// A kill that landed mid-write leaves exactly this behind; make sure the case is covered even
	// when no kill happened to land inside a write.
	writeFileSync(path.join(home, `state.json.tmp-${killedPids[0]}-0badc0de`), '{"format":1,"sav');
	writeFileSync(path.join(home, `credentials.json.tmp-${killedPids[1]}-0badc0de`), '{"accounts":');
	const restarted = await startShunt(['--upstream', simulator.url], {SHUNT_HOME: home});
	try {
		const livePid = String(restarted.child.pid);
		assert.deepEqual(temps(home).filter(name => !name.includes(`.tmp-${livePid}-`)), [], 'the killed writers\' temp files are gone');
		const status = await fetch(`${restarted.url}/_shunt/status`);
		assert.equal(status.status, 200);
		await status.arrayBuffer();
	} finally {
		assert.equal(await restarted.stop('SIGTERM'), 0, restarted.stderr());
	}

	assert.equal((JSON.parse(readFileSync(stateFile, 'utf8')) as {format: number}).format, 1);
	assert.deepEqual(temps(home), []);
	if (posix) {
		assert.equal(mode(home), 0o700);
	}
});
