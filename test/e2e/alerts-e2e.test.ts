// covers: source/runtime/runtime.ts, source/alerts/desktop-notifier.ts, source/commands/remote-commands.ts
// A headless shunt (the service's mode, with no terminal to ring) shows its alerts on the desktop
// through notify-send, here a stand-in first on PATH; `shunt alerts off` mutes them.
import process from 'node:process';
import assert from 'node:assert/strict';
import {
	chmodSync, existsSync, readFileSync, writeFileSync,
} from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';
import {shuntPaths} from '../../source/accounts/paths.js';
import {Simulator} from '../../source/simulator/index.js';
import {runCli, startShunt} from '../helpers/shunt-process.js';
import {tempDir} from '../helpers/temp-dir.js';
import {waitFor} from '../helpers/wait.js';

test('headless: an alert reaches notify-send; after shunt alerts off the next one does not (it is still in the log); after shunt alerts on they do again', {skip: process.platform === 'linux' ? false : 'notify-send is Linux\'s notifier', timeout: 120_000}, async () => {
	const bin = tempDir();
	const received = path.join(bin, 'received.log');
	writeFileSync(path.join(bin, 'notify-send'), `#!/bin/sh\nprintf '%s|' "$@" >> '${received}'\necho >> '${received}'\n`);
	chmodSync(path.join(bin, 'notify-send'), 0o755);
	const notifications = () => (existsSync(received) ? readFileSync(received, 'utf8').trimEnd().split('\n') : []);

	const simulator = new Simulator();
	await simulator.listen();
	const home = tempDir();
	const paths = shuntPaths({SHUNT_HOME: home});
	const tokens = {work: 'oauth-token-work-000000000', home: 'oauth-token-home-000000000', spare: 'oauth-token-spare-00000000'};
	for (const [name, token] of Object.entries(tokens)) {
		simulator.addAccount({kind: 'oauth', credential: token, name});
	}

	writeFileSync(paths.configFile, JSON.stringify({accounts: Object.keys(tokens).map(name => ({name, kind: 'oauth'})), settings: {healthCheckEnabled: false}}));
	writeFileSync(paths.credentialsFile, JSON.stringify({
		accounts: Object.fromEntries(Object.entries(tokens).map(([name, token]) => [name, {
			type: 'oauth', accessToken: token, refreshToken: `${name}-refresh`, expiresAt: Date.now() + 3_600_000,
		}])),
	}), {mode: 0o600});
	const env = {SHUNT_HOME: home, SHUNT_OAUTH_TOKEN_URL: `${simulator.url}/v1/oauth/token`, PATH: `${bin}:${process.env['PATH'] ?? ''}`};
	const shunt = await startShunt(['--upstream', simulator.url], env);
	const cli = {SHUNT_HOME: home, SHUNT_PORT: new URL(shunt.url).port};
	const spend = async (account: keyof typeof tokens) => {
		assert.equal((await runCli(['pin', account], cli)).code, 0);
		// Its 5-hour window spent for ten minutes: long enough to tell the user.
		simulator.arm(tokens[account], {type: 'quota_429', resetInSeconds: 600, times: 1});
		const response = await fetch(`${shunt.url}/v1/messages`, {method: 'POST', headers: {'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-claude-code-session-id': `spend-${account}`}, body: JSON.stringify({model: 'claude-sonnet-4-6', max_tokens: 8, messages: [{role: 'user', content: 'hi'}]})});
		await response.arrayBuffer();
	};

	try {
		await spend('work');
		await waitFor(() => notifications().length === 1, 'the desktop notification', 10_000);
		assert.match(notifications()[0]!, /^--app-name=shunt\|--\|shunt: rate limited\|work quota: cooling, back in /);

		const muted = await runCli(['alerts', 'off'], cli);
		assert.equal(muted.code, 0, muted.stderr);
		await spend('home');
		await waitFor(() => shunt.stderr().includes('[rate-limited] home quota'), 'the second alert in the log', 10_000);

		// Unmuted again, the third alert does reach the desktop. The notifier for the muted one,
		// had it been started, would have been started before this one: by the time this one has
		// arrived, so would that one.
		const unmuted = await runCli(['alerts', 'on'], cli);
		assert.equal(unmuted.code, 0, unmuted.stderr);
		await spend('spare');
		await waitFor(() => notifications().some(line => line.includes('spare quota')), 'the third desktop notification', 10_000);
		assert.equal(notifications().length, 2, notifications().join('\n'));
		assert.ok(!notifications().some(line => line.includes('home')), 'muted: no desktop notification for home');
	} finally {
		await shunt.stop();
		await simulator.close();
	}
});
