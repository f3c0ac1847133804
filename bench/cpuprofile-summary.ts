// Summarises a V8 .cpuprofile (from node --cpu-prof): self time per function and per origin
// (a node_modules package, node's internals, or one of our files), so "where does shunt's time
// go" has a short answer.
//   node --import=tsx bench/cpuprofile-summary.ts <file.cpuprofile> [--top 30]
import {readFileSync} from 'node:fs';
import process from 'node:process';
import {pathToFileURL} from 'node:url';
import {parseArgs} from 'node:util';

type ProfileNode = {
	id: number;
	callFrame: {functionName: string; url: string; lineNumber: number; columnNumber: number};
	children?: number[];
};

type CpuProfile = {nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number};

export type Row = {name: string; ms: number; percent: number};

export type ProfileSummary = {totalMs: number; idleMs: number; functions: Row[]; origins: Row[]; inclusive: Row[]};

/** Where a frame's code comes from: a package name, node:internal, or a path under dist/. */
export function originOf(url: string, functionName: string): string {
	if (url === '') {
		// Frames without a script: (garbage collector), (idle), (program), native builtins.
		return functionName.startsWith('(') ? functionName : '(native)';
	}

	const packageMatch = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
	if (packageMatch) {
		return `pkg:${packageMatch[1]}`;
	}

	if (url.startsWith('node:')) {
		// node:internal/http... → node:http-ish bucket names stay readable.
		return url.replace(/^node:internal\//, 'node:').replace(/\/.*$/, '');
	}

	const distMatch = /\/dist\/(.+)$/.exec(url);
	return distMatch ? distMatch[1]! : url;
}

export function summarizeProfile(profile: CpuProfile, top = 30): ProfileSummary {
	const byId = new Map(profile.nodes.map(node => [node.id, node]));
	const parentOf = new Map<number, number>();
	for (const node of profile.nodes) {
		for (const child of node.children ?? []) {
			parentOf.set(child, node.id);
		}
	}

	const selfUs = new Map<number, number>();
	// Each sample is attributed the time until the next one (timeDeltas[i + 1]).
	for (let index = 0; index < profile.samples.length; index++) {
		const id = profile.samples[index]!;
		const delta = profile.timeDeltas[index + 1] ?? 0;
		selfUs.set(id, (selfUs.get(id) ?? 0) + delta);
	}

	const keyOf = (frame: ProfileNode['callFrame']): string => {
		const name = frame.functionName || '(anonymous)';
		return `${name}  ${originOf(frame.url, name)}${frame.url ? `:${frame.lineNumber + 1}` : ''}`;
	};

	const functions = new Map<string, number>();
	const origins = new Map<string, number>();
	// Inclusive time of our own code (dist/): a function is counted once per sample however deep
	// it recurses, so "proxyRequest 60 %" means 60 % of busy samples had it on the stack.
	const inclusive = new Map<string, number>();
	let totalUs = 0;
	let idleUs = 0;
	for (const [id, us] of selfUs) {
		const frame = byId.get(id)!.callFrame;
		const name = frame.functionName || '(anonymous)';
		if (name === '(idle)') {
			idleUs += us;
			continue;
		}

		totalUs += us;
		const key = keyOf(frame);
		functions.set(key, (functions.get(key) ?? 0) + us);
		const origin = originOf(frame.url, name);
		origins.set(origin, (origins.get(origin) ?? 0) + us);
		const seen = new Set<string>();
		for (let current: number | undefined = id; current !== undefined; current = parentOf.get(current)) {
			const {callFrame} = (byId.get(current)!);
			if (callFrame.url.includes('/dist/') || callFrame.url.includes('node_modules/got/')) {
				seen.add(keyOf(callFrame));
			}
		}

		for (const stackKey of seen) {
			inclusive.set(stackKey, (inclusive.get(stackKey) ?? 0) + us);
		}
	}

	const rows = (map: Map<string, number>): Row[] => [...map]
		.toSorted((a, b) => b[1] - a[1])
		.slice(0, top)
		.map(([name, us]) => ({name, ms: us / 1000, percent: totalUs > 0 ? (us / totalUs) * 100 : 0}));
	return {
		totalMs: totalUs / 1000, idleMs: idleUs / 1000, functions: rows(functions), origins: rows(origins), inclusive: rows(inclusive),
	};
}

export function formatSummary(summary: ProfileSummary): string {
	const line = (row: Row) => `${row.ms.toFixed(0).padStart(8)} ms ${row.percent.toFixed(1).padStart(5)} %  ${row.name}`;
	return [
		`busy ${summary.totalMs.toFixed(0)} ms, idle ${summary.idleMs.toFixed(0)} ms`,
		'',
		'self time by origin:',
		...summary.origins.map(row => line(row)),
		'',
		'self time by function:',
		...summary.functions.map(row => line(row)),
		'',
		'inclusive time, our code and got:',
		...summary.inclusive.map(row => line(row)),
	].join('\n');
}

function main(): void {
	const {values, positionals} = parseArgs({allowPositionals: true, options: {top: {type: 'string'}}});
	const file = positionals[0];
	if (!file) {
		process.stderr.write('usage: node --import=tsx bench/cpuprofile-summary.ts <file.cpuprofile> [--top 30]\n');
		process.exit(2);
	}

	const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
	process.stdout.write(`${formatSummary(summarizeProfile(profile, Number(values.top ?? 30)))}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
	main();
}
