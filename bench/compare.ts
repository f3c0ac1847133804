// A quick A/B of the hot path: the pipe proxy, this build and (optionally) another build, headless,
// non-streaming at one concurrency on both workloads, interleaved over rounds. Prints the median
// req/s, the CPU each proxy spent per request, each shunt's throughput against the pipe's (also as
// the median of per-round ratios), and what the upstream and the load generator spent per request
// of each target (on two cores they share the CPU with the proxy under test).
// For trying a change in minutes; `npm run bench` remains the measurement of record.
//   npx tsc && node --import=tsx bench/compare.ts [--candidate-cli <other build's cli.js>] [--cli <the build measured as "shunt"; dist/cli.js>]
//       [--candidate-settings '{"historyRetentionDays": 0}'] [--candidate-env NAME=value] [--candidate-node-args "--flag"]
//       [--rounds 5] [--requests 4000] [--concurrency 32] [--rate <req/s>] [--pin]
// --rate paces every target at one rate (CPU per request at equal load: a busier process batches
// more work per event-loop turn, so closed-loop CPU figures also follow how fast each one ran);
// --pin puts the proxies on CPU 1 and the rest on CPU 0 (Linux, taskset).
// The candidate runs when any of these is given (this build, when no other is).
import {execFileSync} from 'node:child_process';
import path from 'node:path';
import process from 'node:process';
import {parseArgs} from 'node:util';
import {runLoad, workloads, type Target} from './load.js';
import {
	assertBuilt, cloneHomeWith, installCleanup, makeShuntHome, readCpuMs, readRssMb, startPipeProxyProcess, startShuntHeadless, startSimulator,
} from './processes.js';
import {median, pairedRatio, rotated} from './stats.js';

installCleanup();
assertBuilt();
const {values} = parseArgs({
	options: {
		cli: {type: 'string'},
		'candidate-cli': {type: 'string'},
		'candidate-settings': {type: 'string'},
		'candidate-env': {type: 'string', multiple: true},
		'candidate-node-args': {type: 'string'},
		rounds: {type: 'string', default: '5'},
		requests: {type: 'string', default: '4000'},
		concurrency: {type: 'string', default: '32'},
		// Proxies on CPU 1, the upstream and the load generator on CPU 0: CPU per request is then
		// measured with less interference (throughput is then bounded by CPU 0 and says little).
		pin: {type: 'boolean', default: false},
		// Paces every target at this many requests a second: CPU per request at equal load.
		rate: {type: 'string'},
	},
});
const candidate = values['candidate-cli'] ? path.resolve(values['candidate-cli']) : undefined;
// Two other builds against each other (a commit and its parent, say): --cli names the first.
const baseline = values.cli ? path.resolve(values.cli) : undefined;
for (const cli of [candidate, baseline]) {
	if (cli) {
		assertBuilt(cli);
	}
}

const rounds = Number(values.rounds);
const requests = Number(values.requests);
const concurrency = Number(values.concurrency);

const simulator = await startSimulator({
	accounts: 3, chunkDelayMs: 5, stampEvents: false, rpm: 100_000_000,
});
const home = await makeShuntHome(simulator.credentials);

const candidateSettings = values['candidate-settings'] ? JSON.parse(values['candidate-settings']) as Record<string, unknown> : undefined;
// Copied before either shunt starts: a running shunt's home holds its instance lock.
const candidateEnv = Object.fromEntries((values['candidate-env'] ?? []).map(pair => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));
const nodeArgs = values['candidate-node-args']?.split(' ').filter(Boolean);
const otherHome = candidate || candidateSettings || values['candidate-env'] || nodeArgs ? cloneHomeWith(home, candidateSettings ?? {}) : undefined;
const pipe = await startPipeProxyProcess(simulator.url);
const shunt = await startShuntHeadless({home, upstream: simulator.url, cli: baseline});
const other = otherHome
	? await startShuntHeadless({
		home: otherHome, upstream: simulator.url, cli: candidate, env: candidateEnv, nodeArgs,
	})
	: undefined;
if (values.pin) {
	const pin = (cpu: number, pid: number) => {
		execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], {stdio: 'ignore'});
	};

	for (const pid of [process.pid, simulator.pid]) {
		pin(0, pid);
	}

	for (const pid of [pipe.pid, shunt.pid, ...(other ? [other.pid] : [])]) {
		pin(1, pid);
	}
}

/** This process's CPU so far (the load generator runs in it), in ms. */
function ownCpuMs(): number {
	const {user, system} = process.cpuUsage();
	return (user + system) / 1000;
}

type Measured = Target & {pid: number};
const targets: Measured[] = [
	{
		name: 'pipe', url: pipe.url, headers: {'x-api-key': simulator.credentials[0]!}, pid: pipe.pid,
	},
	{
		name: 'shunt', url: shunt.url, headers: {}, pid: shunt.pid,
	},
	...(other
		? [{
			name: 'candidate', url: other.url, headers: {}, pid: other.pid,
		}]
		: []),
];

const lines: string[] = [];
for (const workload of workloads) {
	const rps = new Map<string, number[]>(targets.map(target => [target.name, []]));
	const cpu = new Map<string, number[]>(targets.map(target => [target.name, []]));
	// What the rest of the machine spent on each target's requests: the upstream and this load generator.
	const others = new Map<string, number[]>(targets.map(target => [target.name, []]));
	for (let round = 0; round < rounds; round++) {
		// The leading target rotates each round, so a slow stretch of the machine hits each alike.
		const order = rotated(targets, round);
		for (const target of order) {
			const before = readCpuMs(target.pid);
			const othersBefore = readCpuMs(simulator.pid) + ownCpuMs();
			// eslint-disable-next-line no-await-in-loop
			const run = await runLoad({
				target, concurrency, requests, warmup: 200, workload, rate: values.rate ? Number(values.rate) : undefined,
			});
			rps.get(target.name)!.push(run.rps);
			cpu.get(target.name)!.push(((readCpuMs(target.pid) - before) * 1000) / (requests + 200));
			const othersAfter = readCpuMs(simulator.pid) + ownCpuMs();
			others.get(target.name)!.push(((othersAfter - othersBefore) * 1000) / (requests + 200));
		}

		process.stderr.write(`${workload} round ${round + 1}/${rounds}\n`);
	}

	const pipeRps = median(rps.get('pipe')!);
	const perRound = (name: string, of: Map<string, number[]>) => pairedRatio(of.get(name)!, of.get('pipe')!);
	for (const target of targets) {
		const targetRps = median(rps.get(target.name)!);
		lines.push(`${workload.padEnd(18)} ${target.name.padEnd(10)} ${targetRps.toFixed(0).padStart(6)} req/s  ${median(cpu.get(target.name)!).toFixed(0).padStart(4)} µs CPU/request  ${(targetRps / pipeRps).toFixed(2)}× pipe (per round ${perRound(target.name, rps).toFixed(2)}×, CPU ${perRound(target.name, cpu).toFixed(2)}×)  upstream+load ${median(others.get(target.name)!).toFixed(0)} µs  RSS ${readRssMb(target.pid).toFixed(0)} MB`);
	}
}

await Promise.all([shunt.stop(), other?.stop(), pipe.stop()]);
await simulator.stop();
process.stdout.write(`c=${concurrency}, ${rounds} rounds of ${requests} requests, medians\n${lines.join('\n')}\n`);
