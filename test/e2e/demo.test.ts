// covers: source/demo/, source/cli.tsx
// `shunt --demo --headless`: the built CLI runs the simulator, four accounts and synthetic traffic
// on its own, pushes an account into a cooldown, and talks to nothing but loopback.
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {existsSync, readFileSync, readdirSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {test} from 'node:test';
import {fileURLToPath} from 'node:url';
import {modelOverrideChoices} from '../../source/anthropic/models.js';
import {cliPath} from '../helpers/shunt-process.js';
import {tempDir} from '../helpers/temp-dir.js';
import {waitFor} from '../helpers/wait.js';

const recorder = fileURLToPath(new URL('../helpers/record-connections.mjs', import.meta.url));

test('the demo makes traffic flow, cools an account, touches only loopback, and leaves nothing behind', async () => {
	const home = tempDir();
	const connectionLog = path.join(tempDir(), 'connections.log');
	const demoDirsBefore = new Set(readdirSync(os.tmpdir()).filter(name => name.startsWith('shunt-demo-')));
	const child = spawn(process.execPath, ['--import', recorder, cliPath, '--demo', '--headless'], {
		// HOME and SHUNT_HOME point at an empty directory: the demo must not read or write real accounts.
		env: {...process.env, HOME: home, SHUNT_HOME: home, XDG_CONFIG_HOME: home, XDG_DATA_HOME: home, SHUNT_TEST_CONNECTION_LOG: connectionLog},
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let stderr = '';
	child.stderr.on('data', chunk => {
		stderr += String(chunk);
	});
	child.stdout.resume();
	const exited = new Promise<number | null>(resolve => {
		child.on('exit', code => resolve(code));
	});
	try {
		const url = await waitFor(() => /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr)?.[1], 'the demo to listen', 15_000);
		// A real client may use the demo: the models current Claude Code sends by default are served
		// (an unknown model would be a 404 from the simulated API). The demo's own weather may refuse a
		// request for a moment; a refusal for the model itself never passes.
		for (const model of ['claude-opus-5-5', ...modelOverrideChoices]) {
			// eslint-disable-next-line no-await-in-loop
			const answer = await waitFor(async () => {
				const response = await fetch(`${url}/v1/messages`, {
					method: 'POST',
					headers: {'content-type': 'application/json', 'anthropic-version': '2023-06-01'},
					body: JSON.stringify({model, max_tokens: 16, messages: [{role: 'user', content: 'hi'}]}),
				});
				const body = await response.json() as {model?: string; error?: {type: string; message: string}};
				assert.ok(response.status === 200 || response.status === 429 || response.status === 529, `${model}: ${response.status} ${JSON.stringify(body)}`);
				return response.status === 200 ? body : undefined;
			}, `a 200 for ${model}`, 30_000);
			assert.equal(answer.model, model, `the demo answered as ${model}`);
		}

		await waitFor(() => (stderr.match(/\s200\s/g) ?? []).length >= 5, 'several successful requests', 30_000);
		await waitFor(() => /cooling, back in \S+ \(\d\d:\d\d:\d\d\)/.test(stderr), 'an account to cool down', 60_000);
		child.kill('SIGTERM');
		assert.equal(await exited, 0, stderr.slice(-2000));
	} finally {
		if (child.exitCode === null) {
			child.kill('SIGKILL');
		}
	}

	assert.ok(existsSync(connectionLog), 'connections were recorded');
	const hosts = new Set(readFileSync(connectionLog, 'utf8').split('\n').filter(Boolean));
	assert.ok(hosts.has('127.0.0.1'), `the recorder saw the demo's own traffic: ${[...hosts].join(', ')}`);
	for (const host of hosts) {
		assert.match(host, /^(127\.\d+\.\d+\.\d+|localhost|::1)$/, `the demo connected to ${host}`);
	}

	assert.deepEqual(readdirSync(home), [], 'nothing was written to the user\'s home or SHUNT_HOME');
	const leftovers = readdirSync(os.tmpdir()).filter(name => name.startsWith('shunt-demo-') && !demoDirsBefore.has(name));
	assert.deepEqual(leftovers, [], 'the throwaway state directory is removed on exit');
});
