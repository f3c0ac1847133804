// covers: source/commands/remote-commands.ts, source/commands/statusline-command.ts, source/commands/control-client.ts, source/cli.tsx
// Every key of the monitor as a command against a running headless shunt (model, effort,
// burst-limit, fallback, alerts, pause, resume, strategy default), and `shunt statusline`: one line
// whatever happens, exit 0, quickly even when what answers on the port hangs.
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import net from 'node:net';
import {test} from 'node:test';
import {shuntPaths} from '../../source/accounts/paths.js';
import {addApiKeyAccount} from '../../source/commands/account-commands.js';
import {statusLine} from '../../source/commands/statusline-command.js';
import {Simulator} from '../../source/simulator/index.js';
import {runCli, startShunt} from '../helpers/shunt-process.js';
import {tempDir} from '../helpers/temp-dir.js';

type Status = {modelOverride: string | null; effortOverride: string | null; burstRpmLimit: number; fallbackModel: string | null; alertsMuted: boolean; strategy: string; strategyOverridden: boolean; accounts: Array<{name: string; state: string}>};

test('the monitor\'s keys as commands: each changes the running shunt, prints the new value, and without a value prints the current one', {timeout: 120_000}, async () => {
	const simulator = new Simulator();
	await simulator.listen();
	const home = tempDir();
	const paths = shuntPaths({SHUNT_HOME: home});
	for (const name of ['north', 'south']) {
		simulator.addAccount({kind: 'apikey', credential: `key-${name}-0000000000000`, name});

		await addApiKeyAccount(paths, name, `key-${name}-0000000000000`);
	}

	const shunt = await startShunt(['--upstream', simulator.url], {SHUNT_HOME: home});
	const env = {SHUNT_HOME: home, SHUNT_PORT: new URL(shunt.url).port};
	const status = async () => (await fetch(`${shunt.url}/_shunt/status`)).json() as Promise<Status>;
	const cli = async (...args: string[]) => {
		const result = await runCli(args, env);
		assert.equal(result.code, 0, `${args.join(' ')}: ${result.stderr}`);
		return result.stdout.trim();
	};

	try {
		assert.equal(await cli('model'), 'Model override: off (each request keeps its own model).');
		assert.equal(await cli('model', 'claude-haiku-4-5'), 'Model override: claude-haiku-4-5.');
		assert.equal((await status()).modelOverride, 'claude-haiku-4-5');
		assert.equal(await cli('model'), 'Model override: claude-haiku-4-5.');
		await cli('model', 'auto');
		assert.equal((await status()).modelOverride, null);

		assert.equal(await cli('effort', 'max'), 'Effort override: max.');
		assert.equal((await status()).effortOverride, 'max');
		await cli('effort', 'auto');
		assert.equal((await status()).effortOverride, null);

		assert.equal(await cli('burst-limit'), 'Burst limit: 10 requests per minute per subscription account (the configured default).');
		assert.equal(await cli('burst-limit', '25'), 'Burst limit: 25 requests per minute per subscription account.');
		assert.equal((await status()).burstRpmLimit, 25);
		assert.equal(await cli('burst-limit', 'off'), 'Burst limit: off.');
		assert.equal((await status()).burstRpmLimit, 0);
		await cli('burst-limit', 'default');
		assert.equal((await status()).burstRpmLimit, 10);

		assert.match(await cli('fallback', 'off'), /^Fallback: off/);
		assert.equal((await status()).fallbackModel, 'off');
		assert.equal(await cli('fallback', 'claude-haiku-4-5'), 'Fallback: claude-haiku-4-5.');
		assert.match(await cli('fallback', 'auto'), /^Fallback: automatic/);
		assert.equal((await status()).fallbackModel, null);

		assert.match(await cli('alerts', 'off'), /^Alerts: off/);
		assert.equal((await status()).alertsMuted, true);
		assert.equal(await cli('alerts', 'on'), 'Alerts: on.');
		assert.equal((await status()).alertsMuted, false);

		assert.match(await cli('pause', 'north'), /^Paused north/);
		assert.equal((await status()).accounts.find(account => account.name === 'north')!.state, 'paused');
		const routed = await fetch(`${shunt.url}/v1/messages`, {method: 'POST', headers: {'content-type': 'application/json', 'anthropic-version': '2023-06-01'}, body: JSON.stringify({model: 'claude-sonnet-4-6', max_tokens: 8, messages: [{role: 'user', content: 'hi'}]})});
		assert.equal(routed.headers.get('x-shunt-account'), 'south', 'the next request skips the paused account');
		await routed.arrayBuffer();
		assert.equal(await cli('resume', 'north'), 'Resumed north.');
		assert.equal((await status()).accounts.find(account => account.name === 'north')!.state, 'available');

		await cli('strategy', 'carousel');
		assert.equal((await status()).strategyOverridden, true);
		assert.equal(await cli('strategy', 'default'), 'Strategy: maximus (the configured default).');
		const back = await status();
		assert.deepEqual([back.strategy, back.strategyOverridden], ['maximus', false]);

		// Mistakes are one line each; nothing is sent for a value that cannot be right.
		for (const [args, code, message] of [
			[['effort', 'extreme'], 2, /^shunt: invalid effort "extreme"; choose one of low, medium, high, max, or auto/],
			[['burst-limit', '-3'], 2, /^shunt: invalid burst limit "-3"/],
			[['burst-limit', '100001'], 2, /^shunt: invalid burst limit "100001"/],
			[['alerts', 'maybe'], 2, /^shunt: invalid alerts setting "maybe"; use on or off/],
			[['pause'], 2, /^shunt: usage: shunt pause <account>/],
			[['pause', 'nobody'], 1, /^shunt: unknown account "nobody"/],
		] as const) {
			const result = await runCli([...args], env);
			assert.equal(result.code, code, args.join(' '));
			assert.match(result.stderr, message);
		}
	} finally {
		await shunt.stop();
		await simulator.close();
	}
});

