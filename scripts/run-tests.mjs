#!/usr/bin/env node
// Runs the test files with node's test runner. Node 20 neither expands globs nor finds .ts files on
// its own, so the files are listed here: every *.test.ts(x) in test/ (behaviour, on the source
// through tsx), test/internals/ (table tests of the pure decision modules) and test/e2e/ (the built
// CLI in dist/). Arguments name files or those directories. A run that executes no test fails.
import process from 'node:process';
import {spawn, spawnSync} from 'node:child_process';
import {
	existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync,
} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const tiers = ['test', 'test/internals', 'test/e2e'];
const endToEndDir = path.join(root, 'test', 'e2e');
const isTestFile = name => /\.test\.tsx?$/.test(name);

/** The test files directly in a directory, relative to the root, sorted. */
function testFilesIn(directory) {
	return readdirSync(path.join(root, directory), {withFileTypes: true})
		.filter(entry => entry.isFile() && isTestFile(entry.name))
		.map(entry => path.join(directory, entry.name))
		.toSorted();
}

function selected(args) {
	if (args.length === 0) {
		return tiers.filter(directory => existsSync(path.join(root, directory))).flatMap(directory => testFilesIn(directory));
	}

	// Paths are the runner's, and it runs in the root.
	return args.flatMap(arg => {
		const full = path.resolve(root, arg);
		return existsSync(full) && statSync(full).isDirectory() ? testFilesIn(path.relative(root, full)) : [arg];
	});
}

const mtimeMs = file => {
	try {
		return statSync(file).mtimeMs;
	} catch {
		return undefined;
	}
};

/**
 * Why dist/ does not match source/ (a source file newer than its build output, or one with none),
 * or undefined when it does. tsc rewrites every output, so this compares file by file.
 */
function staleBuild() {
	const sourceDir = path.join(root, 'source');
	const configMs = mtimeMs(path.join(root, 'tsconfig.json')) ?? 0;
	for (const relative of readdirSync(sourceDir, {recursive: true})) {
		const name = String(relative);
		if (!/\.tsx?$/.test(name) || name.endsWith('.d.ts')) {
			continue;
		}

		const built = mtimeMs(path.join(root, 'dist', name.replace(/\.tsx?$/, '.js')));
		if (built === undefined) {
			return `dist/ has no build of source/${name}`;
		}

		if (built < Math.max(configMs, mtimeMs(path.join(sourceDir, name)) ?? 0)) {
			return `source/${name} is newer than its build`;
		}
	}

	return undefined;
}

const files = selected(process.argv.slice(2));
if (files.length === 0) {
	console.error(`run-tests: no test files found under ${tiers.join(', ')}`);
	process.exit(1);
}

// The end-to-end tests run dist/: run on its own after an edit, the runner must not test stale
// code. `npm test` has just built it, so there this finds nothing to do.
if (files.some(file => path.resolve(root, file).startsWith(`${endToEndDir}${path.sep}`))) {
	const stale = staleBuild();
	if (stale) {
		console.error(`run-tests: ${stale}; building dist/ first (tsc)`);
		const build = spawnSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc')], {cwd: root, stdio: 'inherit'});
		if (build.status !== 0) {
			console.error('run-tests: the build failed; the end-to-end tests would run stale code');
			process.exit(1);
		}
	}
}

const scratch = mkdtempSync(path.join(tmpdir(), 'shunt-tests-'));
const tapFile = path.join(scratch, 'report.tap');
const args = [
	'--import=tsx',
	'--test',
	'--test-timeout=120000',
	'--test-concurrency=2',
	'--test-reporter',
	process.stdout.isTTY ? 'spec' : 'tap',
	'--test-reporter-destination',
	'stdout',
	'--test-reporter',
	'tap',
	'--test-reporter-destination',
	tapFile,
	...files,
];
const child = spawn(process.execPath, args, {cwd: root, stdio: 'inherit', env: {...process.env, NODE_ENV: 'test'}});
child.on('exit', code => {
	let tap = '';
	try {
		tap = readFileSync(tapFile, 'utf8');
	} catch {}

	rmSync(scratch, {recursive: true, force: true});
	const count = name => Number(tap.match(new RegExp(String.raw`^# ${name} (\d+)$`, 'm'))?.[1] ?? 0);
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
