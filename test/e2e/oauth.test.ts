// covers: source/cli.tsx, source/commands/oauth-commands.ts, source/accounts/oauth/
// End to end, through the built CLI, against the simulator on 127.0.0.1:
// importing Claude Code's login, refreshing it on first use and writing it back, one refresh for
// ten concurrent 401s, reauth on a dead refresh token, the browser paste flow, import errors, and
// that no command output or log line ever carries a whole token.
import process from 'node:process';
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import {
	chmodSync, existsSync, readFileSync, statSync, writeFileSync,
} from 'node:fs';
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import path from 'node:path';
import {
	after, before, describe, test,
} from 'node:test';
import {ShuntConfig} from '../../source/accounts/config.js';
import type {StatusDocument} from '../../source/proxy/status-document.js';
import {Simulator, simClientId} from '../../source/simulator/index.js';
import {
	cliPath, runCli, startShunt, type Completed, type ShuntProcess,
} from '../helpers/shunt-process.js';
import {tempDir} from '../helpers/temp-dir.js';
import {waitFor} from '../helpers/wait.js';

let sim: Simulator;
/** Every token any test handed out or received, and everything any command printed. */
const tokens = new Set<string>();
const outputs: Array<{what: string; text: string}> = [];
const running: ShuntProcess[] = [];

before(async () => {
	sim = new Simulator({chunkDelayMs: 2});
	await sim.listen();
});

after(async () => {
	for (const shunt of running) {
		await shunt.stop('SIGKILL');
	}

	await sim?.close();
});

function freshPair(label: string, expiresAt: number) {
	const tag = `${label}-${randomBytes(12).toString('base64url')}`;
	const pair = {accessToken: `sk-ant-oat01-${tag}`, refreshToken: `sk-ant-ort01-${tag}`, expiresAt};
	tokens.add(pair.accessToken);
	tokens.add(pair.refreshToken);
	return pair;
}

/** Remembers the chain's current tokens for the leak check. */
function remember(login: string) {
	const state = sim.oauthLogin(login);
	tokens.add(state.accessToken);
	tokens.add(state.refreshToken);
	return state;
}

type Env = Record<string, string>;

/** Every path a command could reach is a temp dir or the simulator: nothing leaves 127.0.0.1. */
function environment(): {env: Env; home: string; claudeDir: string} {
	const home = tempDir('shunt-oauth-home-');
	const claudeDir = tempDir('shunt-oauth-claude-');
	const env = {
		SHUNT_HOME: home,
		SHUNT_OAUTH_TOKEN_URL: `${sim.url}/v1/oauth/token`,
		SHUNT_UPSTREAM_URL: sim.url,
		CLAUDE_CONFIG_DIR: claudeDir,
		HOME: tempDir('shunt-oauth-user-'),
		BROWSER: 'none',
	};
	return {env, home, claudeDir};
}

async function cli(args: string[], env: Env, input?: string) {
	const result = await runCli(args, env, input);
	outputs.push({what: `shunt ${args.join(' ')} (stdout)`, text: result.stdout}, {what: `shunt ${args.join(' ')} (stderr)`, text: result.stderr});
	return result;
}

async function start(env: Env, home: string): Promise<ShuntProcess> {
	// No per-minute pacing and no health checks: these tests count requests exactly.
	const config = new ShuntConfig(home);
	config.setSetting('burstRpmLimit', 0);
	config.setSetting('healthCheckEnabled', false);
	const shunt = await startShunt(['--upstream', sim.url], env);
	running.push(shunt);
	return shunt;
}

async function stop(shunt: ShuntProcess) {
	await shunt.stop();
	outputs.push({what: 'shunt --headless (stderr)', text: shunt.stderr()});
}

function writeClaudeCodeLogin(claudeDir: string, pair: {accessToken: string; refreshToken: string; expiresAt: number}, mode = 0o600): string {
	const file = path.join(claudeDir, '.credentials.json');
	writeFileSync(file, JSON.stringify({
		claudeAiOauth: {
			...pair, scopes: ['user:inference', 'user:profile', 'user:sessions:claude_code'], subscriptionType: 'max', rateLimitTier: 'default_claude_max_5x',
		},
		mcpOAuth: {'github|4e1f': {serverName: 'github', accessToken: 'mcp-token-kept-as-is', expiresAt: 1_900_000_000_000}},
	}), {mode});
	chmodSync(file, mode);
	return file;
}

