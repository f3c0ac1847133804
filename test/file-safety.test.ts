// The files shunt keeps: private directories, no temp files left behind by killed writes, and a
// state.json that still parses after any number of kill -9s under load.
import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {existsSync, mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {after, before, test} from 'node:test';
import {preparePrivateDirectories, shuntPaths} from '../source/accounts/paths.js';
import {Simulator} from '../source/simulator/index.js';
import {StateStore, type StoreSettings} from '../source/state/store.js';
import {removeStaleTempFiles, writeFileAtomic, writeFileAtomicSync} from '../source/util/atomic-write.js';
import {runCli, startShunt} from './helpers/shunt-process.js';
import {tempDir} from './helpers/temp-dir.js';
import {waitFor} from './helpers/wait.js';

const posix = process.platform !== 'win32';
const settings: StoreSettings = {strategy: 'maximus', burstRpmLimit: 10, stickyTtlMs: 600_000, expirySoonSeconds: 1800, fallbackModel: null};
const mode = (file: string) => statSync(file).mode & 0o777;
const temps = (directory: string) => readdirSync(directory).filter(name => name.includes('.tmp-'));

/** The pid of a process that has exited: what a killed writer's temp file is named after. */
function deadPid(): number {
	const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {encoding: 'utf8'});
	const pid = Number(child.stdout);
	assert.ok(Number.isInteger(pid) && pid > 0);
	return pid;
}

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

test('atomic writes still write the content, 0600, with no temp file left', async () => {
	const directory = tempDir();
	const file = path.join(directory, 'data.json');
	writeFileAtomicSync(file, '{"a":1}');
	assert.equal(readFileSync(file, 'utf8'), '{"a":1}');
	await writeFileAtomic(file, '{"a":2}');
	assert.equal(readFileSync(file, 'utf8'), '{"a":2}');
	if (posix) {
		assert.equal(mode(file), 0o600);
	}

	assert.deepEqual(temps(directory), []);
});

test('stale temp files are removed: a dead writer\'s, or any over an hour old; a live writer\'s and unrelated files stay', () => {
	const directory = tempDir();
	const file = path.join(directory, 'state.json');
	const dead = deadPid();
	const names = {
		dead: `state.json.tmp-${dead}-0a1b2c3d`,
		mine: `state.json.tmp-${process.pid}-0a1b2c3d`,
		parent: `state.json.tmp-${process.ppid}-00ff00ff`,
		oldButAlive: `state.json.tmp-${process.ppid}-deadbeef`,
		otherFile: `credentials.json.tmp-${dead}-0a1b2c3d`,
		notOurPattern: 'state.json.tmp-notapid',
		corrupt: 'state.json.corrupt-2026-01-01T00-00-00.000Z',
	};
	for (const name of Object.values(names)) {
		writeFileSync(path.join(directory, name), 'x');
	}

	const twoHoursAgo = (Date.now() - (2 * 3_600_000)) / 1000;
	utimesSync(path.join(directory, names.oldButAlive), twoHoursAgo, twoHoursAgo);
	assert.equal(removeStaleTempFiles(file), 2);
	assert.deepEqual(readdirSync(directory).sort(), [names.mine, names.parent, names.otherFile, names.notOurPattern, names.corrupt].sort());
	assert.equal(removeStaleTempFiles(path.join(tempDir(), 'missing', 'state.json')), 0, 'a missing directory is no error');
});

test('opening the store removes the stale temp files beside state.json', () => {
	const directory = tempDir();
	const file = path.join(directory, 'state.json');
	const stale = path.join(directory, `state.json.tmp-${deadPid()}-12345678`);
	writeFileSync(stale, '{"format":1,"acc');
	const store = new StateStore({accounts: [{name: 'a', kind: 'apikey'}], settings, version: 't', stateFile: file});
	store.close();
	assert.equal(existsSync(stale), false);
	assert.deepEqual(temps(directory), []);
});

