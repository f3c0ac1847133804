// covers: source/commands/setup-command.ts, source/cli.tsx
// `shunt setup` through the built CLI, on a Claude Code settings.json in a temporary
// CLAUDE_CONFIG_DIR: our key goes in and every other key, the mode and a backup stay; a URL that
// points elsewhere is not replaced silently; --undo takes out exactly what setup put in.
import process from 'node:process';
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {
	chmodSync, existsSync, lstatSync, readFileSync, statSync, symlinkSync, writeFileSync,
} from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';
import {cliPath, runCli} from '../helpers/shunt-process.js';
import {tempDir} from '../helpers/temp-dir.js';
import {waitFor} from '../helpers/wait.js';

const original = {
	model: 'opus',
	env: {DISABLE_TELEMETRY: '1'},
	permissions: {allow: ['Bash(npm test)'], deny: []},
	hooks: {Stop: [{hooks: [{type: 'command', command: 'say done'}]}]},
};

function claudeDir(settings?: unknown, mode = 0o640): {dir: string; file: string; env: Record<string, string>} {
	const dir = tempDir();
	const file = path.join(dir, 'settings.json');
	if (settings !== undefined) {
		writeFileSync(file, `${JSON.stringify(settings, null, 2)}\n`);
		chmodSync(file, mode);
	}

	return {dir, file, env: {CLAUDE_CONFIG_DIR: dir, SHUNT_HOME: tempDir()}};
}

const read = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown> & {env?: Record<string, string>};

test('setup --yes adds env.ANTHROPIC_BASE_URL keeping every other key, the mode and a backup; --undo gives back the file as it was', async () => {
	const {file, env} = claudeDir(original);
	const before = readFileSync(file, 'utf8');
	const setup = await runCli(['setup', '--yes', '--port', '9411'], env);
	assert.equal(setup.code, 0, setup.stderr);
	assert.match(setup.stdout, /^Claude Code now uses shunt: env\.ANTHROPIC_BASE_URL=http:\/\/127\.0\.0\.1:9411 in /);
	assert.match(setup.stdout, /Nothing answers on http:\/\/127\.0\.0\.1:9411 yet: `shunt service install`/);
	assert.deepEqual(read(file), {...original, env: {DISABLE_TELEMETRY: '1', ANTHROPIC_BASE_URL: 'http://127.0.0.1:9411'}});
	assert.equal(statSync(file).mode & 0o777, 0o640, 'the file keeps its mode');
	assert.equal(readFileSync(`${file}.shunt-backup`, 'utf8'), before, 'the old file is kept beside it');

	const twice = await runCli(['setup', '--yes', '--port', '9411'], env);
	assert.match(twice.stdout, /^Claude Code already uses shunt/);

	// Meanwhile Claude Code adds a key of its own: undo keeps it, and takes out only ours.
	writeFileSync(file, JSON.stringify({...read(file), theme: 'dark'}, null, 2));
	const undo = await runCli(['setup', '--undo', '--port', '9411'], env);
	assert.equal(undo.code, 0, undo.stderr);
	assert.match(undo.stdout, /^Claude Code no longer uses shunt: removed env\.ANTHROPIC_BASE_URL/);
	assert.deepEqual(read(file), {...original, theme: 'dark'}, 'the env object stays: it was there before');
	assert.equal(statSync(file).mode & 0o777, 0o640);
	const again = await runCli(['setup', '--undo', '--port', '9411'], env);
	assert.match(again.stdout, /nothing to undo/);
});

test('without a settings.json, setup creates one with just our key, and --undo removes the env object it created', async () => {
	const {dir, file, env} = claudeDir();
	const nested = path.join(dir, 'not-yet');
	const setup = await runCli(['setup', '--yes'], {...env, CLAUDE_CONFIG_DIR: nested});
	assert.equal(setup.code, 0, setup.stderr);
	const created = path.join(nested, 'settings.json');
	assert.deepEqual(read(created), {env: {ANTHROPIC_BASE_URL: 'http://127.0.0.1:8082'}});
	assert.equal(existsSync(`${created}.shunt-backup`), false, 'nothing to back up');
	const undo = await runCli(['setup', '--undo'], {...env, CLAUDE_CONFIG_DIR: nested});
	assert.equal(undo.code, 0, undo.stderr);
	assert.deepEqual(read(created), {});
	assert.equal(existsSync(file), false);
});

