import {mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {after} from 'node:test';

/** A fresh directory under the OS temp dir, removed when the test file finishes. */
export function tempDir(prefix = 'shunt-test-'): string {
	const directory = mkdtempSync(path.join(os.tmpdir(), prefix));
	after(() => {
		rmSync(directory, {recursive: true, force: true});
	});
	return directory;
}
