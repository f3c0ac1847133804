// Two shunts on one data directory would overwrite each other's state.json (savings, the pin):
// the second one must refuse to start and name the first one's port; a stopped or killed first
// one must not block the next start.
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {existsSync, readFileSync, statSync, writeFileSync, utimesSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {after, before, describe, test} from 'node:test';
import {shuntPaths} from '../source/accounts/paths.js';
import {addApiKeyAccount} from '../source/commands/account-commands.js';
import {Simulator} from '../source/simulator/index.js';
import {acquireInstanceLock, InstanceLockedError, lockFileName} from '../source/state/instance-lock.js';
import {cliPath, runCli, startShunt} from './helpers/shunt-process.js';
import {tempDir} from './helpers/temp-dir.js';
import {waitFor} from './helpers/wait.js';

let simulator: Simulator;

before(async () => {
	simulator = new Simulator({chunkDelayMs: 1});
	simulator.addAccount({kind: 'apikey', credential: 'sim-key-lock-0000000000000', name: 'alpha'});
	await simulator.listen();
});

after(async () => {
	await simulator?.close();
});

async function homeWithAccount(): Promise<string> {
	const home = tempDir();
	await addApiKeyAccount(shuntPaths({SHUNT_HOME: home}), 'alpha', 'sim-key-lock-0000000000000');
	return home;
}

async function healthy(url: string): Promise<boolean> {
	const response = await fetch(`${url}/_shunt/health`);
	return response.status === 200 && ((await response.json()) as {status: string}).status === 'ok';
}

describe('one shunt per data directory (the built CLI)', () => {
	test('a second instance on the same SHUNT_HOME refuses with one line naming the first one\'s port; the first keeps serving', async () => {
		const home = await homeWithAccount();
		const first = await startShunt(['--upstream', simulator.url], {SHUNT_HOME: home});
		try {
			const port = new URL(first.url).port;
			const lock = JSON.parse(readFileSync(path.join(home, lockFileName), 'utf8')) as {pid: number; port: number};
			assert.equal(lock.pid, first.child.pid);
			assert.equal(String(lock.port), port, 'the lock holds the bound port once listening');
			assert.equal(statSync(path.join(home, lockFileName)).mode & 0o777, 0o600);

			const second = await runCli(['--headless', '--port', '0', '--upstream', simulator.url], {SHUNT_HOME: home});
			assert.equal(second.code, 1, second.stderr);
			const lines = second.stderr.trim().split('\n');
			assert.equal(lines.length, 1, second.stderr);
			assert.match(lines[0]!, new RegExp(`^shunt: another shunt \\(pid ${first.child.pid}\\) is already running with this data directory on http://127\\.0\\.0\\.1:${port}; stop it \\(or \`shunt status --port ${port}\`\\), or use another SHUNT_HOME$`));
			assert.ok(await healthy(first.url), 'the first instance still answers');
			assert.equal((JSON.parse(readFileSync(path.join(home, lockFileName), 'utf8')) as {pid: number}).pid, first.child.pid, 'the refused one left the lock alone');
		} finally {
			await first.stop('SIGKILL');
		}
	});

	test('after the first stops cleanly its lock is gone and a new one starts', async () => {
		const home = await homeWithAccount();
		const first = await startShunt(['--upstream', simulator.url], {SHUNT_HOME: home});
		assert.equal(await first.stop('SIGTERM'), 0, first.stderr());
		assert.ok(!existsSync(path.join(home, lockFileName)), 'a clean stop removes the lock');
		const next = await startShunt(['--upstream', simulator.url], {SHUNT_HOME: home});
		try {
			assert.ok(await healthy(next.url));
		} finally {
			await next.stop('SIGKILL');
		}
	});

	test('after the first is killed (SIGKILL) its stale lock is taken over', async () => {
		const home = await homeWithAccount();
		const first = await startShunt(['--upstream', simulator.url], {SHUNT_HOME: home});
		await first.stop('SIGKILL');
		assert.ok(existsSync(path.join(home, lockFileName)), 'a killed shunt leaves its lock behind');
		const next = await startShunt(['--upstream', simulator.url], {SHUNT_HOME: home});
		try {
			assert.ok(await healthy(next.url));
			const lock = JSON.parse(readFileSync(path.join(home, lockFileName), 'utf8')) as {pid: number};
			assert.equal(lock.pid, next.child.pid, 'the lock now names the new instance');
		} finally {
			await next.stop('SIGKILL');
		}
	});

	test('with the monitor on, the proxy thread holds the lock and releases it when q stops it', {skip: existsSync('/usr/bin/script') ? false : 'needs util-linux script for a pseudo-terminal'}, async () => {
		const home = await homeWithAccount();
		const command = `stty cols 120 rows 40; exec ${process.execPath} ${cliPath} --port 0 --upstream ${simulator.url}`;
		const child = spawn('script', ['-qfec', command, '/dev/null'], {env: {...process.env, SHUNT_HOME: home, TERM: 'xterm-256color'}, stdio: ['pipe', 'pipe', 'pipe']});
		let screen = '';
		child.stdout.on('data', chunk => {
			screen += String(chunk);
		});
		const exited = new Promise<number | null>(resolve => {
			child.on('exit', code => resolve(code));
		});
		try {
			// eslint-disable-next-line no-control-regex
			const url = await waitFor(() => /http:\/\/127\.0\.0\.1:\d+/.exec(screen.replaceAll(/\u001B\[[\d;?]*[A-Za-z]/g, ''))?.[0], 'the monitor to show its address', 15_000);
			const port = new URL(url).port;
			const lock = await waitFor(() => {
				const held = JSON.parse(readFileSync(path.join(home, lockFileName), 'utf8')) as {port: number | null};
				return held.port === null ? undefined : held;
			}, 'the lock to hold the port');
			assert.equal(String(lock.port), port);
			const second = await runCli(['--headless', '--port', '0', '--upstream', simulator.url], {SHUNT_HOME: home});
			assert.equal(second.code, 1);
			assert.match(second.stderr, new RegExp(`^shunt: another shunt \\(pid \\d+\\) is already running with this data directory on ${url.replaceAll('.', '\\.')};`));
			child.stdin.write('q');
			assert.equal(await exited, 0);
			assert.ok(!existsSync(path.join(home, lockFileName)), 'the worker released the lock on its way out');
		} finally {
			if (child.exitCode === null) {
				child.kill('SIGKILL');
			}
		}
	});

	test('a start that fails (port in use) releases its lock', async () => {
		const home = await homeWithAccount();
		const other = await homeWithAccount();
		const first = await startShunt(['--upstream', simulator.url], {SHUNT_HOME: other});
		try {
			const port = new URL(first.url).port;
			const clash = await runCli(['--headless', '--port', port, '--upstream', simulator.url], {SHUNT_HOME: home});
			assert.equal(clash.code, 1);
			assert.match(clash.stderr, /already in use/);
			assert.ok(!existsSync(path.join(home, lockFileName)), 'no lock is left behind by a failed start');
		} finally {
			await first.stop('SIGKILL');
		}
	});
});

test('a data directory that cannot be created is one line naming it', async () => {
	const config = tempDir();
	const blocked = path.join(tempDir(), 'a-file');
	writeFileSync(blocked, '');
	await addApiKeyAccount(shuntPaths({XDG_CONFIG_HOME: config}, 'linux'), 'alpha', 'sim-key-lock-0000000000000');
	const result = await runCli(['--headless', '--port', '0', '--upstream', simulator.url], {SHUNT_HOME: '', XDG_CONFIG_HOME: config, XDG_DATA_HOME: blocked});
	assert.equal(result.code, 1, result.stderr);
	assert.equal(result.stderr, `shunt: cannot use the data directory ${path.join(blocked, 'shunt')} (ENOTDIR: not a directory); check it, or set SHUNT_HOME\n`);
});

describe('the lock file itself', () => {
	test('is created 0600 in a 0700 directory and released only by its holder', () => {
		const dir = path.join(tempDir(), 'data');
		const lock = acquireInstanceLock(dir, {host: '127.0.0.1'});
		assert.equal(statSync(dir).mode & 0o777, 0o700);
		assert.equal(statSync(lock.file).mode & 0o777, 0o600);
		assert.throws(() => acquireInstanceLock(dir, {host: '127.0.0.1'}), InstanceLockedError, 'the same process cannot take it twice');
		lock.setAddress('http://127.0.0.1:4321', 4321);
		const written = JSON.parse(readFileSync(lock.file, 'utf8')) as {pid: number; host: string; port: number; startedMs: number};
		assert.deepEqual([written.pid, written.host, written.port], [process.pid, '127.0.0.1', 4321]);
		assert.equal(statSync(lock.file).mode & 0o777, 0o600, 'the rewrite keeps 0600');

		// Someone else's lock now sits there (say, a new instance after this one was judged stale):
		// releasing must not delete it.
		const foreign = {pid: process.pid, hostname: os.hostname(), host: '127.0.0.1', port: 1, url: 'http://127.0.0.1:1', startedMs: Date.now() + 1};
		writeFileSync(lock.file, JSON.stringify(foreign));
		lock.release();
		assert.ok(existsSync(lock.file), 'a lock that is no longer ours is left alone');
	});

	test('a lock left by a dead process is taken over; one from a live process is refused', async () => {
		const dir = tempDir();
		const file = path.join(dir, lockFileName);
		const dead = await deadPid();
		writeFileSync(file, JSON.stringify({pid: dead, hostname: os.hostname(), host: '127.0.0.1', port: 8082, url: 'http://127.0.0.1:8082', startedMs: Date.now() - 60_000}), {mode: 0o600});
		const lock = acquireInstanceLock(dir, {host: '127.0.0.1'});
		assert.equal((JSON.parse(readFileSync(file, 'utf8')) as {pid: number}).pid, process.pid);
		lock.release();
		assert.ok(!existsSync(file));

		// pid 1 is always alive (and not ours).
		writeFileSync(file, JSON.stringify({pid: 1, hostname: os.hostname(), host: '127.0.0.1', port: 9, url: 'http://127.0.0.1:9', startedMs: Date.now()}), {mode: 0o600});
		assert.throws(() => acquireInstanceLock(dir, {host: '127.0.0.1'}), (error: unknown) => error instanceof InstanceLockedError && error.holder?.pid === 1 && error.holder.port === 9);
	});

	test('our own pid in a lock written before this process started is a previous process (pid reuse): stale', () => {
		const dir = tempDir();
		const file = path.join(dir, lockFileName);
		const beforeUs = Date.now() - (process.uptime() * 1000) - 60_000;
		writeFileSync(file, JSON.stringify({pid: process.pid, hostname: os.hostname(), host: '127.0.0.1', port: 8082, url: 'http://127.0.0.1:8082', startedMs: beforeUs}), {mode: 0o600});
		acquireInstanceLock(dir, {host: '127.0.0.1'}).release();
	});

	test('a lock from another machine cannot be judged by its pid: refused, naming the file to delete', () => {
		const dir = tempDir();
		const file = path.join(dir, lockFileName);
		writeFileSync(file, JSON.stringify({pid: 999_999, hostname: 'elsewhere.example', host: '127.0.0.1', port: 8082, url: 'http://127.0.0.1:8082', startedMs: Date.now()}), {mode: 0o600});
		assert.throws(() => acquireInstanceLock(dir, {host: '127.0.0.1'}), (error: unknown) => error instanceof InstanceLockedError && error.holder?.hostname === 'elsewhere.example');
	});

	test('garbage in the lock file: refused while fresh (it may be being written), taken over once old', () => {
		const dir = tempDir();
		const file = path.join(dir, lockFileName);
		writeFileSync(file, '');
		assert.throws(() => acquireInstanceLock(dir, {host: '127.0.0.1'}), InstanceLockedError);
		const old = (Date.now() / 1000) - 60;
		utimesSync(file, old, old);
		acquireInstanceLock(dir, {host: '127.0.0.1'}).release();
	});
});

/** The pid of a process that has exited (and been reaped). */
async function deadPid(): Promise<number> {
	const child = spawn(process.execPath, ['-e', ''], {stdio: 'ignore'});
	await new Promise(resolve => child.once('exit', resolve));
	return child.pid!;
}
