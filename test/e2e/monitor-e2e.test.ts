// covers: source/cli.tsx, source/app.tsx, source/runtime/threads/, source/monitor/panes/log/log-rows.ts, source/monitor/panes/detail/, source/monitor/panes/history/
// The built CLI with its live monitor on a real pseudo-terminal (util-linux `script`), in front of
// the simulator: traffic shows up on screen (a slow stream live while it runs), keys steer the
// proxy, Enter and Esc open and close a request's detail, NO_COLOR draws no colour, q quits cleanly.
import process from 'node:process';
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {existsSync, readFileSync} from 'node:fs';
import {test} from 'node:test';
import {shuntPaths} from '../../source/accounts/paths.js';
import {addApiKeyAccount} from '../../source/commands/account-commands.js';
import {Simulator} from '../../source/simulator/index.js';
import {cliPath} from '../helpers/shunt-process.js';
import {tempDir} from '../helpers/temp-dir.js';
import {childOf, threadsOf} from '../helpers/threads.js';
import {waitFor} from '../helpers/wait.js';

const hasScript = existsSync('/usr/bin/script');

function stripAnsi(text: string): string {
	return text.replaceAll(/\u001B\[[\d;?]*[A-Za-z]|\u001B\][^\u0007]*\u0007/g, '');
}

/**
 * The screen as last drawn, as plain lines. Ink erases the previous frame before it draws the next
 * (each line erased, then ESC[2K ESC[G), and every frame is `rows` - 1 lines: the last piece after
 * that sequence with a whole frame in it is what the terminal shows now.
 */
function lastFrame(raw: string, rows: number): string {
	const pieces = raw.split('\u001B[2K\u001B[G');
	for (let index = pieces.length - 1; index >= 0; index--) {
		const lines = stripAnsi(pieces[index]!).replaceAll('\r', '').split('\n');
		if (lines.length >= rows - 1) {
			return lines.slice(0, rows - 1).join('\n');
		}
	}

	return '';
}

type Monitor = {
	url: string;
	raw: () => string;
	frame: () => string;
	/** Waits until the screen as last drawn passes `check`; returns that screen. */
	waitForScreen(check: (frame: string) => boolean, what: string, timeoutMs?: number): Promise<string>;
	press(keys: string): void;
	simulator: Simulator;
	stateFile: string;
	quit(): Promise<number | null>;
};

/** The built CLI's monitor on a pseudo-terminal of this size, in front of a simulator with two API keys, north and south. */
async function startMonitor(columns: number, rows: number, env: NodeJS.ProcessEnv = {}): Promise<Monitor> {
	const simulator = new Simulator();
	await simulator.listen();
	const home = tempDir();
	const paths = shuntPaths({SHUNT_HOME: home});
	for (const name of ['north', 'south']) {
		simulator.addAccount({kind: 'apikey', credential: `key-${name}-0000000000000`, name});

		await addApiKeyAccount(paths, name, `key-${name}-0000000000000`);
	}

	const command = `stty cols ${columns} rows ${rows}; exec ${process.execPath} ${cliPath} --port 0 --upstream ${simulator.url}`;
	const child = spawn('script', ['-qfec', command, '/dev/null'], {
		env: {
			...process.env, SHUNT_HOME: home, TERM: 'xterm-256color', ...env,
		}, stdio: ['pipe', 'pipe', 'pipe'],
	});
	let raw = '';
	child.stdout.on('data', chunk => {
		raw += String(chunk);
	});
	const exited = new Promise<number | null>(resolve => {
		child.on('exit', code => {
			resolve(code);
		});
	});
	const frame = () => lastFrame(raw, rows);
	const stop = async () => {
		if (child.exitCode === null) {
			child.kill('SIGKILL');
		}

		await simulator.close();
	};

	try {
		const url = await waitFor(() => /http:\/\/127\.0\.0\.1:\d+/.exec(stripAnsi(raw))?.[0], 'the monitor to show its address', 15_000);
		return {
			url,
			raw: () => raw,
			frame,
			async waitForScreen(check, what, timeoutMs = 10_000) {
				return waitFor(() => {
					const current = frame();
					return check(current) ? current : undefined;
				}, () => `${what}; the screen:\n${frame()}`, timeoutMs);
			},
			press(keys) {
				child.stdin.write(keys);
			},
			simulator,
			stateFile: paths.stateFile,
			async quit() {
				child.stdin.write('q');
				const code = await Promise.race([exited, new Promise<null>(resolve => {
					setTimeout(resolve, 15_000, null);
				})]);
				await stop();
				return code;
			},
		};
	} catch (error) {
		await stop();
		throw error;
	}
}