async function ask(shunt: ShuntProcess, init: {stream?: boolean; session?: string} = {}) {
	const response = await fetch(`${shunt.url}/v1/messages`, {
		method: 'POST',
		headers: {'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-claude-code-session-id': init.session ?? randomBytes(4).toString('hex')},
		body: JSON.stringify({
			model: 'claude-sonnet-4-6', max_tokens: 16, stream: init.stream ?? false, messages: [{role: 'user', content: 'hello'}],
		}),
	});
	return {status: response.status, account: response.headers.get('x-shunt-account'), body: await response.text()};
}

async function status(shunt: ShuntProcess): Promise<StatusDocument> {
	return await (await fetch(`${shunt.url}/_shunt/status`)).json() as StatusDocument;
}

describe('import-claude-code', () => {
	test('an expired imported login is refreshed by the first request, which then succeeds; the new pair goes back into the source file', async () => {
		const {env, home, claudeDir} = environment();
		const held = freshPair('import', Date.now() - 60_000);
		const login = sim.addOAuthLogin({
			...held, expiresAtMs: held.expiresAt, email: 'cc@example.com', name: 'import-chain', limits: {utilization5h: 0.2},
		});
		const file = writeClaudeCodeLogin(claudeDir, held);

		const imported = await cli(['import-claude-code', 'cc'], env);
		assert.equal(imported.code, 0, imported.stderr);
		assert.match(imported.stdout, /Imported Claude Code's login as "cc" \(max, .*token sk-ant-oat…, access token expired/);
		assert.match(imported.stdout, /writes each new token back to/);
		const accounts = JSON.parse((await cli(['accounts', '--json'], env)).stdout) as Array<{name: string; kind: string; plan: string; source: string}>;
		assert.deepEqual(accounts.map(account => [account.name, account.kind, account.plan, account.source]), [['cc', 'oauth', 'max', file]]);

		const shunt = await start(env, home);
		const reply = await ask(shunt);
		assert.equal(reply.status, 200, reply.body);
		assert.equal(reply.account, 'cc');
		const chain = remember(login);
		assert.equal(chain.refreshes, 1);

		const written = JSON.parse(readFileSync(file, 'utf8')) as {claudeAiOauth: Record<string, unknown>; mcpOAuth: unknown};
		assert.equal(written.claudeAiOauth['accessToken'], chain.accessToken);
		assert.equal(written.claudeAiOauth['refreshToken'], chain.refreshToken);
		assert.ok((written.claudeAiOauth['expiresAt'] as number) > Date.now() + (7 * 3_600_000));
		assert.deepEqual(written.claudeAiOauth['scopes'], ['user:inference', 'user:profile', 'user:sessions:claude_code']);
		assert.equal(written.claudeAiOauth['subscriptionType'], 'max');
		assert.equal(written.claudeAiOauth['rateLimitTier'], 'default_claude_max_5x');
		assert.deepEqual(written.mcpOAuth, {'github|4e1f': {serverName: 'github', accessToken: 'mcp-token-kept-as-is', expiresAt: 1_900_000_000_000}});
		assert.equal(statSync(file).mode & 0o777, 0o600);
		const stored = JSON.parse(readFileSync(path.join(home, 'credentials.json'), 'utf8')) as {accounts: Record<string, {accessToken: string; refreshToken: string}>};
		assert.equal(stored.accounts['cc']?.refreshToken, chain.refreshToken);
		assert.equal(statSync(path.join(home, 'credentials.json')).mode & 0o777, 0o600);

		const streamed = await ask(shunt, {stream: true});
		assert.equal(streamed.status, 200);
		assert.equal(remember(login).refreshes, 1, 'a fresh token is not refreshed again');
		await stop(shunt);
	});

	test('a forced expiry under 10 concurrent requests: exactly one refresh, all succeed', async () => {
		const {env, home, claudeDir} = environment();
		const held = freshPair('burst', Date.now() + (8 * 3_600_000));
		const login = sim.addOAuthLogin({...held, expiresAtMs: held.expiresAt, name: 'burst-chain'});
		writeClaudeCodeLogin(claudeDir, held);
		assert.equal((await cli(['import-claude-code'], env)).code, 0);
		const shunt = await start(env, home);
		assert.equal((await ask(shunt)).status, 200);

		// Upstream expires the token early; shunt still thinks it has hours left.
		sim.expireToken(held.accessToken);
		const replies = await Promise.all(Array.from({length: 10}, async (_, index) => ask(shunt, {session: `burst-${index}`, stream: index % 2 === 0})));
		assert.deepEqual(replies.map(reply => reply.status), Array.from({length: 10}, () => 200));
		assert.ok(replies.every(reply => reply.account === 'claude-code'));
		const chain = remember(login);
		assert.equal(chain.refreshCalls, 1);
		assert.equal(chain.refreshes, 1);
		const unauthorized = sim.requests.filter(entry => entry.path === '/v1/messages' && entry.status === 401);
		assert.ok(unauthorized.length > 0 && unauthorized.length <= 10);
		await stop(shunt);
	});

	test('a reused refresh token puts the account in reauth with its fix hint: no crash, no loop', async () => {
		const {env, home, claudeDir} = environment();
		const held = freshPair('reused', Date.now() - 60_000);
		const login = sim.addOAuthLogin({...held, expiresAtMs: held.expiresAt, name: 'reused-chain'});
		// Something else rotated this chain already: the refresh token in the file is spent.
		const rotated = await fetch(`${sim.url}/v1/oauth/token`, {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify({grant_type: 'refresh_token', refresh_token: held.refreshToken, client_id: simClientId})});
		assert.equal(rotated.status, 200);
		remember(login);
		writeClaudeCodeLogin(claudeDir, held);
		assert.equal((await cli(['import-claude-code', 'work'], env)).code, 0);

		const shunt = await start(env, home);
		const first = await ask(shunt);
		assert.notEqual(first.status, 200);
		const document = await waitFor(async () => {
			const current = await status(shunt);
			return current.accounts[0]?.state === 'reauth' ? current : undefined;
		}, 'the account to be in reauth');
		assert.equal(document.accounts[0]?.fixHint, 'shunt add-account work');
		assert.ok(document.events.some(event => /invalid_grant.*run: shunt add-account work/.test(event.message)));

		for (let index = 0; index < 5; index++) {
			const reply = await ask(shunt);
			assert.notEqual(reply.status, 200);
			assert.match(reply.body, /shunt add-account work/);
		}

		assert.equal((await fetch(`${shunt.url}/_shunt/health`)).status, 200, 'still running');
		assert.equal(sim.oauthLogin(login).refreshCalls - 1, 1, 'shunt sent the dead refresh token once');
		assert.equal(shunt.child.exitCode, null);
		// The headless log is written in batches, a tenth of a second apart.
		await waitFor(() => shunt.stderr().includes('run: shunt add-account work') || undefined, 'the reauth hint in the log');
		await stop(shunt);
	});

	test('import errors are clear and change nothing', async () => {
		const {env, home, claudeDir} = environment();
		const file = path.join(claudeDir, '.credentials.json');
		const expectFailure = async (args: string[], pattern: RegExp) => {
			const result = await cli(args, env);
			assert.equal(result.code, 1, `${args.join(' ')}: ${result.stdout}`);
			assert.match(result.stderr, pattern);
			assert.equal(existsSync(path.join(home, 'credentials.json')), false, 'no secret written');
			const config = path.join(home, 'config.json');
			assert.ok(!existsSync(config) || !/"accounts":\s*\[\s*\{/.test(readFileSync(config, 'utf8')), 'no account written');
		};

		await expectFailure(['import-claude-code'], /no Claude Code login found: .*\.credentials\.json does not exist/);
		writeFileSync(file, '{"claudeAiOauth": {', {mode: 0o600});
		await expectFailure(['import-claude-code'], /is not valid JSON/);
		writeFileSync(file, JSON.stringify({primaryApiKey: 'x'}));
		await expectFailure(['import-claude-code'], /has no "claudeAiOauth" login/);
		writeFileSync(file, JSON.stringify({claudeAiOauth: {accessToken: 'sk-ant-oat01-only-access-token-here', expiresAt: 1}}));
		await expectFailure(['import-claude-code'], /has no refreshToken/);
		await expectFailure(['import-claude-code', 'bad name!'], /invalid account name/);
		if (process.getuid?.() !== 0) {
			writeClaudeCodeLogin(claudeDir, freshPair('unreadable', Date.now()));
			chmodSync(file, 0o000);
			await expectFailure(['import-claude-code'], /cannot read .*\.credentials\.json: EACCES/);
			chmodSync(file, 0o600);
		}

		// A duplicate name: the first import stands, the second changes nothing.
		const held = freshPair('dup', Date.now() + 3_600_000);
		writeClaudeCodeLogin(claudeDir, held);
		assert.equal((await cli(['import-claude-code', 'one'], env)).code, 0);
		const credentialsBefore = readFileSync(path.join(home, 'credentials.json'), 'utf8');
		const duplicate = await cli(['import-claude-code', 'one'], env);
		assert.equal(duplicate.code, 1);
		assert.match(duplicate.stderr, /an account named "one" already exists/);
		const twin = await cli(['import-claude-code', 'two'], env);
		assert.equal(twin.code, 1);
		assert.match(twin.stderr, /already uses this Claude Code login/);
		assert.equal(readFileSync(path.join(home, 'credentials.json'), 'utf8'), credentialsBefore);
	});
});

/** Runs `shunt add-account <name>` and answers its prompt with whatever `paste` makes of the printed URL. */
async function loginThroughCli(env: Env, name: string, paste: (url: URL) => Promise<string>): Promise<Completed> {
	const child = spawn(process.execPath, [cliPath, 'add-account', name], {env: {...process.env, ...env}, stdio: ['pipe', 'pipe', 'pipe']});
	let stdout = '';
	let stderr = '';
	child.stdout.on('data', chunk => {
		stdout += String(chunk);
	});
	child.stderr.on('data', chunk => {
		stderr += String(chunk);
	});
	const exited = new Promise<number | null>(resolve => {
		child.on('close', code => {
			resolve(code);
		});
	});
	try {
		const printed = await waitFor(() => /https:\/\/claude\.ai\/oauth\/authorize\?\S+/.exec(stdout)?.[0], 'the authorize URL');
		child.stdin.write(`${await paste(new URL(printed))}\n`);
		const code = await exited;
		outputs.push({what: `shunt add-account ${name} (stdout)`, text: stdout}, {what: `shunt add-account ${name} (stderr)`, text: stderr});
		return {code, stdout, stderr};
	} finally {
		child.kill();
	}
}

/** The browser's part: approve at the simulator (same query as the printed URL), get `code#state`. */
async function approve(url: URL, extra: Record<string, string> = {}): Promise<string> {
	const query = new URLSearchParams(url.search);
	for (const [key, value] of Object.entries(extra)) {
		query.set(key, value);
	}

	const response = await fetch(`${sim.url}${url.pathname}?${query.toString()}`);
	assert.equal(response.status, 200);
	return response.text();
}

describe('add-account (browser login)', () => {
	test('the printed URL carries PKCE S256; the pasted code#state is exchanged and the login stored', async () => {
		const {env, home} = environment();
		const result = await loginThroughCli(env, 'work', async url => {
			assert.equal(url.origin, 'https://claude.ai');
			assert.equal(url.searchParams.get('client_id'), simClientId);
			assert.equal(url.searchParams.get('code_challenge_method'), 'S256');
			assert.equal(url.searchParams.get('redirect_uri'), 'https://platform.claude.com/oauth/code/callback');
			assert.match(url.searchParams.get('scope') ?? '', /user:inference/);
			assert.match(url.searchParams.get('code_challenge') ?? '', /^[\w-]{43}$/);
			return approve(url, {email: 'work@example.com', name: 'paste-chain'});
		});
		assert.equal(result.code, 0, result.stderr);
		assert.match(result.stdout, /Added subscription account "work" \(work@example\.com, token sk-ant-oat…, access token valid for 8h 0m\)/);
		const chain = remember('paste-chain');
		const stored = JSON.parse(readFileSync(path.join(home, 'credentials.json'), 'utf8')) as {accounts: Record<string, {type: string; accessToken: string; refreshToken: string; expiresAt: number}>};
		assert.equal(stored.accounts['work']?.accessToken, chain.accessToken);
		assert.equal(stored.accounts['work']?.refreshToken, chain.refreshToken);
		assert.ok(Math.abs(stored.accounts['work'].expiresAt - chain.expiresAtMs) < 5000);
		const listed = JSON.parse((await cli(['accounts', '--json'], env)).stdout) as Array<{name: string; kind: string; email: string}>;
		assert.deepEqual(listed.map(account => [account.name, account.kind, account.email]), [['work', 'oauth', 'work@example.com']]);

		const shunt = await start(env, home);
		const reply = await ask(shunt);
		assert.equal(reply.status, 200, reply.body);
		assert.equal(reply.account, 'work');
		await stop(shunt);

		// The reauth fix hint is this same command: it renews the login of the existing account.
		const renewed = await loginThroughCli(env, 'work', async url => approve(url, {name: 'paste-chain-2', email: 'work-renewed@example.com'}));
		assert.equal(renewed.code, 0, renewed.stderr);
		assert.match(renewed.stdout, /Renewed the login of "work"/);
		const second = remember('paste-chain-2');
		const after = JSON.parse(readFileSync(path.join(home, 'credentials.json'), 'utf8')) as {accounts: Record<string, {accessToken: string}>};
		assert.equal(after.accounts['work']?.accessToken, second.accessToken);
		const relisted = JSON.parse((await cli(['accounts', '--json'], env)).stdout) as Array<{name: string; email: string}>;
		assert.deepEqual(relisted.map(account => [account.name, account.email]), [['work', 'work-renewed@example.com']], 'still one account, with the new login\'s email');
	});

	test('a wrong paste, a state mismatch, a refused code or an unreachable token endpoint writes nothing', async () => {
		const {env, home} = environment();
		const nothingWritten = (result: Completed, pattern: RegExp) => {
			assert.equal(result.code, 1, result.stdout);
			assert.match(result.stderr, pattern);
			assert.match(result.stderr, /Nothing was saved/);
			assert.equal(existsSync(path.join(home, 'credentials.json')), false);
			assert.ok(!existsSync(path.join(home, 'config.json')) || !readFileSync(path.join(home, 'config.json'), 'utf8').includes('"oauth"'));
		};

		nothingWritten(await loginThroughCli(env, 'work', async () => 'definitely not a code'), /does not look like the code/);
		nothingWritten(await loginThroughCli(env, 'work', async url => `${(await approve(url)).split('#')[0]}#some-other-state`), /different login attempt \(state mismatch\)/);
		nothingWritten(await loginThroughCli(env, 'work', async url => `made-up-code#${url.searchParams.get('state')}`), /login code was refused/);

		const closed = http.createServer();
		await new Promise<void>(resolve => {
			closed.listen(0, '127.0.0.1', resolve);
		});
		const {port} = closed.address() as AddressInfo;
		await new Promise(resolve => {
			closed.close(resolve);
		});
		const offline = {...env, SHUNT_OAUTH_TOKEN_URL: `http://127.0.0.1:${port}/v1/oauth/token`};
		nothingWritten(await loginThroughCli(offline, 'work', async url => approve(url)), /could not reach the token endpoint .*ECONNREFUSED/);
	});
});

test('no command output or log line ever contains a whole token', () => {
	assert.ok(tokens.size >= 8, 'the tests above handed out tokens');
	assert.ok(outputs.length >= 10, 'and captured output');
	for (const {what, text} of outputs) {
		for (const token of tokens) {
			assert.ok(!text.includes(token), `${what} printed a whole token`);
		}

		// Whatever token a test did not know about: nothing past the short prefix redactSecret allows.
		assert.doesNotMatch(text, /sk-ant-o[ar]t01-/, `${what} printed more than a token's prefix`);
	}
});