test('a fresh SHUNT_HOME is created 0700 by add-account (the built CLI) and by the store writing state', {skip: posix ? false : 'no POSIX modes'}, async () => {
	const home = path.join(tempDir(), 'not', 'there', 'yet');
	const added = await runCli(['add-account', 'x', '--api-key', '-'], {SHUNT_HOME: home}, `${keys[0]}\n`);
	assert.equal(added.code, 0, added.stderr);
	assert.equal(mode(home), 0o700);
	assert.equal(mode(path.join(home, 'credentials.json')), 0o600);
	assert.equal(mode(path.join(home, 'config.json')), 0o600);

	const dataDir = path.join(tempDir(), 'fresh-data');
	const store = new StateStore({accounts: [{name: 'x', kind: 'apikey'}], settings, version: 't', stateFile: path.join(dataDir, 'state.json')});
	store.pin('x');
	store.close();
	assert.equal(mode(dataDir), 0o700);
	assert.equal(mode(path.join(dataDir, 'state.json')), 0o600);
});

test('an existing SHUNT_HOME keeps its mode; the platform\'s own shunt directories are tightened to 0700', {skip: posix ? false : 'no POSIX modes'}, async () => {
	const home = tempDir();
	const chosen = path.join(home, 'chosen');
	mkdirSync(chosen, {mode: 0o750});
	const added = await runCli(['add-account', 'x', '--api-key', '-'], {SHUNT_HOME: chosen}, `${keys[0]}\n`);
	assert.equal(added.code, 0, added.stderr);
	assert.equal(mode(chosen), 0o750, 'the user\'s directory is theirs to set');

	const xdgConfig = path.join(home, 'config');
	const xdgData = path.join(home, 'data');
	mkdirSync(path.join(xdgConfig, 'shunt'), {recursive: true, mode: 0o755});
	const paths = shuntPaths({XDG_CONFIG_HOME: xdgConfig, XDG_DATA_HOME: xdgData}, 'linux');
	preparePrivateDirectories(paths);
	assert.equal(mode(paths.configDir), 0o700, 'an old 0755 config directory is tightened');
	assert.equal(mode(paths.dataDir), 0o700, 'a missing data directory is created 0700');
});

test('kill -9 under load, again and again: state.json always parses and no temp file survives a restart', async () => {
	const home = path.join(tempDir(), 'home');
	for (const [index, key] of keys.entries()) {
		// eslint-disable-next-line no-await-in-loop
		const added = await runCli(['add-account', `k${index}`, '--api-key', '-'], {SHUNT_HOME: home}, `${key}\n`);
		assert.equal(added.code, 0, added.stderr);
	}

	const stateFile = path.join(home, 'state.json');
	const killedPids: number[] = [];
	for (let round = 0; round < 4; round++) {
		// eslint-disable-next-line no-await-in-loop
		const shunt = await startShunt(['--upstream', simulator.url], {SHUNT_HOME: home});
		let stop = false;
		let served = 0;
		const client = async () => {
			while (!stop) {
				try {
					// eslint-disable-next-line no-await-in-loop
					const response = await fetch(`${shunt.url}/v1/messages`, {
						method: 'POST',
						headers: {'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-claude-code-session-id': `s-${round}-${served}`},
						body: JSON.stringify({model: 'claude-sonnet-4-6', max_tokens: 8, messages: [{role: 'user', content: 'hi'}]}),
					});
					// eslint-disable-next-line no-await-in-loop
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
		// eslint-disable-next-line no-await-in-loop
		await waitFor(() => served >= 40 && existsSync(stateFile), 'traffic and a written state.json', 20_000);
		killedPids.push(shunt.child.pid!);
		// eslint-disable-next-line no-await-in-loop
		await shunt.stop('SIGKILL');
		stop = true;
		// eslint-disable-next-line no-await-in-loop
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
