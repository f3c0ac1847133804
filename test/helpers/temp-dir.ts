import process from 'node:process';
import {mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const created: string[] = [];

// Removed when the test process exits. (node:test's after() registered inside a before() hook
// runs too early, so cleanup is tied to the process instead.)
process.once('exit', () => {
	for (const directory of created) {
		rmSync(directory, {recursive: true, force: true});
	}
});

/** A fresh directory under the OS temp dir, removed when the test file's process exits. */
export function tempDir(prefix = 'shunt-test-'): string {
	const directory = mkdtempSync(path.join(os.tmpdir(), prefix));
	created.push(directory);
	return directory;
}