test('a URL that points elsewhere is not replaced without --force; with it, --undo puts it back', async () => {
	const remote = {...original, env: {ANTHROPIC_BASE_URL: 'https://gateway.example.com/anthropic'}};
	const {file, env} = claudeDir(remote);
	const before = readFileSync(file, 'utf8');
	const refused = await runCli(['setup', '--yes'], env);
	assert.equal(refused.code, 1);
	assert.match(refused.stderr, /already points Claude Code at "https:\/\/gateway\.example\.com\/anthropic", which is not this machine; nothing was changed\. To replace it anyway: shunt setup --yes --force/);
	assert.equal(readFileSync(file, 'utf8'), before);

	const forced = await runCli(['setup', '--yes', '--force'], env);
	assert.equal(forced.code, 0, forced.stderr);
	assert.equal(read(file).env!['ANTHROPIC_BASE_URL'], 'http://127.0.0.1:8082');
	const undo = await runCli(['setup', '--undo'], env);
	assert.match(undo.stdout, /put back env\.ANTHROPIC_BASE_URL="https:\/\/gateway\.example\.com\/anthropic"/);
	assert.deepEqual(read(file), remote);

	// Another local port (an older shunt setup) is replaced after asking, like an empty one.
	writeFileSync(file, JSON.stringify({env: {ANTHROPIC_BASE_URL: 'http://localhost:8099'}}));
	const local = await runCli(['setup', '--yes'], env);
	assert.equal(local.code, 0, local.stderr);
	assert.equal(readFileSync(file, 'utf8'), '{"env":{"ANTHROPIC_BASE_URL":"http://127.0.0.1:8082"}}', 'a compact file stays compact');
});

test('no terminal and no --yes is a clear error; bad JSON is named and left alone; a symlinked settings.json stays a symlink', async () => {
	const {file, env} = claudeDir(original);
	const before = readFileSync(file, 'utf8');
	const noTty = await runCli(['setup'], env);
	assert.equal(noTty.code, 1);
	assert.match(noTty.stderr, /^shunt: shunt setup changes Claude Code's .*settings\.json; run it in a terminal to confirm, or pass --yes\n$/);
	assert.equal(readFileSync(file, 'utf8'), before);

	writeFileSync(file, '{"model": "opus",');
	const bad = await runCli(['setup', '--yes'], env);
	assert.equal(bad.code, 1);
	assert.match(bad.stderr, /settings\.json is not valid JSON; fix it \(or move it aside\) and run shunt setup again\. Nothing was changed\./);
	assert.equal(readFileSync(file, 'utf8'), '{"model": "opus",');

	writeFileSync(file, '{"env": "PATH=/x"}');
	const badEnv = await runCli(['setup', '--yes'], env);
	assert.match(badEnv.stderr, /"env" is not an object/);

	// Dotfile managers link settings.json into a repository: the link stays, its target changes.
	const {dir, env: linkedEnv} = claudeDir();
	const target = path.join(tempDir(), 'dotfiles-settings.json');
	writeFileSync(target, JSON.stringify(original, null, 2));
	symlinkSync(target, path.join(dir, 'settings.json'));
	const linked = await runCli(['setup', '--yes'], linkedEnv);
	assert.equal(linked.code, 0, linked.stderr);
	assert.ok(lstatSync(path.join(dir, 'settings.json')).isSymbolicLink());
	assert.equal(read(target).env!['ANTHROPIC_BASE_URL'], 'http://127.0.0.1:8082');
});

test('in a terminal setup asks first: no keeps the file, yes writes it', {skip: existsSync('/usr/bin/script') ? false : 'needs util-linux script for a pseudo-terminal', timeout: 60_000}, async () => {
	const {file, env} = claudeDir(original);
	const before = readFileSync(file, 'utf8');
	const ask = async (answer: string) => {
		const child = spawn('script', ['-qfec', `${process.execPath} ${cliPath} setup`, '/dev/null'], {env: {...process.env, ...env}, stdio: ['pipe', 'pipe', 'pipe']});
		let screen = '';
		child.stdout.on('data', chunk => {
			screen += String(chunk);
		});
		const exited = new Promise<number | null>(resolve => {
			child.on('exit', code => {
				resolve(code);
			});
		});
		await waitFor(() => screen.includes('[y/N]'), () => `the question:\n${screen}`, 20_000);
		assert.match(screen, /Set env\.ANTHROPIC_BASE_URL=http:\/\/127\.0\.0\.1:8082 in .*settings\.json\? \[y\/N\]/);
		child.stdin.write(`${answer}\r`);
		assert.equal(await exited, 0);
		return screen;
	};

	assert.match(await ask('n'), /Nothing changed\./);
	assert.equal(readFileSync(file, 'utf8'), before);
	assert.match(await ask('y'), /Claude Code now uses shunt/);
	assert.equal(read(file).env!['ANTHROPIC_BASE_URL'], 'http://127.0.0.1:8082');
});
