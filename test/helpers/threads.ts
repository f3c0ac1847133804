// The threads of a running process, from /proc (Linux): for tests of which threads the monitor lowers.
import {readdirSync, readFileSync} from 'node:fs';

export type ThreadInfo = {tid: number; name: string; nice: number};

export function threadsOf(pid: number): ThreadInfo[] {
	return readdirSync(`/proc/${pid}/task`).map(tid => {
		const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
		// Fields after "(name) " start at field 3; nice is field 19.
		const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
		return {tid: Number(tid), name: readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim(), nice: Number(fields[16])};
	});
}

/** The process `script` (util-linux) started: a shell that execs node, so script's only child. */
export function childOf(scriptPid: number): number {
	return Number(readFileSync(`/proc/${scriptPid}/task/${scriptPid}/children`, 'utf8').trim().split(' ')[0]);
}
