// covers: source/cli.tsx, source/commands/cli-arguments.ts, source/util/user-error.ts, source/runtime/runtime.ts
// A user's mistake gets one line starting "shunt: " and a non-zero exit, never a stack trace;
// usage mistakes point at --help. A reader that goes away (`shunt status --json | head -1`) is not
// an error at all.
import process from 'node:process';
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {existsSync, readFileSync} from 'node:fs';
import {
	after, before, describe, test,
} from 'node:test';
import {shuntPaths} from '../../source/accounts/paths.js';
import {addApiKeyAccount} from '../../source/commands/account-commands.js';
import {Simulator} from '../../source/simulator/index.js';
import {
	cliPath, runScript, startShunt, type Completed, type ShuntProcess,
} from '../helpers/shunt-process.js';
import {tempDir} from '../helpers/temp-dir.js';

let simulator: Simulator;
let home: string;
let shunt: ShuntProcess;

before(async () => {
	simulator = new Simulator({chunkDelayMs: 1});
	simulator.addAccount({kind: 'apikey', credential: 'sim-key-cli-00000000000000', name: 'alpha'});
	await simulator.listen();
	home = tempDir();
	await addApiKeyAccount(shuntPaths({SHUNT_HOME: home}), 'alpha', 'sim-key-cli-00000000000000');
	// The running instance has its own home, so the commands under test may start on `home`.
	const runningHome = tempDir();
	await addApiKeyAccount(shuntPaths({SHUNT_HOME: runningHome}), 'alpha', 'sim-key-cli-00000000000000');
	shunt = await startShunt(['--upstream', simulator.url], {SHUNT_HOME: runningHome});
});

after(async () => {
	await shunt?.stop('SIGKILL');
	await simulator?.close();
});

/** A run that would start a proxy despite the error is killed after 15 s and fails its test. */
async function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Completed> {
	return runScript(cliPath, args, {SHUNT_HOME: home, ...env}, undefined, 15_000);
}

function assertOneLine(result: Completed, expected: RegExp | string, code: number): void {
	const lines = result.stderr.trimEnd().split('\n');
	assert.equal(lines.length, 1, `one line on stderr:\n${result.stderr}`);
	if (typeof expected === 'string') {
		assert.equal(lines[0], expected);
	} else {
		assert.match(lines[0]!, expected);
	}

	assert.ok(lines[0]!.startsWith('shunt: '), result.stderr);
	assert.doesNotMatch(result.stderr, /^\s+at /m, 'no stack trace');
	assert.equal(result.code, code, result.stderr);
}

describe('usage mistakes: one line, exit 2, a pointer to --help', () => {
	const strategies = 'maximus, reaper, cushion, carousel';
	const cases: Array<[string[], string, NodeJS.ProcessEnv?]> = [
		[['--strategy', 'fastest'], `shunt: invalid --strategy "fastest"; choose one of ${strategies} (see shunt --help)`],
		[['--headless', '--strategy=fastest'], `shunt: invalid --strategy "fastest"; choose one of ${strategies} (see shunt --help)`],
		[['--port', 'abc'], 'shunt: invalid --port "abc": use a number from 0 to 65535 (see shunt --help)'],
		[['status', '--port', '99999'], 'shunt: invalid --port "99999": use a number from 0 to 65535 (see shunt --help)'],
		[['status', '--port=8o82'], 'shunt: invalid --port "8o82": use a number from 0 to 65535 (see shunt --help)'],
		[['status'], 'shunt: invalid SHUNT_PORT "abc": use a number from 0 to 65535 (see shunt --help)', {SHUNT_PORT: 'abc'}],
		[['--foo'], 'shunt: unknown flag --foo (see shunt --help)'],
		[['status', '--bogus=1'], 'shunt: unknown flag --bogus (see shunt --help)'],
		[['-x'], 'shunt: unknown flag -x (see shunt --help)'],
		[['--no-port'], 'shunt: unknown flag --no-port (see shunt --help)'],
		[['status', '--port', '1', '--port', '2'], 'shunt: --port can only be given once (see shunt --help)'],
		[['frob\nnicate'], String.raw`shunt: unknown command "frob\nnicate" (see shunt --help)`],
	];
	for (const [args, expected, env] of cases) {
		test(`shunt ${args.join(' ')}${env ? ` (${Object.entries(env).map(([key, value]) => `${key}=${value}`).join(' ')})` : ''}`, async () => {
			assertOneLine(await cli(args, env), expected, 2);
		});
	}

	test('known flags in every spelling still work', async () => {
		const listed = await cli(['accounts', '--json', '--no-headless']);
		assert.equal(listed.code, 0, listed.stderr);
		assert.equal((JSON.parse(listed.stdout) as unknown[]).length, 1);
		const camel = await cli(['add-account', 'beta', '--apiKey', '-'], {});
		assert.equal(camel.code, 1, 'an empty key from stdin is refused');
		assert.match(camel.stderr, /^shunt: the API key is empty\n$/);
	});

	test('--help or --version anywhere answers and does nothing else', async () => {
		const help = await cli(['add-account', 'someone', '--help']);
		assert.equal(help.code, 0);
		assert.match(help.stdout, /Usage/);
		assert.equal(help.stderr, '');
		const version = await cli(['add-account', 'someone', '--version']);
		assert.equal(version.code, 0);
		assert.match(version.stdout, /^\d+\.\d+\.\d+\n$/);
	});
});

