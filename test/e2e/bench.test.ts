// covers: bench/
// Smoke test for `npm run bench`: the benchmark (bench/run.ts, run from source with tsx, as npm
// run bench runs it) measures the built dist/cli.js end to end with tiny counts and writes every
// section with real numbers. No timing assertions: speed targets live in the benchmark's own
// PASS/MISS verdicts, never in tests (a loaded CI machine must not fail the build).
import process from 'node:process';
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {test} from 'node:test';
import {fileURLToPath} from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

type Completed = {code: number | null; stdout: string; stderr: string};

/** `node --import=tsx bench/run.ts …` from the repository root; killed if still going after 100 s. */
async function run(args: string[]): Promise<Completed> {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, ['--import=tsx', 'bench/run.ts', ...args], {cwd: root, stdio: ['ignore', 'pipe', 'pipe']});
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', chunk => {
			stdout += String(chunk);
		});
		child.stderr.on('data', chunk => {
			stderr += String(chunk);
		});
		// SIGINT: the bench's own handler then stops every child it started.
		const timer = setTimeout(() => {
			child.kill('SIGINT');
		}, 100_000);
		child.once('error', reject);
		child.once('close', code => {
			clearTimeout(timer);
			resolve({code, stdout, stderr});
		});
	});
}

const escapeRegExp = (text: string) => text.replaceAll(/[.*+?^${}()|[\]\\]/g, String.raw`\$&`);

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
		for (const section of ['machine', 'config', 'workloads', 'latency', 'added', 'throughput', 'streaming', 'rssAfterRun', 'newConversations', 'chatCompletions', 'team', 'history', 'memory', 'monitor', 'clients', 'budgets']) {
			assert.ok(section in results, `results.json lacks "${section}"`);
		}

		// The benchmark runs from source, but what it measures is the build users run.
		assert.equal(results['shuntCli'], path.join('dist', 'cli.js'));

		for (const level of ['c1', 'c32', 'c64']) {
			for (const target of ['direct', 'pipe', 'shunt', 'shuntMonitor', 'shuntAttached']) {
				const cell = results['latency'][level][target];
				assert.ok(cell, `latency.${level}.${target}`);
				assert.ok(cell.p50 > 0 && cell.p99 >= cell.p50 && cell.rps > 0, `latency.${level}.${target}: ${JSON.stringify(cell)}`);
			}
		}

		for (const target of ['direct', 'pipe', 'shunt', 'shuntMonitor', 'shuntAttached']) {
			assert.ok(results['streaming'][target].events > 0, `streaming.${target} timed no events`);
		}

		for (const client of ['got', 'node:http', 'fetch']) {
			assert.ok(results['clients'][client].c32.rps > 0, `clients.${client}`);
		}

		// The SDK-agent workload: every request a conversation never seen, checked at the simulator.
		const fresh = results['newConversations'];
		for (const level of ['c1', 'c32']) {
			for (const target of ['direct', 'pipe', 'shunt']) {
				const cell = fresh.latency[level][target];
				assert.ok(cell.p50 > 0 && cell.p99 >= cell.p50 && cell.rps > 0, `newConversations.latency.${level}.${target}: ${JSON.stringify(cell)}`);
			}
		}

		assert.ok(fresh.throughput.c32.shuntToPipe > 0);
		assert.deepEqual(fresh.check, {
			requests: 20, seenUpstream: 20, distinctPrompts: 20, sessionHeaders: 0, userIds: 0,
		});
		for (const rss of [results['rssAfterRun'], fresh.rssAfterRun]) {
			assert.ok(rss.pipe.afterRunMb > 0 && rss.shunt.afterRunMb > 0 && rss.shunt.peakMb >= rss.shunt.afterRunMb - 0.1, JSON.stringify(rss));
			assert.ok(rss.requestsPerTarget > 0);
		}

		// The OpenAI front door's row: the same shunt serving the request as a chat completion.
		const chat = results['chatCompletions'];
		for (const target of ['direct', 'shunt', 'shuntChat']) {
			const cell = chat.c1[target];
			assert.ok(cell.p50 > 0 && cell.p99 >= cell.p50 && cell.rps > 0 && cell.errors === 0, `chatCompletions.c1.${target}: ${JSON.stringify(cell)}`);
		}

		assert.equal(chat.addedP50, Math.round((chat.c1.shuntChat.p50 - chat.c1.direct.p50) * 1000) / 1000);
		assert.match(stdout, /^shunt \/v1\/chat\/completions\s+\d+\.\d{3}\s+\d+\.\d{3}\s+-?\d+\.\d{3}\s+-?\d+\.\d{3}\s+\d+$/m, 'the table shows the chat-completions row');

		// Team mode: one instance of a pool of two on the bench's own redis-server, next to local mode.
		const {team} = results;
		for (const level of ['c1', 'c32']) {
			for (const target of ['direct', 'shunt', 'shuntTeam']) {
				const cell = team.latency[level][target];
				assert.ok(cell.p50 > 0 && cell.p99 >= cell.p50 && cell.rps > 0 && cell.errors === 0, `team.latency.${level}.${target}: ${JSON.stringify(cell)}`);
			}

			assert.equal(team.addedOverLocalP50[level], Math.round((team.latency[level].shuntTeam.p50 - team.latency[level].shunt.p50) * 1000) / 1000);
		}

		assert.deepEqual([team.pool.before, team.pool.after].map(state => [state.instances, state.redis]), [[2, 'connected'], [2, 'connected']]);
		assert.ok(team.redisCommandsPerRequest > 0, 'the team instance wrote nothing to Redis');
		assert.match(stdout, /^shunt team mode\s+\d+\.\d{3}\s+\d+\.\d{3}\s+-?\d+\.\d{3}\s/m, 'the table shows the team-mode row');

		// History on against off (historyRetentionDays 0): the same requests to two fresh shunts.
		const {history} = results;
		for (const level of ['c1', 'c32']) {
			for (const target of ['direct', 'shunt', 'shuntNoHistory']) {
				const cell = history.latency[level][target];
				assert.ok(cell.p50 > 0 && cell.p99 >= cell.p50 && cell.rps > 0 && cell.errors === 0, `history.latency.${level}.${target}: ${JSON.stringify(cell)}`);
			}

			assert.equal(history.addedP50[level], Math.round((history.latency[level].shunt.p50 - history.latency[level].shuntNoHistory.p50) * 1000) / 1000);
		}

		assert.match(stdout, /^shunt, history off\s+\d+\.\d{3}\s/m, 'the table shows the history-off row');

		assert.ok(results['memory'].steadyMb > 0 && results['memory'].afterAbortsMb > 0);
		assert.ok(results['memory'].aborts > 0, 'no stream was aborted mid-way');
		assert.equal(results['memory'].inFlightAfterAborts, 0, 'aborted requests still in flight');
		assert.ok(results['monitor'].terminalBytes > 0, 'the monitor drew nothing on its pty');
		// `shunt monitor` attached to a headless shunt drew on its own pty, and the proxy it
		// watched is held to the in-process monitor's budgets.
		assert.ok(results['monitor'].attached.terminalBytes > 0, 'the attached monitor drew nothing on its pty');
		assert.ok(results['throughput'].c32.attachedToHeadless > 0);
		assert.equal(results['errors'], 0);
		assert.ok(results['machine'].cores > 0 && typeof results['machine'].node === 'string');

		const budgets = results['budgets'] as Array<{name: string; workload: string; budget: string; pass: unknown}>;
		assert.ok(budgets.length >= 5);
		for (const budget of budgets) {
			assert.equal(typeof budget.pass, 'boolean', budget.name);
			const verdict = new RegExp(String.raw`^${escapeRegExp(budget.name)}\s+${escapeRegExp(budget.budget)}\s.*\s${budget.pass ? 'PASS' : 'MISS'}$`, 'm');
			assert.match(stdout, verdict, `the table does not show "${budget.name}" with its verdict`);
		}

		const monitorBudgets = (prefix: string) => budgets.filter(budget => budget.name.startsWith(`${prefix} ÷ headless: `)).map(budget => `${budget.name.slice(prefix.length)} ${budget.budget}`);
		assert.equal(monitorBudgets('monitor').length, 6);
		assert.deepEqual(monitorBudgets('attached monitor'), monitorBudgets('monitor'));

		// Both workloads are held to the same three budgets: added p50, throughput and RSS against the pipe proxy.
		for (const workload of ['one-conversation', 'new-conversations']) {
			const own = new Set(budgets.filter(budget => budget.workload === workload).map(budget => budget.budget));
			for (const limit of ['≤ 0.3 ms', '≥ 0.90×', '≤ 30 MB']) {
				assert.ok(own.has(limit), `${workload} has no "${limit}" budget`);
			}
		}

		assert.ok(budgets.some(budget => budget.name.startsWith('team mode: added p50')) && budgets.some(budget => budget.name.startsWith('team mode: throughput')), 'team mode has its budgets');
		assert.ok(budgets.some(budget => budget.name.startsWith('history: added p50')) && budgets.some(budget => budget.name.startsWith('history: throughput')), 'the history has its budgets');

		const numeric = numbers(results);
		assert.ok(numeric.length > 100);
		const broken = numeric.filter(([, value]) => !Number.isFinite(value));
		assert.deepEqual(broken, [], 'every number in results.json is finite');
	} finally {
		rmSync(dir, {recursive: true, force: true});
	}
});
