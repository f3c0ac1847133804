// A quick A/B of the streaming p99 with the monitor on: shunt headless, a second copy of it (the
// control: what two identical processes differ by here), shunt with its monitor on a pty, and
// optionally another build's monitor, interleaved over rounds. Prints each one's median p99 per
// event and its paired ratio to headless (the median of per-round ratios, as `npm run bench`
// judges the monitor). For work on the monitor's cost; `npm run bench` stays the record.
//   npx tsc && node --import=tsx bench/stream-compare.ts [--candidate-cli <other build's cli.js>] [--rounds 8] [--streams 450]
import path from 'node:path';
import process from 'node:process';
import {parseArgs} from 'node:util';
import {runStreams} from './load.js';
import {
	assertBuilt, cloneHome, installCleanup, makeShuntHome, startShuntHeadless, startShuntPty, startSimulator, type ShuntProcess,
} from './processes.js';
import {
	median, pairedRatio, rotated, summarize,
} from './stats.js';

installCleanup();
assertBuilt();
const {values} = parseArgs({
	options: {
		'candidate-cli': {type: 'string'},
		rounds: {type: 'string', default: '8'},
		streams: {type: 'string', default: '450'},
	},
});
const candidate = values['candidate-cli'] ? path.resolve(values['candidate-cli']) : undefined;
if (candidate) {
	assertBuilt(candidate);
}

const rounds = Number(values.rounds);
const streams = Number(values.streams);
const simulator = await startSimulator({
	accounts: 3, chunkDelayMs: 5, stampEvents: true, rpm: 100_000_000,
});
const home = await makeShuntHome(simulator.credentials);
// Copied before any shunt starts: a running shunt's home holds its instance lock.
const homes = [cloneHome(home), cloneHome(home), cloneHome(home)] as const;
const targets: Record<string, ShuntProcess> = {
	headless: await startShuntHeadless({home, upstream: simulator.url}),
	control: await startShuntHeadless({home: homes[0], upstream: simulator.url}),
	monitor: await startShuntPty({home: homes[1], upstream: simulator.url}),
	...(candidate ? {'candidate monitor': await startShuntPty({home: homes[2], upstream: simulator.url, cli: candidate})} : {}),
};
const names = Object.keys(targets);
const p99 = new Map<string, number[]>(names.map(name => [name, []]));
const target = (name: string) => ({name, url: targets[name]!.url, headers: {}});
for (const name of names) {
	// eslint-disable-next-line no-await-in-loop
	await runStreams({
		target: target(name), concurrency: 4, requests: 100, warmup: 0,
	});
}

for (let round = 0; round < rounds; round++) {
	for (const name of rotated(names, round)) {
		// eslint-disable-next-line no-await-in-loop
		const run = await runStreams({
			target: target(name), concurrency: 4, requests: streams, warmup: 4,
		});
		p99.get(name)!.push(summarize(run.eventLatencies).p99);
	}

	process.stderr.write(`round ${round + 1}/${rounds}\n`);
}

await Promise.all(Object.values(targets).map(async shunt => shunt.stop()));
await simulator.stop();
const lines = names.map(name => `${name.padEnd(18)} p99 ${median(p99.get(name)!).toFixed(3)} ms  ÷ headless ${pairedRatio(p99.get(name)!, p99.get('headless')!).toFixed(2)}× paired  rounds ${p99.get(name)!.map(value => value.toFixed(2)).join(' ')}`);
process.stdout.write(`streaming p99 per event, 4 concurrent streams, ${rounds} rounds of ${streams} streams\n${lines.join('\n')}\n`);
