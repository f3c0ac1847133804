// covers: source/commands/monitor-command.ts, source/monitor/attached-app.tsx, source/monitor/not-running.tsx, source/runtime/attach/attached-store.ts, source/proxy/snapshot-stream.ts
// `shunt monitor` attached to a headless shunt the test started, on a real pseudo-terminal (util-
// linux `script`): the same screen, keys that change the headless instance, several monitors at
// once, the "not running" state when the instance goes away and the reconnect when it is back.
import process from 'node:process';
import assert from 'node:assert/strict';
import {spawn, type ChildProcess} from 'node:child_process';
import {existsSync} from 'node:fs';
import {test} from 'node:test';
import {shuntPaths} from '../../source/accounts/paths.js';
import {addApiKeyAccount} from '../../source/commands/account-commands.js';
import {Simulator} from '../../source/simulator/index.js';
import {cliPath, startShunt, type ShuntProcess} from '../helpers/shunt-process.js';
import {tempDir} from '../helpers/temp-dir.js';
import {childOf, threadsOf} from '../helpers/threads.js';
import {waitFor} from '../helpers/wait.js';

const hasScript = existsSync('/usr/bin/script');

function stripAnsi(text: string): string {
	return text.replaceAll(/\u001B\[[\d;?]*[A-Za-z]|\u001B\][^\u0007]*\u0007/g, '');
}

type Monitor = {child: ChildProcess; screen: () => string; exited: Promise<number | null>; press(keys: string): void};

function attachMonitor(port: number, home: string): Monitor {
	const command = `stty cols 120 rows 40; exec ${process.execPath} ${cliPath} monitor --port ${port}`;
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
	return {
		child,
		screen: () => stripAnsi(screen),
		exited,
		press(keys) {
			child.stdin.write(keys);
		},
	};
}

async function status(url: string): Promise<{alertsMuted: boolean; pinnedAccount: string | null; strategy: string}> {
	return (await fetch(`${url}/_shunt/status`)).json() as Promise<{alertsMuted: boolean; pinnedAccount: string | null; strategy: string}>;
}