describe('listening fails: one line saying why and what to do, exit 1', () => {
	const unprivilegedStart = Number(readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8'));
	const isRoot = process.getuid?.() === 0;
	const canDropPrivilege = !isRoot || existsSync('/usr/bin/setpriv');
	test('a port below 1024 without the privilege (EACCES)', {skip: unprivilegedStart <= 1 ? 'every port is unprivileged on this machine' : (canDropPrivilege ? false : 'running as root without setpriv to drop CAP_NET_BIND_SERVICE')}, async () => {
		const args = [cliPath, '--headless', '--port', '1', '--upstream', simulator.url];
		// As root, run the CLI without the capability that allows binding low ports.
		const command = isRoot ? ['/usr/bin/setpriv', '--bounding-set=-net_bind_service', '--inh-caps=-net_bind_service', process.execPath, ...args] : [process.execPath, ...args];
		const result = await runCommand(command, {SHUNT_HOME: home});
		assertOneLine(result, 'shunt: cannot listen on 127.0.0.1:1: permission denied (ports below 1024 need privileges); use --port with a higher port', 1);
	});

	test('an address this machine does not have (EADDRNOTAVAIL)', async () => {
		const result = await cli(['--headless', '--host', '10.255.255.1', '--port', '0', '--upstream', simulator.url], {SHUNT_CLIENT_KEY: 'proxy-key-123'});
		assertOneLine(result, 'shunt: cannot listen on 10.255.255.1:0: this machine has no such address; use --host with one of its own addresses (default 127.0.0.1)', 1);
	});

	test('the messages for each listen error', async () => {
		const {listenErrorMessage} = await import('../../source/runtime/runtime.js');
		const error = (code: string) => Object.assign(new Error(code), {code});
		assert.match(listenErrorMessage(error('EACCES'), '127.0.0.1', 80)!, /permission denied \(ports below 1024 need privileges\); use --port with a higher port$/);
		assert.match(listenErrorMessage(error('EACCES'), '127.0.0.1', 8082)!, /^cannot listen on 127\.0\.0\.1:8082: permission denied;/);
		assert.match(listenErrorMessage(error('EADDRINUSE'), '::1', 8082)!, /already in use/);
		assert.match(listenErrorMessage(error('EADDRNOTAVAIL'), '::2', 8082)!, /^cannot listen on \[::2\]:8082: this machine has no such address/);
		assert.match(listenErrorMessage(error('ENOTFOUND'), 'nowhere.invalid', 8082)!, /^cannot listen on nowhere\.invalid:8082: no such host/);
		assert.equal(listenErrorMessage(error('EMFILE'), '127.0.0.1', 8082), undefined, 'anything else is not the user\'s to fix');
	});
});

describe('a reader that goes away (EPIPE) ends the command quietly with exit 0', () => {
	for (const args of [['status', '--json'], ['status'], ['accounts', '--json']]) {
		test(`shunt ${args.join(' ')} with its stdout closed`, async () => {
			const child = spawn(process.execPath, [cliPath, ...args, '--port', new URL(shunt.url).port], {env: {...process.env, SHUNT_HOME: home}, stdio: ['ignore', 'pipe', 'pipe']});
			// The reading end closes before the command has written anything, like `| head -0`.
			child.stdout.destroy();
			let stderr = '';
			child.stderr.on('data', chunk => {
				stderr += String(chunk);
			});
			const code = await new Promise<number | null>(resolve => {
				child.on('close', resolve);
			});
			assert.equal(stderr, '');
			assert.equal(code, 0);
		});
	}
});

async function runCommand(command: string[], env: NodeJS.ProcessEnv): Promise<Completed> {
	return new Promise((resolve, reject) => {
		const child = spawn(command[0]!, command.slice(1), {env: {...process.env, ...env}, stdio: ['ignore', 'pipe', 'pipe']});
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', chunk => {
			stdout += String(chunk);
		});
		child.stderr.on('data', chunk => {
			stderr += String(chunk);
		});
		const timer = setTimeout(() => {
			child.kill('SIGTERM');
		}, 15_000);
		child.on('error', reject);
		child.on('close', code => {
			clearTimeout(timer);
			resolve({code, stdout, stderr});
		});
	});
}
