// covers: source/bench/
// Smoke test for `npm run bench`: the built harness runs end to end with tiny counts and writes
// every section with real numbers. No timing assertions: speed targets live in the benchmark's
// own PASS/MISS verdicts, never in tests (a loaded CI machine must not fail the build).
import assert from 'node:assert/strict';
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {test} from 'node:test';
import {fileURLToPath} from 'node:url';
import {runScript} from '../helpers/shunt-process.js';

const runPath = fileURLToPath(new URL('../../dist/bench/run.js', import.meta.url));

function run(args: string[]) {
	return runScript(runPath, args);
}

/** Every number anywhere in the document, with where it sits. */
function numbers(value: unknown, at = '$'): Array<[string, number]> {
	if (typeof value === 'number') {
		return [[at, value]];
	}

	if (Array.isArray(value)) {
		return value.flatMap((item, index) => numbers(item, `${at}[${index}]`));
	}

	if (typeof value === 'object' && value !== null) {
		return Object.entries(value).flatMap(([key, item]) => numbers(item, `${at}.${key}`));
	}

	return [];
}

test('the benchmark runs with tiny counts and writes every section with finite numbers', async () => {
	const dir = mkdtempSync(path.join(tmpdir(), 'shunt-bench-test-'));
	try {
		const out = path.join(dir, 'results.json');
		const {code, stdout, stderr} = await run(['--quick', '--out', out]);
		assert.equal(code, 0, `bench exited ${code}\n${stderr}`);
		assert.match(stdout, /Budgets/);
		assert.match(stdout, /PASS|MISS/);

		const results = JSON.parse(readFileSync(out, 'utf8')) as Record<string, any>;
		for (const section of ['machine', 'config', 'latency', 'added', 'throughput', 'streaming', 'memory', 'monitor', 'clients', 'budgets']) {
			assert.ok(section in results, `results.json lacks "${section}"`);
		}

		for (const level of ['c1', 'c32', 'c64']) {
			for (const target of ['direct', 'pipe', 'shunt', 'shuntMonitor']) {
				const cell = results['latency'][level][target];
				assert.ok(cell, `latency.${level}.${target}`);
				assert.ok(cell.p50 > 0 && cell.p99 >= cell.p50 && cell.rps > 0, `latency.${level}.${target}: ${JSON.stringify(cell)}`);
			}
		}

		for (const target of ['direct', 'pipe', 'shunt', 'shuntMonitor']) {
			assert.ok(results['streaming'][target].events > 0, `streaming.${target} timed no events`);
		}

		for (const client of ['got', 'node:http', 'fetch']) {
			assert.ok(results['clients'][client].c32.rps > 0, `clients.${client}`);
		}

		assert.ok(results['memory'].steadyMb > 0 && results['memory'].afterAbortsMb > 0);
		assert.ok(results['memory'].aborts > 0, 'no stream was aborted mid-way');
		assert.equal(results['memory'].inFlightAfterAborts, 0, 'aborted requests still in flight');
		assert.ok(results['monitor'].terminalBytes > 0, 'the monitor drew nothing on its pty');
		assert.equal(results['errors'], 0);
		assert.ok(results['machine'].cores > 0 && typeof results['machine'].node === 'string');

		const budgets = results['budgets'] as Array<{name: string; pass: unknown}>;
		assert.ok(budgets.length >= 5);
		for (const budget of budgets) {
			assert.equal(typeof budget.pass, 'boolean', budget.name);
		}

		const numeric = numbers(results);
		assert.ok(numeric.length > 100);
		const broken = numeric.filter(([, value]) => !Number.isFinite(value));
		assert.deepEqual(broken, [], 'every number in results.json is finite');
	} finally {
		rmSync(dir, {recursive: true, force: true});
	}
});
