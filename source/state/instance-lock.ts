// One running shunt per data directory: two of them would each keep their own state in memory and
// overwrite each other's state.json (savings and the pin were lost that way).
//
// A plain pid lock, on purpose: proper-lockfile's mtime locks need a timer refreshing them for as
// long as the process runs, a stale timeout that guesses, and they cannot carry the listening
// port, which the refusal message needs. A pid is checked at once (`kill(pid, 0)`), and a killed
// shunt's lock is recognised as stale by the next start without any wait.
import {
	closeSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync,
} from 'node:fs';
import {randomBytes} from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import {writeFileAtomicSync} from '../util/atomic-write.js';

export const lockFileName = 'shunt.lock';

/** What the lock file holds. */
export type LockHolder = {
	pid: number;
	/** The machine: a pid means nothing on another one (a SHUNT_HOME on a shared disk). */
	hostname: string;
	/** The listen address asked for, and once listening the bound port and URL (null before). */
	host: string;
	port: number | null;
	url: string | null;
	startedMs: number;
};

export class InstanceLockedError extends Error {
	/** Undefined when the file could not be read as a lock (being written this very moment). */
	readonly holder: LockHolder | undefined;
	readonly file: string;

	constructor(file: string, holder: LockHolder | undefined) {
		super(holder ? `${file} is held by pid ${holder.pid} on ${holder.hostname}` : `${file} is being written by another shunt`);
		this.file = file;
		this.holder = holder;
	}
}

export type InstanceLock = {
	readonly file: string;
	/** Records the bound address (known only after listening: port 0 picks one). */
	setAddress(url: string, port: number): void;
	/** Removes the lock if it is still ours. Safe to call more than once. */
	release(): void;
};

// A lock file that cannot be parsed is either being written right now (open and write are two
// steps) or debris from a crash during those microseconds; after this long it is the latter.
const unreadableGraceMs = 5000;
// Each round either creates the lock, refuses, or removes one stale lock; a few rounds cover
// contenders racing for the same stale lock.
const maxRounds = 5;

/**
 * Takes the data directory's lock or throws InstanceLockedError naming the live holder. The
 * directory is created 0700 if missing; the lock file is created exclusively, 0600.
 */
export function acquireInstanceLock(dataDir: string, options: {host: string}): InstanceLock {
	mkdirSync(dataDir, {recursive: true, mode: 0o700});
	const file = path.join(dataDir, lockFileName);
	const ours: LockHolder = {
		pid: process.pid, hostname: os.hostname(), host: options.host, port: null, url: null, startedMs: Date.now(),
	};
	for (let round = 0; round < maxRounds; round++) {
		if (tryCreate(file, ours)) {
			return heldLock(file, ours);
		}

		const found = readLock(file);
		if (found === 'missing') {
			continue;
		}

		if (found === 'unreadable') {
			if (Date.now() - mtimeMs(file) < unreadableGraceMs) {
				throw new InstanceLockedError(file, undefined);
			}
		} else if (isLive(found)) {
			throw new InstanceLockedError(file, found);
		}

		removeIfUnchanged(file, found);
	}

	throw new InstanceLockedError(file, undefined);
}

function tryCreate(file: string, holder: LockHolder): boolean {
	let fd: number;
	try {
		fd = openSync(file, 'wx', 0o600);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
			return false;
		}

		throw error;
	}

	try {
		writeSync(fd, JSON.stringify(holder));
	} catch (error) {
		// A full disk: no empty lock left behind to hold up the next start.
		rmSync(file, {force: true});
		throw error;
	} finally {
		closeSync(fd);
	}

	return true;
}

