// covers: bench/routing/
// Smoke test for `npm run bench:routing`: the routing benchmark runs its tiny workload (a few
// simulated minutes) through every strategy and both baselines, prints its table, and writes a
// results document whose numbers hold together and are all finite. No specific values: what
// routing achieves is the benchmark's own report, not a test's; the one comparison held here is
// that the default strategy turns clients away less than round-robin does.
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {after, before, test} from 'node:test';
import {fileURLToPath} from 'node:url';
import {defaultSettings} from '../../source/accounts/settings.js';

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

/** Every leaf of a results document that is not a finite number, string or boolean, by its path. */
function notFinite(value: unknown, at: string, allowNull: (path: string) => boolean): string[] {
	if (typeof value === 'number') {
		return Number.isFinite(value) ? [] : [`${at} = ${value}`];
	}

	if (value === null) {
		// JSON writes NaN and ±Infinity as null: only a documented null may be one.
		return allowNull(at) ? [] : [`${at} = null`];
	}

	if (Array.isArray(value)) {
		return value.flatMap((item, index) => notFinite(item, `${at}[${index}]`, allowNull));
	}

	if (typeof value === 'object') {
		return Object.entries(value).flatMap(([key, item]) => notFinite(item, `${at}.${key}`, allowNull));
	}

	return typeof value === 'string' || typeof value === 'boolean' ? [] : [`${at} is ${typeof value}`];
}

let dir: string;
let tiny: Completed & {out: string};
let results: Record<string, any>;

// One tiny run serves every test below: it is the costly part.
before(async () => {
	dir = mkdtempSync(path.join(tmpdir(), 'shunt-bench-routing-'));
	const out = path.join(dir, 'routing.json');
	tiny = {...await run(['--tiny', '--out', out]), out};
	assert.equal(tiny.code, 0, `bench exited ${tiny.code}\n${tiny.stderr}`);
	results = JSON.parse(readFileSync(out, 'utf8')) as Record<string, any>;
});

after(() => {
	rmSync(dir, {recursive: true, force: true});
});

test('the routing benchmark runs tiny, prints every run and writes numbers that add up', async () => {
	const {stdout, out} = tiny;
	assert.match(stdout, /Routing benchmark \(tiny\)/);
	for (const name of runNames) {
		assert.match(stdout, new RegExp(`^${name} +\\d+`, 'm'), `the table has a ${name} row`);
	}

	assert.match(stdout, /Targets/);
	// The table is also written next to the JSON, as printed.
	const tableFile = out.replace(/\.json$/, '.txt');
	assert.ok(existsSync(tableFile), 'the table file is written');
	const table = readFileSync(tableFile, 'utf8');
	assert.ok(stdout.startsWith(table.trimEnd()), 'the table file holds the printed table');

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
		assert.equal(metrics.sentToSpent.total, Object.values<number>(metrics.sentToSpent.byWindow).reduce((sum, count) => sum + count, 0), name);
		// An attempt sent to a spent window is refused; failovers are attempts beyond one per request.
		assert.ok(metrics.sentToSpent.total <= attempts.refused, `${name}: sent to spent ≤ refused`);
		assert.ok(attempts.failovers <= attempts.total && attempts.total - attempts.failovers <= requests.total, `${name}: failovers`);
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
	assert.equal(roundRobin.attempts.failovers, 0, 'so no failover');

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

test('every number the tiny run reports is finite', () => {
	// firstFailure is null for a run the pool never refused, vsNeverMove when there is no never-move
	// run, and round-robin has no shunt settings.
	const documented = (at: string) => {
		const match = /^results\.runs\[(\d+)\]\.(.+)$/.exec(at);
		const run = match && results['runs'][Number(match[1])];
		return match !== null && (['metrics.firstFailure', 'vsNeverMove'].includes(match[2]!)
			|| (run.name === 'round-robin' && ['strategy', 'stickyTtlMs', 'burstRpmLimit'].includes(match[2]!)));
	};

	const problems = notFinite(results, 'results', documented);
	assert.deepEqual(problems, []);
	for (const entry of results['runs']) {
		const {metrics} = entry;
		assert.ok(Object.keys(metrics.requests).length >= 8 && Object.keys(metrics.cache).length >= 8, `${entry.name}: the metrics are there`);
	}
});

test('the default strategy turns clients away less than round-robin does', () => {
	const run = (name: string) => results['runs'].find((entry: {name: string}) => entry.name === name).metrics.requests;
	const best = run(defaultSettings.strategy);
	const naive = run('round-robin');
	// Round-robin's refusals end their tasks early, so it sends far fewer requests: compare shares.
	const share = (requests: {failed: number; total: number}) => requests.failed / requests.total;
	assert.ok(share(best) < share(naive), `${defaultSettings.strategy} refused ${best.failed} of ${best.total}, round-robin ${naive.failed} of ${naive.total}`);
	// And it refuses nothing some account could have served, while round-robin does.
	assert.ok(best.failedWhileServable < naive.failedWhileServable, `servable refusals: ${defaultSettings.strategy} ${best.failedWhileServable}, round-robin ${naive.failedWhileServable}`);
	assert.ok(best.served > naive.served, `served: ${defaultSettings.strategy} ${best.served}, round-robin ${naive.served}`);
});

test('bad arguments get one line and exit 2', async () => {
	const {code, stderr} = await run(['--jobs', 'lots']);
	assert.equal(code, 2);
	assert.match(stderr, /^routing bench: --jobs needs a whole number/);
	assert.equal(stderr.trim().split('\n').length, 1);
});
