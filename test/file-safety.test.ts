// covers: source/util/atomic-write.ts, source/util/private-directory.ts, source/accounts/paths.ts, source/state/store.ts
// The files shunt keeps: private directories, and no temp files left behind by killed writes
// (e2e/file-safety.test.ts kills the built CLI under load).
import process from 'node:process';
import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {
	existsSync, mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync,
} from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';
import {preparePrivateDirectories, shuntPaths} from '../source/accounts/paths.js';
import {StateStore, type StoreSettings} from '../source/state/store.js';
import {removeStaleTempFiles, writeFileAtomic, writeFileAtomicSync} from '../source/util/atomic-write.js';
import {tempDir} from './helpers/temp-dir.js';

const posix = process.platform !== 'win32';
const settings: StoreSettings = {
	strategy: 'maximus', burstRpmLimit: 10, stickyTtlMs: 600_000, expirySoonSeconds: 1800, fallbackModel: null,
};
const mode = (file: string) => statSync(file).mode & 0o777;
const temps = (directory: string) => readdirSync(directory).filter(name => name.includes('.tmp-'));

/** The pid of a process that has exited: what a killed writer's temp file is named after. */
function deadPid(): number {
	const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {encoding: 'utf8'});
	const pid = Number(child.stdout);
	assert.ok(Number.isInteger(pid) && pid > 0);
	return pid;
}

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
	assert.deepEqual(readdirSync(directory).toSorted(), [names.mine, names.parent, names.otherFile, names.notOurPattern, names.corrupt].toSorted());
	assert.equal(removeStaleTempFiles(path.join(tempDir(), 'missing', 'state.json')), 0, 'a missing directory is no error');
});

test('opening the store removes the stale temp files beside state.json', () => {
	const directory = tempDir();
	const file = path.join(directory, 'state.json');
	const stale = path.join(directory, `state.json.tmp-${deadPid()}-12345678`);
	writeFileSync(stale, '{"format":1,"acc');
	const store = new StateStore({
		accounts: [{name: 'a', kind: 'apikey'}], settings, version: 't', stateFile: file,
	});
	store.close();
	assert.equal(existsSync(stale), false);
	assert.deepEqual(temps(directory), []);
});

test('a state directory that does not exist yet is created 0700 by the store writing state', {skip: posix ? false : 'no POSIX modes'}, () => {
	const dataDir = path.join(tempDir(), 'fresh-data');
	const store = new StateStore({
		accounts: [{name: 'x', kind: 'apikey'}], settings, version: 't', stateFile: path.join(dataDir, 'state.json'),
	});
	store.pin('x');
	store.close();
	assert.equal(mode(dataDir), 0o700);
	assert.equal(mode(path.join(dataDir, 'state.json')), 0o600);
});

test('the platform\'s own shunt directories are tightened to 0700', {skip: posix ? false : 'no POSIX modes'}, () => {
	const home = tempDir();
	const xdgConfig = path.join(home, 'config');
	const xdgData = path.join(home, 'data');
	mkdirSync(path.join(xdgConfig, 'shunt'), {recursive: true, mode: 0o755});
	const paths = shuntPaths({XDG_CONFIG_HOME: xdgConfig, XDG_DATA_HOME: xdgData}, 'linux');
	preparePrivateDirectories(paths);
	assert.equal(mode(paths.configDir), 0o700, 'an old 0755 config directory is tightened');
	assert.equal(mode(paths.dataDir), 0o700, 'a missing data directory is created 0700');
});