function heldLock(file: string, ours: LockHolder): InstanceLock {
	let released = false;
	const release = () => {
		if (released) {
			return;
		}

		released = true;
		process.off('exit', release);
		try {
			if (isOurs(readLock(file), ours)) {
				rmSync(file, {force: true});
			}
		} catch {
			// Unreadable now (the directory went away): nothing of ours left to remove.
		}
	};

	// A crash or process.exit() elsewhere still removes it; SIGKILL cannot, and the next start
	// sees the dead pid.
	process.once('exit', release);
	return {
		file,
		setAddress(url, port) {
			if (released || !isOurs(readLock(file), ours)) {
				return;
			}

			ours.url = url;
			ours.port = port;
			try {
				writeFileAtomicSync(file, JSON.stringify(ours));
			} catch {
				// A full disk: the lock still holds the pid, which is what keeps a second shunt out;
				// only the address in its message is missing.
			}
		},
		release,
	};
}

type ReadResult = LockHolder | 'missing' | 'unreadable';

function readLock(file: string): ReadResult {
	let text: string;
	try {
		// A lock file is a hundred bytes; anything much bigger is not one of ours.
		if (statSync(file).size > 4096) {
			return 'unreadable';
		}

		text = readFileSync(file, 'utf8');
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
			return 'missing';
		}

		throw error;
	}

	return parseHolder(text) ?? 'unreadable';
}

function parseHolder(text: string): LockHolder | undefined {
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch {
		return undefined;
	}

	if (typeof value !== 'object' || value === null) {
		return undefined;
	}

	const {pid, hostname, host, port, url, startedMs} = value as Record<string, unknown>;
	if (!Number.isSafeInteger(pid) || (pid as number) <= 0 || typeof hostname !== 'string' || typeof host !== 'string' || !Number.isFinite(startedMs)) {
		return undefined;
	}

	return {
		pid: pid as number,
		hostname,
		host,
		port: Number.isInteger(port) && (port as number) >= 0 && (port as number) <= 65_535 ? port as number : null,
		url: typeof url === 'string' && /^http:\/\/[\w.:[\]-]{1,300}$/.test(url) ? url : null,
		startedMs: startedMs as number,
	};
}

function isOurs(found: ReadResult, ours: LockHolder): boolean {
	return typeof found === 'object' && found.pid === ours.pid && found.startedMs === ours.startedMs && found.hostname === ours.hostname;
}

function isLive(holder: LockHolder): boolean {
	if (holder.hostname !== os.hostname()) {
		// Another machine's pid cannot be checked from here: only its owner may remove it.
		return true;
	}

	if (holder.pid === process.pid) {
		// Our own pid, written before this process existed: an earlier process that had the same
		// pid (pids are reused, in containers often at once). Written since: a lock this process holds.
		return holder.startedMs >= Date.now() - (process.uptime() * 1000);
	}

	try {
		process.kill(holder.pid, 0);
		return true;
	} catch (error) {
		// EPERM: alive, but another user's process.
		return (error as NodeJS.ErrnoException).code !== 'ESRCH';
	}
}

function mtimeMs(file: string): number {
	try {
		return statSync(file).mtimeMs;
	} catch {
		return 0;
	}
}

/**
 * Removes the stale lock `seen`, but never a fresh one that a racing start put there in the
 * meantime: the file is first moved aside (atomic), then checked. If what was moved turns out to
 * be someone's fresh lock, it is linked back (link fails if yet another start created one since,
 * and then that one stands).
 */
function removeIfUnchanged(file: string, seen: LockHolder | 'unreadable'): void {
	const aside = `${file}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
	try {
		renameSync(file, aside);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
			return;
		}

		throw error;
	}

	try {
		const moved = readLock(aside);
		const same = seen === 'unreadable'
			? moved === 'unreadable' && Date.now() - mtimeMs(aside) >= unreadableGraceMs
			: typeof moved === 'object' && moved.pid === seen.pid && moved.startedMs === seen.startedMs;
		if (!same) {
			try {
				linkSync(aside, file);
			} catch {
				// Another start created a lock since: it stands.
			}
		}
	} finally {
		rmSync(aside, {force: true});
	}
}
