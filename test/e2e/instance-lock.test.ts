// covers: source/cli.tsx, source/runtime/lock.ts, source/state/instance-lock.ts
// Two shunts on one data directory would overwrite each other's state.json (savings, the pin):
// the second one must refuse to start and name the first one's port; a stopped or killed first
// one must not block the next start.
import process from 'node:process';
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {
	existsSync, readFileSync, statSync, writeFileSync,
} from 'node:fs';
import path from 'node:path';
import {
	after, before, describe, test,
} from 'node:test';
import {shuntPaths} from '../../source/accounts/paths.js';
import {addApiKeyAccount} from '../../source/commands/account-commands.js';
import {Simulator} from '../../source/simulator/index.js';
import {lockFileName} from '../../source/state/instance-lock.js';
import {cliPath, runCli, startShunt} from '../helpers/shunt-process.js';
import {tempDir} from '../helpers/temp-dir.js';
import {waitFor} from '../helpers/wait.js';

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
			const {port} = new URL(first.url);
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
			child.on('exit', code => {
				resolve(code);
			});
		});
		try {
			const url = await waitFor(() => /http:\/\/127\.0\.0\.1:\d+/.exec(screen.replaceAll(/\u001B\[[\d;?]*[A-Za-z]/g, ''))?.[0], 'the monitor to show its address', 15_000);
			const {port} = new URL(url);
			const lock = await waitFor(() => {
				const held = JSON.parse(readFileSync(path.join(home, lockFileName), 'utf8')) as {port: number | null};
				return held.port === null ? undefined : held;
			}, 'the lock to hold the port');
			assert.equal(String(lock.port), port);
			const second = await runCli(['--headless', '--port', '0', '--upstream', simulator.url], {SHUNT_HOME: home});
			assert.equal(second.code, 1);
			assert.match(second.stderr, new RegExp(String.raw`^shunt: another shunt \(pid \d+\) is already running with this data directory on ${url.replaceAll('.', String.raw`\.`)};`));
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
			const {port} = new URL(first.url);
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
