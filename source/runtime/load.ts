import {openConfig, readCredentials} from '../accounts/open.js';
import {shuntPaths, type ShuntPaths} from '../accounts/paths.js';
import {UserError} from '../util/user-error.js';
import type {WorkerStart} from './threads/protocol.js';
import type {Runtime, StartOptions} from './runtime.js';

/** The runtime a start describes: the user's accounts, or the demo's simulator and accounts. */
export async function prepareRuntime(start: WorkerStart): Promise<{runtime: Runtime; options: StartOptions}> {
	if (start.demo) {
		const {demoRuntime} = await import('../demo/demo.js');
		const demo = await demoRuntime();
		return {runtime: demo.runtime, options: {...start.options, upstream: demo.upstream}};
	}

	const paths = shuntPaths(start.env);
	const runtime = loadRuntime(paths);
	// Team mode is the user's pool only: the demo never talks to Redis.
	if (start.env['SHUNT_REDIS_URL']) {
		runtime.team = {env: start.env, configDir: paths.configDir};
	}

	return {runtime, options: start.options};
}

export function loadRuntime(paths: ShuntPaths): Runtime {
	const config = openConfig(paths);
	const accounts = config.accounts;
	if (accounts.length === 0) {
		throw new UserError([
			'No accounts configured yet.',
			'  Add a Console API key:         shunt add-account <name> --api-key -   (reads the key from stdin)',
			'  Add a Claude subscription:     shunt add-account <name>',
			'  Import Claude Code\'s login:    shunt import-claude-code',
			'  Or just look around first:     shunt --demo',
		].join('\n'));
	}

	const credentials = readCredentials(paths);
	return {accounts, credentials, settings: config.settings, dataDir: paths.dataDir, stateFile: paths.stateFile, historyFile: paths.historyFile, credentialsFile: paths.credentialsFile, demo: false};
}
