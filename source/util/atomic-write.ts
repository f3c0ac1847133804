import process from 'node:process';
import {randomBytes} from 'node:crypto';
import {
	closeSync, fchmodSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync, writeFileSync,
} from 'node:fs';
import {
	mkdir, open, rename, rm,
} from 'node:fs/promises';
import path from 'node:path';

// Every file shunt keeps is written to a temp file beside it and renamed over the old one, so a
// crash mid-write leaves either the old or the new content, never half of each. Temp names are
// unique per write so two writers cannot clobber each other's temp file. The temp file is synced
// before the rename (otherwise a power cut can leave the new name pointing at empty blocks) and
// the directory after it (so the rename itself is on disk).

function temporaryPath(file: string): string {
	return `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
}

// Directories cannot be opened or synced everywhere (Windows refuses; some filesystems say
// EINVAL): there the rename is as durable as the platform makes it.
const unsyncableDirectory = new Set(['EISDIR', 'EPERM', 'EACCES', 'EINVAL', 'ENOTSUP', 'EBADF']);

function syncDirectorySync(directory: string): void {
	let fd: number | undefined;
	try {
		fd = openSync(directory, 'r');
		fsyncSync(fd);
	} catch (error) {
		if (!unsyncableDirectory.has((error as NodeJS.ErrnoException).code ?? '')) {
			throw error;
		}
	} finally {
		if (fd !== undefined) {
			closeSync(fd);
		}
	}
}

async function syncDirectory(directory: string): Promise<void> {
	try {
		const handle = await open(directory, 'r');
		try {
			await handle.sync();
		} finally {
			await handle.close();
		}
	} catch (error) {
		if (!unsyncableDirectory.has((error as NodeJS.ErrnoException).code ?? '')) {
			throw error;
		}
	}
}

export function writeFileAtomicSync(file: string, data: string, mode = 0o600): void {
	mkdirSync(path.dirname(file), {recursive: true, mode: 0o700});
	const temporary = temporaryPath(file);
	try {
		const fd = openSync(temporary, 'wx', mode);
		try {
			// The mode argument is masked by umask; set it explicitly so secrets never end up world-readable.
			fchmodSync(fd, mode);
			writeFileSync(fd, data);
			fsyncSync(fd);
		} finally {
			closeSync(fd);
		}

		renameSync(temporary, file);
	} catch (error) {
		rmSync(temporary, {force: true});
		throw error;
	}

	syncDirectorySync(path.dirname(file));
}

export async function writeFileAtomic(file: string, data: string, mode = 0o600): Promise<void> {
	await mkdir(path.dirname(file), {recursive: true, mode: 0o700});
	const temporary = temporaryPath(file);
	try {
		const handle = await open(temporary, 'wx', mode);
		try {
			await handle.chmod(mode);
			await handle.writeFile(data);
			await handle.sync();
		} finally {
			await handle.close();
		}

		await rename(temporary, file);
	} catch (error) {
		await rm(temporary, {force: true});
		throw error;
	}

	await syncDirectory(path.dirname(file));
}

/** Whether a process with this id is running (one we may not signal still counts). */
function processAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

// A temp file this old cannot belong to a write in progress (writes take milliseconds), even if
// its pid has been reused since: containers restart shunt as the same pid every time.
const staleAfterMs = 60 * 60 * 1000;

/**
 * Removes temp files (`<file>.tmp-<pid>-<hex>`) that interrupted writes left beside file: those
 * whose writer is no longer running, or that are over an hour old. Best effort: a directory that
 * cannot be read, or a file that is already gone, is left alone. Returns how many were removed.
 */
export function removeStaleTempFiles(file: string, nowMs = Date.now()): number {
	const directory = path.dirname(file);
	const prefix = `${path.basename(file)}.tmp-`;
	let names: string[];
	try {
		names = readdirSync(directory);
	} catch {
		return 0;
	}

	let removed = 0;
	for (const name of names) {
		if (!name.startsWith(prefix)) {
			continue;
		}

		const match = /^(\d{1,10})-[\da-f]+$/.exec(name.slice(prefix.length));
		if (!match) {
			continue;
		}

		const temporary = path.join(directory, name);
		const pid = Number(match[1]);
		try {
			const abandoned = pid !== process.pid && !processAlive(pid);
			if (abandoned || nowMs - statSync(temporary).mtimeMs > staleAfterMs) {
				rmSync(temporary, {force: true});
				removed++;
			}
		} catch {
			// Gone already, or not ours to remove: nothing to clean.
		}
	}

	return removed;
}
