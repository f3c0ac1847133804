// Profiles the built shunt (dist/cli.js; headless unless --target says otherwise) under the
// benchmark's load and prints where its CPU time goes:
//   npx tsc && node --import=tsx bench/profile.ts [--requests 30000] [--concurrency 32] [--stream]
//                                                 [--target shunt|monitor|pipe] [--new-conversations] [--keep <dir>]
//                                                 [--cli <another build's cli.js>]
// --new-conversations sends the benchmark's SDK-agent workload (every request a new conversation).
// The .cpuprofile files are written by node itself (--cpu-prof) when the child exits cleanly.
import {readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import {parseArgs} from 'node:util';
import {formatSummary, summarizeProfile} from './cpuprofile-summary.js';
import {runLoad, runStreams, type Target} from './load.js';
import {
	assertBuilt, installCleanup, makeShuntHome, makeTempDir, startPipeProxyProcess, startShuntHeadless, startShuntPty, startSimulator,
} from './processes.js';

installCleanup();
assertBuilt();
const {values} = parseArgs({
	options: {
		requests: {type: 'string', default: '30000'},
		concurrency: {type: 'string', default: '32'},
		stream: {type: 'boolean', default: false},
		'new-conversations': {type: 'boolean', default: false},
		target: {type: 'string', default: 'shunt'},
		keep: {type: 'string'},
		cli: {type: 'string'},
		top: {type: 'string', default: '30'},
	},
});
const cli = values.cli ? path.resolve(values.cli) : undefined;
assertBuilt(cli);
const requests = Number(values.requests);
const concurrency = Number(values.concurrency);
const dir = values.keep ? path.resolve(values.keep) : makeTempDir('shunt-bench-prof-');
const nodeArgs = ['--cpu-prof', '--cpu-prof-dir', dir];

const simulator = await startSimulator({
	accounts: 3, chunkDelayMs: 5, stampEvents: true, rpm: 100_000_000,
});
let target: Target;
let stop: () => Promise<void>;
if (values.target === 'pipe') {
	const pipe = await startPipeProxyProcess(simulator.url, nodeArgs);
	target = {name: 'pipe', url: pipe.url, headers: {'x-api-key': simulator.credentials[0]!}};
	stop = pipe.stop;
} else if (values.target === 'monitor') {
	// The monitor's own rendering shows up in the same profile (React, Ink, yoga-layout).
	const shunt = await startShuntPty({
		home: await makeShuntHome(simulator.credentials), upstream: simulator.url, nodeArgs, cli,
	});
	target = {name: 'shuntMonitor', url: shunt.url, headers: {}};
	stop = shunt.stop;
} else {
	const shunt = await startShuntHeadless({
		home: await makeShuntHome(simulator.credentials), upstream: simulator.url, nodeArgs, cli,
	});
	target = {name: 'shunt', url: shunt.url, headers: {}};
	stop = shunt.stop;
}

const load = values.stream
	? await runStreams({
		target, concurrency, requests, warmup: 0,
	}).then(result => `${result.eventLatencies.length} events, ${result.errors} errors`)
	: await runLoad({
		target, concurrency, requests, warmup: 0, workload: values['new-conversations'] ? 'new-conversations' : 'one-conversation',
	}).then(result => `${result.rps.toFixed(0)} req/s, ${result.errors} errors`);
await stop();
await simulator.stop();
const files = readdirSync(dir).filter(name => name.endsWith('.cpuprofile'));
if (files.length === 0) {
	throw new Error(`no .cpuprofile in ${dir}`);
}

process.stdout.write(`${values.target} under ${requests} ${values.stream ? 'streaming' : (values['new-conversations'] ? 'non-streaming new-conversation' : 'non-streaming')} requests at concurrency ${concurrency}: ${load}\n`);
for (const file of files) {
	const profile = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Parameters<typeof summarizeProfile>[0];
	process.stdout.write(`\n${path.join(dir, file)}\n${formatSummary(summarizeProfile(profile, Number(values.top)))}\n`);
}