async function post(url: string, body: Record<string, unknown>): Promise<Response> {
	return fetch(`${url}/v1/messages`, {
		method: 'POST',
		headers: {'content-type': 'application/json', 'anthropic-version': '2023-06-01'},
		body: JSON.stringify({max_tokens: 16, messages: [{role: 'user', content: 'hi'}], ...body}),
	});
}

test('the monitor renders live traffic on a real terminal, keys steer the proxy, q quits cleanly', {skip: hasScript ? false : 'needs util-linux script for a pseudo-terminal'}, async () => {
	const simulator = new Simulator();
	await simulator.listen();
	const home = tempDir();
	const paths = shuntPaths({SHUNT_HOME: home});
	for (const name of ['north', 'south']) {
		simulator.addAccount({kind: 'apikey', credential: `key-${name}-0000000000000`, name});

		await addApiKeyAccount(paths, name, `key-${name}-0000000000000`);
	}

	const command = `stty cols 120 rows 40; exec ${process.execPath} ${cliPath} --port 0 --upstream ${simulator.url}`;
	const child = spawn('script', ['-qfec', command, '/dev/null'], {
		env: {
			...process.env, SHUNT_HOME: home, TERM: 'xterm-256color', CI: 'true', CONTINUOUS_INTEGRATION: '1',
		}, stdio: ['pipe', 'pipe', 'pipe'],
	});
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
		const url = await waitFor(() => /http:\/\/127\.0\.0\.1:\d+/.exec(stripAnsi(screen))?.[0], 'the monitor to show its address', 15_000);

		assert.match(screen, /\u001B\[(?:3[0-7]|9[0-7]|38;)/, 'the monitor draws in colour, even with CI set in the environment');
		// The address is on the first line: the rest of the frame may still be on its way through the pty.
		await waitFor(() => stripAnsi(screen).includes('north') && stripAnsi(screen).includes('south'), 'both accounts on screen', 10_000);

		if (process.platform === 'linux') {
			const nodePid = childOf(child.pid!);
			const threads = threadsOf(nodePid);
			const main = threads.find(thread => thread.tid === nodePid)!;
			assert.equal(main.nice, 10, 'the drawing thread yields the CPU to the proxy');
			// Only the proxy's worker keeps normal priority: node's helper threads (garbage collection
			// for the drawing thread among them) were started at normal priority and are lowered too.
			const normal = threads.filter(thread => thread.nice === 0);
			assert.equal(normal.length, 1, `one thread at normal priority: ${JSON.stringify(threads)}`);
			assert.equal(normal[0]!.name, main.name, 'it is the proxy\'s worker (named after the process)');
			assert.ok(threads.length > 2 && threads.every(thread => thread.nice === 10 || thread === normal[0]), `every other thread lowered: ${JSON.stringify(threads)}`);
		}

		for (let index = 0; index < 3; index++) {
			const response = await fetch(`${url}/v1/messages`, {
				method: 'POST',
				headers: {'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-claude-code-session-id': `screen-${index}`},
				body: JSON.stringify({model: 'claude-sonnet-4-6', max_tokens: 16, messages: [{role: 'user', content: 'hi'}]}),
			});
			assert.equal(response.status, 200);

			await response.arrayBuffer();
		}

		await waitFor(() => /(north|south)\s+sonnet-4-6\s+200/.test(stripAnsi(screen)), 'a request row on screen', 10_000);

		child.stdin.write('m');
		await waitFor(() => stripAnsi(screen).includes('alerts muted'), 'the header to show alerts muted', 10_000);
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

test('a slow stream is a live row while it runs and its finished row takes its place; Enter opens its detail, Esc closes it', {skip: hasScript ? false : 'needs util-linux script for a pseudo-terminal'}, async () => {
	const rows = 40;
	const monitor = await startMonitor(120, rows);
	let quitCode: number | null | undefined;
	try {
		const pinned = await fetch(`${monitor.url}/_shunt/pin`, {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify({account: 'north'})});
		assert.equal(pinned.status, 200);
		// The stream sends its first words, then nothing but pings for three seconds.
		monitor.simulator.arm('key-north-0000000000000', {type: 'stall', afterDeltas: 1, ms: 3000});
		const response = await post(monitor.url, {model: 'claude-opus-4-8', stream: true});
		assert.equal(response.status, 200);
		const body = response.text();

		const live = await monitor.waitForScreen(frame => /north\s+opus-4-8\s+▸ stream/.test(frame), 'the stream as a live row');
		const liveLines = live.split('\n');
		const at = liveLines.findIndex(line => /north\s+opus-4-8\s+▸ stream/.test(line));
		assert.match(liveLines[at]!, /first token after \d+(ms|\.\ds)/, `time to first token: ${liveLines[at]}`);
		const arrived = /^\s*(\d\d:\d\d:\d\d)\s/.exec(liveLines[at]!)?.[1];
		assert.ok(arrived, `the live row starts with its arrival time: ${liveLines[at]}`);
		assert.match(live, /in-flight 1/);

		assert.match(await body, /message_stop/);
		const done = await monitor.waitForScreen(frame => /north\s+opus-4-8\s+200/.test(frame), 'the finished row');
		const doneLines = done.split('\n');
		assert.equal(doneLines.findIndex(line => /north\s+opus-4-8\s+200/.test(line)), at, `in the live row's place:\n${done}`);
		assert.match(doneLines[at]!, new RegExp(String.raw`^\s*${arrived}\s+north\s+opus-4-8\s+200\s`));
		assert.doesNotMatch(done, /▸ stream/);
		assert.equal(doneLines.filter(line => line.includes('opus-4-8')).length, 1, 'shown once');
		const duration = Number(/\s(\d+\.\d)s\s*$/.exec(doneLines[at]!)?.[1] ?? /\s(\d+\.\d)s\s/.exec(doneLines[at]!)?.[1]);
		assert.ok(duration >= 3, `it took the stall's three seconds: ${doneLines[at]}`);

		const {recentRequests} = await (await fetch(`${monitor.url}/_shunt/status`)).json() as {recentRequests: Array<{id: string}>};
		monitor.press('\t');
		await monitor.waitForScreen(frame => /^▸\s+\d\d:\d\d:\d\d\s+north\s+opus-4-8/m.test(frame), 'the log to have the focus, the stream selected');
		monitor.press('\r');
		const detail = await monitor.waitForScreen(frame => frame.includes('why this account'), 'the detail view');
		assert.match(detail, new RegExp(`request ${recentRequests[0]!.id}`));
		assert.match(detail, /decided by\s+the pin \(0 unpins\)/);
		assert.match(detail, /▸ north\s+✓ chosen/);
		assert.match(detail, /south\s+✓ eligible/);
		assert.match(detail, /first byte after/);
		assert.match(detail, /200 north\s+complete/);
		assert.match(detail.split('\n').at(-1)!, /esc closes the detail/);
		assert.doesNotMatch(detail, /requests & events/);

		monitor.press('\u001B');
		const closed = await monitor.waitForScreen(frame => frame.includes('requests & events') && !frame.includes('why this account'), 'the detail to close');
		assert.match(closed, /north\s+opus-4-8\s+200/);
	} finally {
		quitCode = await monitor.quit();
	}

	assert.equal(quitCode, 0);
});

test('NO_COLOR: no colour codes at all, while the symbols and words still say what is going on', {skip: hasScript ? false : 'needs util-linux script for a pseudo-terminal'}, async () => {
	const monitor = await startMonitor(120, 40, {NO_COLOR: '1'});
	let quitCode: number | null | undefined;
	try {
		monitor.simulator.arm('key-north-0000000000000', {type: 'quota_429', resetInSeconds: 600});
		monitor.simulator.arm('key-south-0000000000000', {type: 'quota_429', resetInSeconds: 600});
		const refused = await post(monitor.url, {model: 'claude-sonnet-4-6'});
		assert.equal(refused.status, 429);
		await refused.arrayBuffer();
		const screen = await monitor.waitForScreen(frame => /shunt\s+sonnet-4-6\s+429/.test(frame) && frame.includes('accounts out') && frame.includes('rate limit: cooling'), 'the refusal, its events and the banner');
		// API keys have no plan windows: their drained buckets cool them.
		assert.match(screen, /↻\s+north\s.*spent/, 'the state symbol and the gauge word, not just a red bar');
		assert.match(screen, /↻\s+south\s.*spent/);
		assert.match(screen, /cooling \(rate limit\) · back in \S+ \(\d\d:\d\d:\d\d\)/);
		assert.match(screen, /all 2 accounts out\s+next back: (north|south) in/);
		assert.match(screen, /shunt\s+sonnet-4-6\s+429 error\s.*429 (north|south) → 429 (north|south)/);
		assert.match(screen, /↻ (north|south) rate limit: cooling/, 'event symbols');
	} finally {
		quitCode = await monitor.quit();
	}

	assert.equal(quitCode, 0);
	// SGR codes that set a foreground or background colour: 30–37, 38;…, 39, 40–47, 48;…, 49, 90–97, 100–107.

	const colour = /\u001B\[(?:\d+;)*(?:3\d|4\d|9[0-7]|10[0-7])(?:;\d+)*m/;
	assert.doesNotMatch(monitor.raw(), colour, 'NO_COLOR is honoured');
	assert.match(monitor.raw(), /✓|∅/, 'the symbols are drawn');
});

test('the history pane on a real terminal without colour: each account\'s tokens in its own symbol, [ ] switch its window, h hides it', {skip: hasScript ? false : 'needs util-linux script for a pseudo-terminal'}, async () => {
	const monitor = await startMonitor(120, 40, {NO_COLOR: '1'});
	let quitCode: number | null | undefined;
	try {
		for (const [account, requests] of [['north', 2], ['south', 1]] as const) {
			assert.equal((await fetch(`${monitor.url}/_shunt/pin`, {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify({account})})).status, 200);
			for (let index = 0; index < requests; index++) {
				const response = await post(monitor.url, {model: 'claude-sonnet-4-6'});
				assert.equal(response.status, 200);

				await response.arrayBuffer();
			}
		}

		// The pane reads history.db every few seconds: wait for both accounts' tokens in the chart.
		const screen = await monitor.waitForScreen(frame => {
			const lines = frame.split('\n');
			const title = lines.findIndex(line => /^── history .* 1h · tokens a bar of 1m/.test(line));
			const axis = lines.findIndex(line => /^ {4}0 └/.test(line));
			const plot = title !== -1 && axis > title ? lines.slice(title + 1, axis).join('\n') : '';
			return plot.includes('█') && plot.includes('▓') && /^█ north +\d/m.test(frame) && /^▓ south +\d/m.test(frame);
		}, 'the chart with north and south stacked, and its legend', 20_000);
		assert.match(screen, /-10m +now\n/, 'time labels');
		assert.match(screen, /^ {2}pool +\d/m);

		monitor.press(']');
		await monitor.waitForScreen(frame => /── history .* 6h · tokens a bar of 10m/.test(frame), 'the 6h window');
		monitor.press('h');
		const hidden = await monitor.waitForScreen(frame => !frame.includes('── history') && frame.includes('requests & events'), 'the pane hidden');
		assert.match(hidden, /h history/, 'the footer says how to bring it back');
		monitor.press('h');
		await monitor.waitForScreen(frame => /── history .* 6h · tokens a bar of 10m/.test(frame), 'the pane back, on the window it had');
	} finally {
		quitCode = await monitor.quit();
	}

	assert.equal(quitCode, 0);

	assert.doesNotMatch(monitor.raw(), /\u001B\[(?:\d+;)*(?:3\d|4\d|9[0-7]|10[0-7])(?:;\d+)*m/, 'NO_COLOR is honoured');
});
