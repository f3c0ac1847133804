// covers: source/cli.tsx, source/app.tsx, source/runtime/threads/
// The built CLI with its live monitor on a real pseudo-terminal (util-linux `script`), in front of
// the simulator: traffic shows up on screen, keys steer the proxy, q quits cleanly.
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {existsSync, readdirSync, readFileSync} from 'node:fs';
import {test} from 'node:test';
import {shuntPaths} from '../../source/accounts/paths.js';
import {addApiKeyAccount} from '../../source/commands/account-commands.js';
import {Simulator} from '../../source/simulator/index.js';
import {cliPath} from '../helpers/shunt-process.js';
import {tempDir} from '../helpers/temp-dir.js';
import {waitFor} from '../helpers/wait.js';

const hasScript = existsSync('/usr/bin/script');

type ThreadInfo = {tid: number; name: string; nice: number};

/** The threads of a process with their names and nice values, from /proc (Linux). */
function threadsOf(pid: number): ThreadInfo[] {
	return readdirSync(`/proc/${pid}/task`).map(tid => {
		const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
		// Fields after "(name) " start at field 3; nice is field 19.
		const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
		return {tid: Number(tid), name: readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim(), nice: Number(fields[16])};
	});
}

function stripAnsi(text: string): string {
	// eslint-disable-next-line no-control-regex
	return text.replaceAll(/\u001B\[[\d;?]*[A-Za-z]|\u001B\][^\u0007]*\u0007/g, '');
}

test('the monitor renders live traffic on a real terminal, keys steer the proxy, q quits cleanly', {skip: hasScript ? false : 'needs util-linux script for a pseudo-terminal'}, async () => {
	const simulator = new Simulator();
	await simulator.listen();
	const home = tempDir();
	const paths = shuntPaths({SHUNT_HOME: home});
	for (const name of ['north', 'south']) {
		simulator.addAccount({kind: 'apikey', credential: `key-${name}-0000000000000`, name});
		// eslint-disable-next-line no-await-in-loop
		await addApiKeyAccount(paths, name, `key-${name}-0000000000000`);
	}

	const command = `stty cols 120 rows 40; exec ${process.execPath} ${cliPath} --port 0 --upstream ${simulator.url}`;
	const child = spawn('script', ['-qfec', command, '/dev/null'], {env: {...process.env, SHUNT_HOME: home, TERM: 'xterm-256color', CI: 'true', CONTINUOUS_INTEGRATION: '1'}, stdio: ['pipe', 'pipe', 'pipe']});
	let screen = '';
	child.stdout.on('data', chunk => {
		screen += String(chunk);
	});
	const exited = new Promise<number | null>(resolve => {
		child.on('exit', code => resolve(code));
	});
	try {
		const url = await waitFor(() => /http:\/\/127\.0\.0\.1:\d+/.exec(stripAnsi(screen))?.[0], 'the monitor to show its address', 15_000);
		// eslint-disable-next-line no-control-regex
		assert.match(screen, /\u001B\[(?:3[0-7]|9[0-7]|38;)/, 'the monitor draws in colour, even with CI set in the environment');
		assert.match(stripAnsi(screen), /north/);
		assert.match(stripAnsi(screen), /south/);

		if (process.platform === 'linux') {
			// script runs the command through a shell that execs node: node is script's only child.
			const nodePid = Number(readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(' ')[0]);
			const threads = threadsOf(nodePid);
			const main = threads.find(thread => thread.tid === nodePid)!;
			assert.equal(main.nice, 10, 'the drawing thread yields the CPU to the proxy');
			// The proxy's worker was started by the main thread before it lowered its own priority.
			assert.ok(threads.some(thread => thread.tid !== nodePid && thread.name === main.name && thread.nice === 0), `the proxy thread keeps normal priority: ${JSON.stringify(threads)}`);
		}

		for (let index = 0; index < 3; index++) {
			// eslint-disable-next-line no-await-in-loop
			const response = await fetch(`${url}/v1/messages`, {
				method: 'POST',
				headers: {'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-claude-code-session-id': `screen-${index}`},
				body: JSON.stringify({model: 'claude-sonnet-4-6', max_tokens: 16, messages: [{role: 'user', content: 'hi'}]}),
			});
			assert.equal(response.status, 200);
			// eslint-disable-next-line no-await-in-loop
			await response.arrayBuffer();
		}

		await waitFor(() => /(north|south)\s+sonnet-4-6\s+200/.test(stripAnsi(screen)), 'a request row on screen', 10_000);

		child.stdin.write('m');
		await waitFor(() => /alerts muted/.test(stripAnsi(screen)), 'the header to show alerts muted', 10_000);
		const muted = await (await fetch(`${url}/_shunt/status`)).json() as {alertsMuted: boolean};
		assert.equal(muted.alertsMuted, true, 'the key changed the proxy, not just the screen');

		child.stdin.write('2');
		await waitFor(async () => ((await (await fetch(`${url}/_shunt/status`)).json()) as {pinnedAccount: string | null}).pinnedAccount === 'south', 'pin to the second account');

		child.stdin.write('q');
		const code = await exited;
		assert.equal(code, 0);
		const state = JSON.parse(readFileSync(paths.stateFile, 'utf8')) as {pinnedAccount: string};
		assert.equal(state.pinnedAccount, 'south', 'state was flushed on quit');
		const lastLine = stripAnsi(screen).trimEnd().split(/\r?\n/).at(-1)!;
		assert.equal(lastLine.trim(), `shunt stopped; state saved to ${paths.stateFile}`, 'quitting says where state went, below the screen');
	} finally {
		if (child.exitCode === null) {
			child.kill('SIGKILL');
		}

		await simulator.close();
	}
});
