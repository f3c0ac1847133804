// `npm run bench:routing`: how well shunt's routing uses a pool of subscription accounts, measured
// on our simulator in virtual time (a simulated day in seconds), for every strategy and against a
// never-move and a round-robin baseline. Prints a table and writes it to bench/routing-results.txt,
// the whole results document to bench/routing-results.json;
// bench/routing/README.md explains every number.
//
//   node --import=tsx bench/routing/run.ts [--tiny] [--seed <text>] [--out <file>] [--jobs <n>] [--only <run,run>]
//
// Runs go to child processes (--jobs, default 2), each a fresh simulator and a fresh shunt; a run is
// deterministic, so splitting them changes nothing but the wall time.
import {type Buffer} from 'node:buffer';
import {spawn, type ChildProcess} from 'node:child_process';
import {mkdirSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import {createInterface} from 'node:readline';
import {parseArgs} from 'node:util';
import {benchConfig, type BenchConfig} from './config.js';
import {runScenario, scenarios, type RunResult} from './scenario.js';
import {renderTable, targets, verdicts} from './table.js';

const repoRoot = path.resolve(import.meta.dirname, '..', '..');
const runFile = path.join(repoRoot, 'bench', 'routing', 'run.ts');

const usage = `usage: node --import=tsx bench/routing/run.ts [--tiny] [--seed <text>] [--out <file>] [--jobs <n>] [--only <run,run>]
  --tiny        a few simulated minutes, small pool (smoke test; also SHUNT_BENCH_ROUTING_TINY=1)
  --seed <text> the workload's seed (default "shunt")
  --out <file>  where the JSON goes (default bench/routing-results.json; with --tiny, bench/routing-results-tiny.json); the table goes next to it as .txt
  --jobs <n>    runs side by side in child processes (default 2, at most the CPU count)
  --only <list> only these runs: ${scenarios.map(scenario => scenario.name).join(', ')}`;

class UsageError extends Error {}

type Options = {mode: 'full' | 'tiny'; seed: string; out: string; jobs: number; only: string[]; child: string[] | undefined};

function readOptions(): Options {
	const {values} = parseArgs({
		options: {
			tiny: {type: 'boolean', default: false},
			seed: {type: 'string'},
			out: {type: 'string'},
			jobs: {type: 'string'},
			only: {type: 'string'},
			child: {type: 'string'},
			help: {type: 'boolean', default: false},
		},
	});
	if (values.help) {
		process.stdout.write(`${usage}\n`);
		process.exit(0);
	}

	const mode = values.tiny || process.env['SHUNT_BENCH_ROUTING_TINY'] === '1' ? 'tiny' : 'full';
	const seed = values.seed ?? 'shunt';
	if (seed.length === 0 || seed.length > 200) {
		throw new UsageError('--seed needs 1 to 200 characters');
	}

	const jobs = values.jobs === undefined ? 2 : Number(values.jobs);
	if (!Number.isInteger(jobs) || jobs < 1 || jobs > 64) {
		throw new UsageError(`--jobs needs a whole number from 1 to 64, got "${values.jobs}"`);
	}

	const names = scenarios.map(scenario => scenario.name);
	const list = (text: string | undefined) => (text === undefined ? [] : text.split(',').map(name => name.trim()).filter(Boolean));
	const only = list(values.only);
	const child = values.child === undefined ? undefined : list(values.child);
	for (const name of [...only, ...(child ?? [])]) {
		if (!names.includes(name)) {
			throw new UsageError(`unknown run "${name}" (runs: ${names.join(', ')})`);
		}
	}

	const out = path.resolve(values.out ?? path.join(repoRoot, 'bench', mode === 'tiny' ? 'routing-results-tiny.json' : 'routing-results.json'));
	return {
		mode, seed, out, jobs: Math.min(jobs, Math.max(1, os.availableParallelism())), only, child,
	};
}

// ---------------------------------------------------------------- child: run some scenarios, one JSON line each

async function runChild(config: BenchConfig, names: string[]): Promise<void> {
	for (const scenario of scenarios.filter(candidate => names.includes(candidate.name))) {
		// eslint-disable-next-line no-await-in-loop
		const result = await runScenario(scenario, config);
		process.stdout.write(`${JSON.stringify({result})}\n`);
	}
}

// ---------------------------------------------------------------- parent: share the runs out, gather, report

const children = new Set<ChildProcess>();

function stopChildren(): void {
	for (const child of children) {
		child.kill('SIGTERM');
	}
}

/** One child running names; resolves with its results, rejects with its stderr when it fails. */
async function inChild(options: Options, names: string[]): Promise<RunResult[]> {
	const args = ['--import=tsx', runFile, '--child', names.join(','), '--seed', options.seed, ...(options.mode === 'tiny' ? ['--tiny'] : [])];
	const child = spawn(process.execPath, args, {cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe']});
	children.add(child);
	const results: RunResult[] = [];
	let stderr = '';
	child.stderr.on('data', (chunk: Buffer) => {
		stderr += chunk.toString();
	});
	const lines = createInterface({input: child.stdout});
	lines.on('line', line => {
		const parsed = JSON.parse(line) as {result: RunResult};
		results.push(parsed.result);
		process.stderr.write(`routing bench: ${parsed.result.name} done in ${(parsed.result.elapsedMs / 1000).toFixed(1)} s\n`);
	});
	const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>(resolve => {
		child.once('close', (exitCode, exitSignal) => {
			resolve([exitCode, exitSignal]);
		});
	});
	children.delete(child);
	if (code !== 0) {
		throw new Error(`the run of ${names.join(', ')} failed (${signal ?? `exit ${code}`}): ${stderr.trim().split('\n').at(-1) ?? ''}`);
	}

	return results;
}

/** The table goes next to the JSON: routing-results.json → routing-results.txt. */
function textFileOf(jsonFile: string): string {
	return `${jsonFile.endsWith('.json') ? jsonFile.slice(0, -'.json'.length) : jsonFile}.txt`;
}

/** A path under the working directory relative to it, any other in full. */
function shown(file: string): string {
	const relative = path.relative(process.cwd(), file);
	return relative === '' || relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}

async function runParent(options: Options, config: BenchConfig): Promise<void> {
	const started = performance.now();
	const chosen = scenarios.filter(scenario => options.only.length === 0 || options.only.includes(scenario.name));
	const jobs = Math.min(options.jobs, chosen.length);
	// Dealt out in turn: the shunt runs cost about the same, round-robin (no shunt) far less.
	const shares = Array.from({length: jobs}, (_, job) => chosen.filter((_, index) => index % jobs === job).map(scenario => scenario.name));
	process.stderr.write(`routing bench: ${chosen.length} runs of the ${config.mode} workload in ${jobs} processes\n`);
	const shared = await Promise.all(shares.map(async names => inChild(options, names)));
	const gathered = shared.flat();
	const runs = chosen.map(scenario => gathered.find(result => result.name === scenario.name)!);
	const neverMove = runs.find(run => run.name === 'never-move');
	const document = {
		benchmark: 'routing',
		generatedAt: new Date().toISOString(),
		elapsedMs: Math.round(performance.now() - started),
		machine: {
			node: process.version, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', loadAverage: os.loadavg(),
		},
		config: {
			mode: config.mode,
			seed: config.seed,
			start: new Date(config.startMs).toISOString(),
			startMs: config.startMs,
			dayMs: config.dayMs,
			sessions: config.workload.sessions.length,
			sessionModels: config.workload.sessions.map(session => session.model),
			replyBytes: config.replyBytes,
			pool: config.pool,
			workload: config.workload,
		},
		targets,
		baselines: {
			neverMove: 'never-move: maximus with a week-long sticky TTL; its cache writes are the floor the other runs are compared with',
			roundRobin: 'round-robin: each request to the next account in turn, straight to the simulator, nothing retried',
		},
		runs: runs.map(run => ({
			...run,
			vsNeverMove: neverMove ? {writeTokens: run.metrics.cache.writeTokens - neverMove.metrics.cache.writeTokens} : null,
			verdicts: verdicts(run),
		})),
	};
	const table = renderTable(config, runs);
	const tableFile = textFileOf(options.out);
	mkdirSync(path.dirname(options.out), {recursive: true});
	writeFileSync(options.out, `${JSON.stringify(document, null, '\t')}\n`);
	writeFileSync(tableFile, `${table}\n`);
	process.stdout.write(`${table}\n\nwrote ${shown(options.out)} and ${shown(tableFile)} in ${(document.elapsedMs / 1000).toFixed(1)} s\n`);
}

async function main(): Promise<void> {
	const options = readOptions();
	const config = benchConfig(options.mode, options.seed);
	if (options.child) {
		await runChild(config, options.child);
		return;
	}

	process.once('SIGINT', () => {
		stopChildren();
		process.exit(130);
	});
	process.once('SIGTERM', () => {
		stopChildren();
		process.exit(143);
	});
	await runParent(options, config);
}

try {
	await main();
} catch (error) {
	stopChildren();
	process.stderr.write(`routing bench: ${(error as Error).message}\n`);
	process.exitCode = error instanceof UsageError ? 2 : 1;
}
