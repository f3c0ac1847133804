import {randomBytes} from 'node:crypto';
import {writeFileSync, renameSync, mkdirSync, rmSync, chmodSync} from 'node:fs';
import {writeFile, rename, mkdir, rm} from 'node:fs/promises';
import path from 'node:path';

// Every file shunt keeps is written to a temp file beside it and renamed over the old one, so a
// crash mid-write leaves either the old or the new content, never half of each. Temp names are
// unique per write so two writers cannot clobber each other's temp file.

function temporaryPath(file: string): string {
	return `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
}

export function writeFileAtomicSync(file: string, data: string, mode = 0o600): void {
	mkdirSync(path.dirname(file), {recursive: true, mode: 0o700});
	const temporary = temporaryPath(file);
	try {
		writeFileSync(temporary, data, {mode});
		// The mode option is masked by umask; set it explicitly so secrets never end up world-readable.
		chmodSync(temporary, mode);
		renameSync(temporary, file);
	} catch (error) {
		rmSync(temporary, {force: true});
		throw error;
	}
}

export async function writeFileAtomic(file: string, data: string, mode = 0o600): Promise<void> {
	await mkdir(path.dirname(file), {recursive: true, mode: 0o700});
	const temporary = temporaryPath(file);
	try {
		await writeFile(temporary, data, {mode});
		chmodSync(temporary, mode);
		await rename(temporary, file);
	} catch (error) {
		await rm(temporary, {force: true});
		throw error;
	}
}