test('shunt monitor attaches to a headless shunt: same screen, its keys change that instance, it says when the instance is gone and reconnects when it is back', {skip: hasScript ? false : 'needs util-linux script for a pseudo-terminal', timeout: 180_000}, async () => {
	const simulator = new Simulator();
	await simulator.listen();
	const home = tempDir();
	const paths = shuntPaths({SHUNT_HOME: home});
	for (const name of ['north', 'south']) {
		simulator.addAccount({kind: 'apikey', credential: `key-${name}-0000000000000`, name});

		await addApiKeyAccount(paths, name, `key-${name}-0000000000000`);
	}

	const env = {SHUNT_HOME: home};
	let shunt: ShuntProcess | undefined = await startShunt(['--upstream', simulator.url], env);
	const port = Number(new URL(shunt.url).port);
	const monitors: Monitor[] = [];
	try {
		const first = attachMonitor(port, home);
		monitors.push(first);
		await waitFor(() => first.screen().includes('north') && first.screen().includes('south') && first.screen().includes(`http://127.0.0.1:${port}`), () => `the attached monitor to draw the instance's accounts:\n${first.screen().slice(-2000)}`, 30_000);

		// Traffic through the headless instance shows on the attached screen.
		for (let index = 0; index < 2; index++) {
			const response = await fetch(`${shunt.url}/v1/messages`, {
				method: 'POST',
				headers: {'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-claude-code-session-id': `attach-${index}`},
				body: JSON.stringify({model: 'claude-sonnet-4-6', max_tokens: 16, messages: [{role: 'user', content: 'hi'}]}),
			});
			assert.equal(response.status, 200);

			await response.arrayBuffer();
		}

		await waitFor(() => /(north|south)\s+sonnet-4-6\s+200/.test(first.screen()), 'a request row on the attached screen', 20_000);
		if (process.platform === 'linux') {
			// The attached monitor only draws: every thread of it, node's helper threads too, yields to the proxy.
			const threads = threadsOf(childOf(first.child.pid!));
			assert.ok(threads.length > 1 && threads.every(thread => thread.nice === 10), `all threads at nice 10: ${JSON.stringify(threads)}`);
		}

		// A key pressed in the attached monitor changes the headless instance.
		first.press('m');
		await waitFor(async () => (await status(shunt!.url)).alertsMuted, 'm to mute the headless instance\'s alerts', 20_000);
		await waitFor(() => first.screen().includes('alerts muted'), 'the header to show alerts muted', 20_000);
		first.press('2');
		await waitFor(async () => (await status(shunt!.url)).pinnedAccount === 'south', '2 to pin the headless instance to south', 20_000);

		// A second monitor at the same time sees the same instance, and its keys work too.
		const second = attachMonitor(port, home);
		monitors.push(second);
		await waitFor(() => second.screen().includes('alerts muted') && /pin\s+south/.test(second.screen()), () => `the second monitor to show the same settings:\n${second.screen().slice(-1500)}`, 30_000);
		second.press('0');
		await waitFor(async () => (await status(shunt!.url)).pinnedAccount === null, '0 in the second monitor to unpin', 20_000);
		second.press('q');
		assert.equal(await second.exited, 0, 'q quits the second monitor');
		assert.equal((await fetch(`${shunt.url}/_shunt/health`)).status, 200, 'quitting a monitor leaves the instance running');

		// The instance goes away: the monitor says so.
		const before = first.screen().length;
		assert.equal(await shunt.stop(), 0);
		shunt = undefined;
		const notRunning = `shunt is not running on http://127.0.0.1:${port}; reconnecting`;
		await waitFor(() => first.screen().slice(before).includes(notRunning), () => `the not-running state:\n${first.screen().slice(-1500)}`, 20_000);

		// It comes back on the same port: the monitor reconnects and draws it again.
		const gone = first.screen().length;
		shunt = await startShunt(['--upstream', simulator.url, '--port', String(port)], env);
		await waitFor(() => {
			const after = first.screen().slice(gone);
			return after.includes('north') && after.includes('south') && /up \d+s/.test(after);
		}, () => `the reconnected monitor:\n${first.screen().slice(-1500)}`, 30_000);
		first.press('s');
		await waitFor(async () => (await status(shunt!.url)).strategy === 'reaper', 's in the reconnected monitor to switch the new instance\'s strategy', 20_000);

		first.press('q');
		assert.equal(await first.exited, 0);
		assert.equal((await fetch(`${shunt.url}/_shunt/health`)).status, 200);
	} finally {
		for (const monitor of monitors) {
			if (monitor.child.exitCode === null) {
				monitor.child.kill('SIGKILL');
			}
		}

		await shunt?.stop();
		await simulator.close();
	}
});

test('shunt monitor with nothing running says so and keeps trying; without a terminal it refuses', {skip: hasScript ? false : 'needs util-linux script for a pseudo-terminal', timeout: 120_000}, async () => {
	// A port nothing listens on: bind one, then free it.
	const {createServer} = await import('node:net');
	const server = createServer();
	await new Promise<void>(resolve => {
		server.listen(0, '127.0.0.1', resolve);
	});
	const {port} = (server.address() as {port: number});
	await new Promise(resolve => {
		server.close(resolve);
	});

	const monitor = attachMonitor(port, tempDir());
	try {
		await waitFor(() => monitor.screen().includes(`shunt is not running on http://127.0.0.1:${port}; reconnecting`), () => `the not-running screen:\n${monitor.screen().slice(-1000)}`, 30_000);
		monitor.press('q');
		assert.equal(await monitor.exited, 0);
	} finally {
		if (monitor.child.exitCode === null) {
			monitor.child.kill('SIGKILL');
		}
	}

	const {runCli} = await import('../helpers/shunt-process.js');
	const piped = await runCli(['monitor', '--port', String(port)], {SHUNT_HOME: tempDir()});
	assert.equal(piped.code, 1);
	assert.match(piped.stderr, /^shunt: shunt monitor draws on a terminal/);
});
