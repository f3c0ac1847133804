// covers: bench/routing/
// Smoke test for `npm run bench:routing`: the routing benchmark runs its tiny workload (a few
// simulated minutes) through every strategy and both baselines, prints its table, and writes a
// results document whose numbers hold together. No specific values: what routing achieves is the
// benchmark's own report, not a test's.
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {test} from 'node:test';
import {fileURLToPath} from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

type Completed = {code: number | null; stdout: string; stderr: string};

/** `node --import=tsx bench/routing/run.ts …` from the repository root; stopped if still going after 100 s. */
async function run(args: string[]): Promise<Completed> {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, ['--import=tsx', 'bench/routing/run.ts', ...args], {cwd: root, stdio: ['ignore', 'pipe', 'pipe']});
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', chunk => {
			stdout += String(chunk);
		});
		child.stderr.on('data', chunk => {
			stderr += String(chunk);
		});
		// SIGINT: the bench's own handler then stops the runs it started.
		const timer = setTimeout(() => child.kill('SIGINT'), 100_000);
		child.once('error', reject);
		child.once('close', code => {
			clearTimeout(timer);
			resolve({code, stdout, stderr});
		});
	});
}

const runNames = ['maximus', 'reaper', 'cushion', 'carousel', 'never-move', 'round-robin'];

const close = (actual: number, expected: number, what: string) => {
	assert.ok(Math.abs(actual - expected) < 1e-9, `${what}: ${actual} against ${expected}`);
};

test('the routing benchmark runs tiny, prints every run and writes numbers that add up', async t => {
	const dir = mkdtempSync(path.join(tmpdir(), 'shunt-bench-routing-'));
	t.after(() => {
		rmSync(dir, {recursive: true, force: true});
	});
	const out = path.join(dir, 'routing.json');
	const {code, stdout, stderr} = await run(['--tiny', '--out', out]);
	assert.equal(code, 0, `bench exited ${code}\n${stderr}`);
	assert.match(stdout, /Routing benchmark \(tiny\)/);
	for (const name of runNames) {
		assert.match(stdout, new RegExp(`^${name} +\\d+`, 'm'), `the table has a ${name} row`);
	}

	assert.match(stdout, /Targets/);

	const results = JSON.parse(readFileSync(out, 'utf8')) as Record<string, any>;
	assert.equal(results['benchmark'], 'routing');
	const {config} = results;
	assert.equal(config.mode, 'tiny');
	assert.equal(config.seed, 'shunt');
	assert.ok(config.dayMs > 0 && config.sessions >= 1 && config.pool.length === 4, JSON.stringify({dayMs: config.dayMs, sessions: config.sessions}));
	assert.deepEqual(results['runs'].map((entry: {name: string}) => entry.name), runNames);
	const accounts = config.pool.map((account: {name: string}) => account.name);

	for (const entry of results['runs']) {
		const {name, metrics} = entry;
		const {requests, attempts, cache} = metrics;
		assert.ok(requests.total > 0, `${name} sent requests`);
		assert.equal(requests.served + requests.failed, requests.total, `${name}: served + failed`);
		assert.equal(requests.failedWhileServable + requests.failedPoolSpent, requests.failed, `${name}: every failure is judged`);
		assert.ok(requests.servedByFallback <= requests.served, name);
		// Every served request was one 200 from the simulator; the other attempts were refused.
		assert.equal(attempts.total - attempts.refused, requests.served, `${name}: one 200 per served request`);
		close(attempts.perRequest, attempts.total / requests.total, `${name} attempts per request`);
		assert.equal(metrics.sentToKnownSpent.total, Object.values<number>(metrics.sentToKnownSpent.byWindow).reduce((sum, count) => sum + count, 0), name);
		assert.ok(metrics.sentToKnownSpent.total <= attempts.total, name);
		close(cache.hitRate, cache.readTokens / (cache.inputTokens + cache.readTokens + cache.writeTokens), `${name} hit rate`);
		assert.ok(cache.forcedMoves <= cache.moves && cache.moves <= requests.served, `${name}: moves`);
		assert.ok(cache.writeTokens > 0 && cache.readTokens >= 0, name);
		if (requests.failed === 0) {
			assert.equal(metrics.firstFailure, null, name);
		} else {
			assert.ok(metrics.firstFailure.capacityUsed >= 0 && metrics.firstFailure.capacityUsed <= 1, `${name}: capacity used is a share`);
			assert.ok(metrics.firstFailure.offsetMs >= 0 && metrics.firstFailure.offsetMs <= config.dayMs + 3_600_000, name);
		}

		assert.deepEqual(metrics.endUtilization.map((account: {account: string}) => account.account), accounts, name);
		const sevenDay = metrics.endUtilization.map((account: {sevenDay: number}) => account.sevenDay);
		close(metrics.spread.sevenDay, Math.max(...sevenDay) - Math.min(...sevenDay), `${name} 7d spread`);
		assert.deepEqual(Object.keys(metrics.servedWeighted), accounts, name);
		assert.equal(typeof entry.verdicts.failedWhileServable, 'boolean', name);
		assert.equal(entry.verdicts.sentToKnownSpent, metrics.sentToKnownSpent.total === 0, name);
	}

	const roundRobin = results['runs'].at(-1).metrics;
	assert.equal(roundRobin.requests.held, 0, 'the baseline has no holds');
	assert.equal(roundRobin.requests.servedByFallback, 0, 'nor a model fallback');
	assert.equal(roundRobin.attempts.total, roundRobin.requests.total, 'and retries nothing');

	// A seeded run is the same run: in one process or shared out, alone or with the others.
	const again = path.join(dir, 'again.json');
	const second = await run(['--tiny', '--out', again, '--jobs', '1', '--only', 'maximus,round-robin']);
	assert.equal(second.code, 0, second.stderr);
	const repeated = JSON.parse(readFileSync(again, 'utf8')) as Record<string, any>;
	for (const entry of repeated['runs']) {
		const first = results['runs'].find((candidate: {name: string}) => candidate.name === entry.name);
		assert.deepEqual(entry.metrics, first.metrics, `${entry.name} repeats exactly`);
	}
});

test('bad arguments get one line and exit 2', async () => {
	const {code, stderr} = await run(['--jobs', 'lots']);
	assert.equal(code, 2);
	assert.match(stderr, /^routing bench: --jobs needs a whole number/);
	assert.equal(stderr.trim().split('\n').length, 1);
});
