// covers: source/cli.tsx, source/runtime/runtime.ts, source/history/database.ts, source/commands/report-command.ts
// The built CLI with a history: a file from a newer shunt stops it with one line and stays as it
// was; a corrupt one is moved aside with a warning and shunt serves; requests from before a
// restart are in `shunt status` after it; `shunt report` reads the file while shunt runs.
import {Buffer} from 'node:buffer';
import assert from 'node:assert/strict';
import {createHash} from 'node:crypto';
import {
	readdirSync, readFileSync, statSync, writeFileSync,
} from 'node:fs';
import path from 'node:path';
import {after, before, test} from 'node:test';
import Database from 'better-sqlite3';
import {shuntPaths} from '../../source/accounts/paths.js';
import {addApiKeyAccount} from '../../source/commands/account-commands.js';
import {applicationId, schemaVersion} from '../../source/history/schema.js';
import {Simulator} from '../../source/simulator/index.js';
import {
	cliPath, runCli, runScript, startShunt,
} from '../helpers/shunt-process.js';
import {tempDir} from '../helpers/temp-dir.js';
import {waitFor} from '../helpers/wait.js';

const key = 'sim-key-history-e2e-00000000';
let simulator: Simulator;

before(async () => {
	simulator = new Simulator({chunkDelayMs: 1});
	await simulator.listen();
	simulator.addAccount({kind: 'apikey', credential: key, name: 'alpha'});
});

after(async () => {
	await simulator?.close();
});

async function home(): Promise<string> {
	const directory = tempDir();
	await addApiKeyAccount(shuntPaths({SHUNT_HOME: directory}), 'alpha', key);
	return directory;
}

async function send(url: string): Promise<void> {
	const response = await fetch(`${url}/v1/messages`, {
		method: 'POST',
		headers: {'content-type': 'application/json', 'anthropic-version': '2023-06-01'},
		body: JSON.stringify({model: 'claude-sonnet-4-6', max_tokens: 16, messages: [{role: 'user', content: 'hi'}]}),
	});
	assert.equal(response.status, 200);
	await response.text();
}

test('a history.db from a newer shunt: one clear line, exit 1, and the file is left byte for byte', async () => {
	const directory = await home();
	const file = path.join(directory, 'history.db');
	const newer = new Database(file);
	newer.exec('CREATE TABLE future (x)');
	newer.pragma(`application_id = ${applicationId}`);
	newer.pragma(`user_version = ${schemaVersion + 5}`);
	newer.close();
	const hash = createHash('sha256').update(readFileSync(file)).digest('hex');
	const result = await runScript(cliPath, ['--headless', '--port', '0', '--upstream', simulator.url], {SHUNT_HOME: directory}, undefined, 15_000);
	assert.equal(result.code, 1, result.stderr);
	assert.equal(result.stderr, `shunt: ${file} was written by a newer shunt (history schema ${schemaVersion + 5}; this shunt reads up to ${schemaVersion}): upgrade shunt, or move the file away to start a new history\n`);
	assert.equal(createHash('sha256').update(readFileSync(file)).digest('hex'), hash);
	assert.deepEqual(readdirSync(directory).filter(name => name.startsWith('history.db')), ['history.db'], 'nothing moved or added beside it');
	const report = await runCli(['report'], {SHUNT_HOME: directory});
	assert.equal(report.code, 1);
	assert.match(report.stderr, /^shunt: .*history\.db was written by a newer shunt .*: upgrade shunt to read it\n$/);
});

test('a corrupt history.db is moved aside with a warning; shunt serves, and after a restart `shunt status` shows the requests from before it', async () => {
	const directory = await home();
	const file = path.join(directory, 'history.db');
	writeFileSync(file, Buffer.alloc(4096, 0x5A));
	const first = await startShunt(['--upstream', simulator.url], {SHUNT_HOME: directory});
	let before: string[];
	try {
		assert.match(first.stderr(), /\[info\] warning: history file .*history\.db was corrupt \(file is not a database\); moved it to .*history\.db\.corrupt-\S+ and started a new history\n/);
		await send(first.url);
		await send(first.url);
		const {port} = new URL(first.url);
		const status = await runCli(['status', '--json', '--port', port], {SHUNT_HOME: directory});
		before = (JSON.parse(status.stdout) as {recentRequests: Array<{id: string}>}).recentRequests.map(request => request.id);
		assert.equal(before.length, 2);
		// The report reads the file while shunt writes it (after the writer's next flush).
		await waitFor(async () => {
			const report = await runCli(['report', '--json'], {SHUNT_HOME: directory});
			return report.code === 0 && (JSON.parse(report.stdout) as {requests: number}).requests === 2;
		}, 'the two requests in shunt report while shunt runs', 20_000);
	} finally {
		assert.equal(await first.stop('SIGTERM'), 0);
	}

	assert.equal(statSync(file).mode & 0o777, 0o600);
	assert.equal(readdirSync(directory).filter(name => name.startsWith('history.db.corrupt-')).length, 1);
	const second = await startShunt(['--upstream', simulator.url], {SHUNT_HOME: directory});
	try {
		assert.doesNotMatch(second.stderr(), /warning: history/, 'the new file is fine');
		const status = await runCli(['status', '--json', '--port', new URL(second.url).port], {SHUNT_HOME: directory});
		const after = (JSON.parse(status.stdout) as {recentRequests: Array<{id: string}>; savings: {allTimeUsd: number}});
		assert.deepEqual(after.recentRequests.map(request => request.id), before, 'the log after the restart shows the requests from before it');
		assert.ok(after.savings.allTimeUsd > 0);
	} finally {
		await second.stop('SIGTERM');
	}

	const report = await runCli(['report', '--by', 'account'], {SHUNT_HOME: directory});
	assert.equal(report.code, 0, report.stderr);
	assert.match(report.stdout, /^alpha\s+2\s/m);
});

test('historyRetentionDays 0 keeps no history: no history.db is made, shunt serves, the log lives in memory', async () => {
	const directory = await home();
	const config = path.join(directory, 'config.json');
	const parsed = JSON.parse(readFileSync(config, 'utf8')) as {settings?: Record<string, unknown>};
	writeFileSync(config, JSON.stringify({...parsed, settings: {...parsed.settings, historyRetentionDays: 0}}), {mode: 0o600});
	const shunt = await startShunt(['--upstream', simulator.url], {SHUNT_HOME: directory});
	try {
		await send(shunt.url);
		const status = await runCli(['status', '--json', '--port', new URL(shunt.url).port], {SHUNT_HOME: directory});
		assert.equal((JSON.parse(status.stdout) as {recentRequests: unknown[]}).recentRequests.length, 1);
	} finally {
		assert.equal(await shunt.stop('SIGTERM'), 0);
	}

	assert.deepEqual(readdirSync(directory).filter(name => name.startsWith('history.db')), []);
	const report = await runCli(['report'], {SHUNT_HOME: directory});
	assert.equal(report.code, 0);
	assert.match(report.stdout, /^No history yet: .*history\.db does not exist\..*historyRetentionDays is 0/);
});
