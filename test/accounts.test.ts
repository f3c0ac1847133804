// covers: source/accounts/account-name.ts, source/accounts/paths.ts, source/commands/account-commands.ts
import assert from 'node:assert/strict';
import {
	readFileSync, statSync, writeFileSync, mkdirSync,
} from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';
import {accountNameProblem} from '../source/accounts/account-name.js';
import {shuntPaths} from '../source/accounts/paths.js';
import {addApiKeyAccount, listAccounts, removeAccount} from '../source/commands/account-commands.js';
import {UserError} from '../source/util/user-error.js';
import {tempDir} from './helpers/temp-dir.js';

const key = 'sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789';

function home() {
	return shuntPaths({SHUNT_HOME: tempDir()});
}

test('SHUNT_HOME puts every file in one directory', () => {
	const paths = shuntPaths({SHUNT_HOME: '/tmp/x'});
	assert.deepEqual([paths.configFile, paths.credentialsFile, paths.stateFile], ['/tmp/x/config.json', '/tmp/x/credentials.json', '/tmp/x/state.json']);
	const linux = shuntPaths({XDG_CONFIG_HOME: '/c', XDG_DATA_HOME: '/d'}, 'linux');
	assert.equal(linux.configFile, '/c/shunt/config.json');
	assert.equal(linux.stateFile, '/d/shunt/state.json');
});

test('account names: non-empty, letters/digits/._- only', () => {
	for (const good of ['work', 'Home_2', 'a.b-c']) {
		assert.equal(accountNameProblem(good), undefined, good);
	}

	for (const bad of ['', 'has space', 'slash/name', 'ünï', 'x'.repeat(65), undefined]) {
		assert.ok(accountNameProblem(bad), String(bad));
	}
});

test('add-account stores the key in credentials.json (0600), the account in config.json, and never echoes the key', async () => {
	const paths = home();
	const message = await addApiKeyAccount(paths, 'work', key);
	assert.ok(!message.includes(key), 'the full key is not printed');
	assert.match(message, /sk-ant-api…/);
	const config = JSON.parse(readFileSync(paths.configFile, 'utf8')) as {accounts: Array<{name: string; kind: string}>};
	assert.deepEqual(config.accounts.map(account => [account.name, account.kind]), [['work', 'apikey']]);
	assert.ok(!readFileSync(paths.configFile, 'utf8').includes(key), 'config.json holds no secret');
	assert.equal(statSync(paths.credentialsFile).mode & 0o777, 0o600);
	assert.equal(statSync(paths.configFile).mode & 0o777, 0o600);
	const credentials = JSON.parse(readFileSync(paths.credentialsFile, 'utf8')) as {accounts: Record<string, {key: string}>};
	assert.equal(credentials.accounts['work']!.key, key);
});

test('a duplicate or invalid name is an error that changes nothing', async () => {
	const paths = home();
	await addApiKeyAccount(paths, 'work', key);
	const configBefore = readFileSync(paths.configFile, 'utf8');
	const credentialsBefore = readFileSync(paths.credentialsFile, 'utf8');
	await assert.rejects(addApiKeyAccount(paths, 'work', 'sk-ant-api03-other-key-000000000000'), (error: Error) => error instanceof UserError && error.message.includes('already exists'));
	await assert.rejects(addApiKeyAccount(paths, 'bad name', key), UserError);
	await assert.rejects(addApiKeyAccount(paths, undefined, key), UserError);
	await assert.rejects(addApiKeyAccount(paths, 'empty', '   '), /empty/);
	await assert.rejects(addApiKeyAccount(paths, 'spaced', 'sk-ant key'), /whitespace/);
	assert.equal(readFileSync(paths.configFile, 'utf8'), configBefore);
	assert.equal(readFileSync(paths.credentialsFile, 'utf8'), credentialsBefore);
});

test('accounts --json lists accounts without secrets; remove-account removes both halves', async () => {
	const paths = home();
	await addApiKeyAccount(paths, 'one', key);
	await addApiKeyAccount(paths, 'two', `${key}-2`);
	const listed = listAccounts(paths, true);
	assert.ok(!listed.includes(key.slice(12)), 'no secret in the listing');
	assert.deepEqual((JSON.parse(listed) as Array<{name: string; hasCredential: boolean}>).map(row => [row.name, row.hasCredential]), [['one', true], ['two', true]]);
	assert.match(listAccounts(paths, false), /one\s+API key/);
	removeAccount(paths, 'one');
	assert.deepEqual((JSON.parse(listAccounts(paths, true)) as Array<{name: string}>).map(row => row.name), ['two']);
	assert.ok(!readFileSync(paths.credentialsFile, 'utf8').includes('"one"'));
	assert.throws(() => removeAccount(paths, 'one'), /no account named "one"/);
});

test('a corrupt config.json is a clear error naming the file, and it is left as it was', () => {
	const paths = home();
	mkdirSync(path.dirname(paths.configFile), {recursive: true});
	writeFileSync(paths.configFile, '{"accounts": [oops');
	assert.throws(() => listAccounts(paths, false), (error: Error) => error instanceof UserError && error.message.includes('config.json'));
	assert.equal(readFileSync(paths.configFile, 'utf8'), '{"accounts": [oops');
});

test('a corrupt credentials.json is a clear error and is never overwritten', async () => {
	const paths = home();
	await addApiKeyAccount(paths, 'work', key);
	writeFileSync(paths.credentialsFile, 'not json');
	await assert.rejects(addApiKeyAccount(paths, 'other', key), (error: Error) => error instanceof UserError && error.message.includes('credentials.json'));
	assert.equal(readFileSync(paths.credentialsFile, 'utf8'), 'not json');
	assert.deepEqual((JSON.parse(readFileSync(paths.configFile, 'utf8')) as {accounts: unknown[]}).accounts.length, 1, 'config unchanged too');
});
