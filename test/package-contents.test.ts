// What `npm publish` would ship: the built product only. The benchmark, the monitor preview and
// the benchmark's simulator process are developer tooling that lives outside source/ and must
// never reach a user's node_modules. `npm test` builds dist/ from a clean slate first, so a file
// listed here really comes from the current source, not from an old build.
import assert from 'node:assert/strict';
import {execFile} from 'node:child_process';
import path from 'node:path';
import {test} from 'node:test';
import {fileURLToPath} from 'node:url';
import {promisify} from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
// eslint-disable-next-line @typescript-eslint/strict-void-return -- execFile returns its ChildProcess; promisify uses execFile's own promisified form
const run = promisify(execFile);

type PackEntry = {files: Array<{path: string}>};

async function packedFiles(): Promise<string[]> {
	// --ignore-scripts: `prepare` would rebuild dist/ under the other tests' running processes.
	const {stdout} = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {cwd: root, timeout: 60_000, maxBuffer: 16 * 1024 * 1024});
	const [entry] = JSON.parse(stdout) as PackEntry[];
	assert.ok(entry, 'npm pack --json printed no package');
	return entry.files.map(file => file.path.split(path.sep).join('/'));
}

test('the published package ships the built CLI and no benchmark, preview or simulator-process code', async () => {
	const files = await packedFiles();
	assert.ok(files.includes('dist/cli.js'), `dist/cli.js is not shipped:\n${files.join('\n')}`);
	assert.ok(files.includes('package.json'));

	const tooling = files.filter(file => file.startsWith('dist/bench/')
		|| /(^|\/)bench\//.test(file)
		|| /preview/i.test(file)
		|| file.includes('simulator-process')
		|| file.startsWith('dist/simulator/main.')
		|| /(^|\/)scripts\//.test(file));
	assert.deepEqual(tooling, [], 'developer tooling in the published package');

	// Nothing but the build output and npm's own always-included files.
	const unexpected = files.filter(file => !file.startsWith('dist/') && !/^(package\.json|readme\.md|license(\.md)?)$/i.test(file));
	assert.deepEqual(unexpected, [], 'files outside dist/ in the published package');
});
