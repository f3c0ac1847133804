// covers: source/runtime/log-file.ts, source/runtime/runtime.ts, source/commands/logs-command.ts, source/cli.tsx
// The built CLI: a headless shunt writes its log file as it serves, and `shunt logs` prints the
// very lines the headless log printed on stderr; --json the objects; -f follows.
import process from 'node:process';
import assert from 'node:assert/strict';
import {spawn, type ChildProcess} from 'node:child_process';
import {readdirSync, readFileSync, statSync} from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';
import {shuntPaths} from '../../source/accounts/paths.js';
import {addApiKeyAccount} from '../../source/commands/account-commands.js';
import {Simulator} from '../../source/simulator/index.js';
import {cliPath, runCli, startShunt} from '../helpers/shunt-process.js';
import {tempDir} from '../helpers/temp-dir.js';
import {waitFor} from '../helpers/wait.js';

test('a headless shunt logs every request to its log file; shunt logs prints the same lines as stderr, --json the records, -f the new ones', {timeout: 120_000}, async () => {
	const simulator = new Simulator();
	await simulator.listen();
	const home = tempDir();
	const paths = shuntPaths({SHUNT_HOME: home});
	simulator.addAccount({kind: 'apikey', credential: 'key-solo-0000000000000', name: 'solo'});
	await addApiKeyAccount(paths, 'solo', 'key-solo-0000000000000');
	const env = {SHUNT_HOME: home};
	const shunt = await startShunt(['--upstream', simulator.url], env);
	let follower: ChildProcess | undefined;
	try {
		const send = async (session: string) => {
			const response = await fetch(`${shunt.url}/v1/messages`, {
				method: 'POST',
				headers: {'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-claude-code-session-id': session},
				body: JSON.stringify({model: 'claude-sonnet-4-6', max_tokens: 16, messages: [{role: 'user', content: 'hi'}]}),
			});
			assert.equal(response.status, 200);
			await response.arrayBuffer();
		};

		await send('one');
		await send('two');
		const requestLines = () => shunt.stderr().split('\n').filter(line => /\bsolo\s+sonnet-4-6\s+200\b/.test(line));
		await waitFor(() => requestLines().length === 2, 'two request lines on stderr');
		const logFile = () => readdirSync(home).find(name => /^shunt-\d{4}-\d{2}-\d{2}\.jsonl$/.test(name));
		await waitFor(() => logFile() && readFileSync(path.join(home, logFile()!), 'utf8').split('\n').filter(line => line.includes('"type":"request"')).length === 2, 'two requests in the log file');
		assert.equal(statSync(path.join(home, logFile()!)).mode & 0o777, 0o600);

		const human = await runCli(['logs'], env);
		assert.equal(human.code, 0, human.stderr);
		const printed = human.stdout.trimEnd().split('\n').filter(line => /\bsolo\s+sonnet-4-6\s+200\b/.test(line));
		assert.deepEqual(printed, requestLines(), 'the same formatter, the same lines');

		const json = await runCli(['logs', '--json', '-n', '2'], env);
		assert.equal(json.code, 0, json.stderr);
		const records = json.stdout.trimEnd().split('\n').map(line => JSON.parse(line) as {type: string; account: string; status: number; inputTokens: number});
		assert.deepEqual(records.map(entry => [entry.type, entry.account, entry.status]), [['request', 'solo', 200], ['request', 'solo', 200]]);

		// The follower prints the last lines at start (the second request among them; an event may
		// come after it), then every new one. The third request is sent only once it has printed the
		// second: until then it may not be reading yet, and would print the third among its last lines.
		follower = spawn(process.execPath, [cliPath, 'logs', '-f', '-n', '3'], {env: {...process.env, ...env}, stdio: ['ignore', 'pipe', 'pipe']});
		let followed = '';
		follower.stdout!.on('data', chunk => {
			followed += String(chunk);
		});
		const followerExited = new Promise<number | null>(resolve => {
			follower!.on('exit', code => {
				resolve(code);
			});
		});
		const followedRequests = () => followed.split('\n').filter(line => /\bsolo\s+sonnet-4-6\s+200\b/.test(line));
		await waitFor(() => followedRequests().at(-1) === requestLines()[1], () => `the follower to print the last lines:\n${followed}`, 20_000);
		const before = followedRequests().length;
		await send('three');
		await waitFor(() => followedRequests().length === before + 1, () => `the follower to print the new request:\n${followed}`, 20_000);
		follower.kill('SIGINT');
		assert.equal(await followerExited, 0, 'Ctrl-C ends following cleanly');

		const bad = await runCli(['logs', '-n', 'lots'], env);
		assert.equal(bad.code, 2);
		assert.match(bad.stderr, /^shunt: invalid --lines "lots"/);
	} finally {
		if (follower?.exitCode === null) {
			follower.kill('SIGKILL');
		}

		await shunt.stop();
		await simulator.close();
	}
});

test('shunt logs with no log yet says where it looks', async () => {
	const home = tempDir();
	const result = await runCli(['logs'], {SHUNT_HOME: home});
	assert.equal(result.code, 0);
	assert.equal(result.stdout, `no log yet in ${home}: shunt writes one line per request and event there while it runs\n`);
});
