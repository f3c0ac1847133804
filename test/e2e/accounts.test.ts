// covers: source/cli.tsx, source/commands/account-commands.ts, source/commands/read-stdin.ts
// The built CLI's add-account and accounts: a key piped on stdin is stored, and never printed.
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {test} from 'node:test';
import {shuntPaths} from '../../source/accounts/paths.js';
import {runCli} from '../helpers/shunt-process.js';
import {tempDir} from '../helpers/temp-dir.js';

test('the built CLI reads `--api-key -` from stdin and never prints the key', async () => {
	const home = tempDir();
	const secret = 'sk-ant-api03-from-stdin-0123456789abcdef';
	const added = await runCli(['add-account', 'piped', '--api-key', '-'], {SHUNT_HOME: home}, `${secret}\n`);
	assert.equal(added.code, 0, added.stderr);
	assert.ok(!added.stdout.includes(secret) && !added.stderr.includes(secret));
	const credentials = JSON.parse(readFileSync(shuntPaths({SHUNT_HOME: home}).credentialsFile, 'utf8')) as {accounts: Record<string, {key: string}>};
	assert.equal(credentials.accounts['piped']!.key, secret, 'the trailing newline is not part of the key');
	const listed = await runCli(['accounts', '--json'], {SHUNT_HOME: home});
	assert.equal(listed.code, 0);
	assert.ok(!listed.stdout.includes(secret));
	const duplicate = await runCli(['add-account', 'piped', '--api-key', '-'], {SHUNT_HOME: home}, 'other-key-0000000000000\n');
	assert.equal(duplicate.code, 1);
	assert.match(duplicate.stderr, /already exists/);
});
