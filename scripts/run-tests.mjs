#!/usr/bin/env node
// Runs every test file with node's test runner. Node 20 neither expands globs nor finds .ts
// files on its own, so the files are listed here; a run that executes no test fails.
import {spawn} from 'node:child_process';
import {readdirSync, readFileSync, mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const testDir = path.join(root, 'test');
const only = process.argv.slice(2);
const files = (only.length > 0 ? only : readdirSync(testDir)
	.filter(name => /\.test\.tsx?$/.test(name))
	.sort()
	.map(name => path.join('test', name)));

if (files.length === 0) {
	console.error('run-tests: no test files found under test/');
	process.exit(1);
}

const scratch = mkdtempSync(path.join(tmpdir(), 'shunt-tests-'));
const tapFile = path.join(scratch, 'report.tap');
const args = [
	'--import=tsx',
	'--test',
	'--test-timeout=120000',
	'--test-concurrency=2',
	'--test-reporter', process.stdout.isTTY ? 'spec' : 'tap',
	'--test-reporter-destination', 'stdout',
	'--test-reporter', 'tap',
	'--test-reporter-destination', tapFile,
	...files,
];
const child = spawn(process.execPath, args, {cwd: root, stdio: 'inherit', env: {...process.env, NODE_ENV: 'test'}});
child.on('exit', code => {
	let tap = '';
	try {
		tap = readFileSync(tapFile, 'utf8');
	} catch {}

	rmSync(scratch, {recursive: true, force: true});
	const count = name => Number(tap.match(new RegExp(`^# ${name} (\\d+)$`, 'm'))?.[1] ?? 0);
	const tests = count('tests');
	const passed = count('pass');
	const failed = count('fail') + count('cancelled');
	console.log(`${passed} passed, ${failed} failed`);
	if (tests === 0) {
		console.error('run-tests: the runner executed no test; failing the run');
		process.exit(1);
	}

	process.exit(code ?? 1);
});