test('shunt statusline: one line with the serving account, headroom and the next reset; a clear line when shunt is down; exit 0 always', {timeout: 120_000}, async () => {
	const simulator = new Simulator();
	await simulator.listen();
	const home = tempDir();
	const paths = shuntPaths({SHUNT_HOME: home});
	simulator.addAccount({
		kind: 'oauth', credential: 'oauth-token-work-000000000', name: 'work', utilization5h: 0.3, utilization7d: 0.1,
	});
	simulator.addAccount({
		kind: 'oauth', credential: 'oauth-token-home-000000000', name: 'home', utilization5h: 0.7, utilization7d: 0.2,
	});
	const {writeFileSync} = await import('node:fs');
	// Two subscription accounts with their tokens, as an import would leave them.
	writeFileSync(paths.configFile, JSON.stringify({accounts: [{name: 'work', kind: 'oauth'}, {name: 'home', kind: 'oauth'}], settings: {healthCheckEnabled: false}}));
	writeFileSync(paths.credentialsFile, JSON.stringify({
		accounts: {
			work: {
				type: 'oauth', accessToken: 'oauth-token-work-000000000', refreshToken: 'refresh-secret-work', expiresAt: Date.now() + 3_600_000,
			},
			home: {
				type: 'oauth', accessToken: 'oauth-token-home-000000000', refreshToken: 'refresh-secret-home', expiresAt: Date.now() + 3_600_000,
			},
		},
	}), {mode: 0o600});
	const shunt = await startShunt(['--upstream', simulator.url], {SHUNT_HOME: home, SHUNT_OAUTH_TOKEN_URL: `${simulator.url}/v1/oauth/token`});
	const {port} = new URL(shunt.url);
	try {
		const response = await fetch(`${shunt.url}/v1/messages`, {method: 'POST', headers: {'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-claude-code-session-id': 'status-line'}, body: JSON.stringify({model: 'claude-sonnet-4-6', max_tokens: 8, messages: [{role: 'user', content: 'hi'}]})});
		assert.equal(response.status, 200);
		const served = response.headers.get('x-shunt-account');
		await response.arrayBuffer();

		const line = await runCli(['statusline', '--port', port], {SHUNT_HOME: home});
		assert.equal(line.code, 0);
		assert.equal(line.stdout.split('\n').length, 2, 'one line');
		assert.match(line.stdout, new RegExp(String.raw`^shunt · ${served} · 2/2 ready · \d+% left · 5h resets in \d+h\d{2}m\n$`));
		for (const secret of ['oauth-token-work', 'oauth-token-home', 'refresh-secret']) {
			assert.ok(!`${line.stdout}${line.stderr}`.includes(secret), 'no credential in the line');
		}

		// Directly: a loopback call, well under 100 ms on a running shunt.
		const started = performance.now();
		const direct = await statusLine({host: '127.0.0.1', port: Number(port)});
		const took = performance.now() - started;
		assert.match(direct, /^shunt · /);
		assert.ok(took < 100, `statusLine took ${took.toFixed(1)} ms`);
	} finally {
		await shunt.stop();
		await simulator.close();
	}

	const down = await runCli(['statusline', '--port', port], {SHUNT_HOME: home});
	assert.equal(down.code, 0);
	assert.equal(down.stdout, `shunt: not running on http://127.0.0.1:${port}\n`);

	// Something that takes the connection and never answers: the line still comes, in time.
	const silent = net.createServer(() => undefined);
	await new Promise<void>(resolve => {
		silent.listen(0, '127.0.0.1', resolve);
	});
	try {
		const silentPort = String((silent.address() as net.AddressInfo).port);
		const started = Date.now();
		const hung = await runCli(['statusline', '--port', silentPort], {SHUNT_HOME: home});
		assert.equal(hung.code, 0);
		assert.equal(hung.stdout, `shunt: not running on http://127.0.0.1:${silentPort}\n`);
		assert.ok(Date.now() - started < 5000, 'the 300 ms timeout, plus starting node');
	} finally {
		silent.close();
	}

	const badPort = await runCli(['statusline'], {SHUNT_HOME: home, SHUNT_PORT: 'eighty'});
	assert.equal(badPort.code, 0, 'even a broken SHUNT_PORT is a line, not a failed status line');
	assert.match(badPort.stdout, /^shunt: invalid SHUNT_PORT "eighty"/);
});

test('the readme shows shunt --help exactly as it is', async () => {
	const help = await runCli(['--help'], {SHUNT_HOME: tempDir()});
	const readme = readFileSync(new URL('../../readme.md', import.meta.url), 'utf8');
	const block = /\$ shunt --help\n```\n```\n([\s\S]*?)```/.exec(readme)?.[1];
	assert.ok(block, 'the readme has the help block');
	assert.equal(block, help.stdout);
});
