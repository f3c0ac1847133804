import fs from 'node:fs';
import os from 'node:os';
import process from 'node:process';

/** Nice value of the threads that draw the monitor: on a busy machine the proxy gets the CPU first. */
export const drawingNice = 10;

/**
 * The kernel's id of the calling thread (Linux only: `/proc/thread-self` links to
 * `<pid>/task/<tid>`). The proxy's worker reports it so the screen can leave that one thread at
 * normal priority and lower all the others.
 */
export function currentThreadId(): number | undefined {
	if (process.platform !== 'linux') {
		return undefined;
	}

	try {
		const tid = Number(/\/task\/(\d+)$/.exec(fs.readlinkSync('/proc/thread-self'))?.[1]);
		return Number.isSafeInteger(tid) && tid > 0 ? tid : undefined;
	} catch {
		return undefined;
	}
}

/**
 * Gives every thread of this process but `keep` (if given) the nice value `nice`. On Linux a nice value
 * belongs to a thread, and node's helper threads (V8's garbage-collection and compile workers,
 * libuv's pool) start at normal priority before anyone can lower them; they do the drawing
 * thread's collection work too, so lowering the drawing thread alone leaves much of a frame's cost
 * competing with the proxy at full priority. A thread the kernel refuses (a sandbox) or that
 * ended meanwhile is skipped: this is only a preference.
 */
export function lowerThreads(nice: number, keep?: number): void {
	let tids: string[];
	try {
		tids = fs.readdirSync('/proc/self/task');
	} catch {
		return;
	}

	for (const name of tids) {
		const tid = Number(name);
		if (!Number.isSafeInteger(tid) || tid === keep) {
			continue;
		}

		try {
			os.setPriority(tid, nice);
		} catch {}
	}
}

/**
 * Gives the caller drawingNice: on Linux the calling thread only, elsewhere the whole process. A
 * refusal (a sandbox) is ignored; the screen works the same at normal priority.
 */
export function lowerPriority(): void {
	try {
		os.setPriority(drawingNice);
	} catch {}
}
