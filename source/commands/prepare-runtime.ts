import {shuntPaths} from '../accounts/paths.js';
import type {WorkerStart} from '../monitor/worker-protocol.js';
import {loadRuntime, type Runtime, type StartOptions} from './start.js';

/** The runtime a start describes: the user's accounts, or the demo's simulator and accounts. */
export async function prepareRuntime(start: WorkerStart): Promise<{runtime: Runtime; options: StartOptions}> {
	if (start.demo) {
		const {demoRuntime} = await import('../demo/demo.js');
		const demo = await demoRuntime();
		return {runtime: demo.runtime, options: {...start.options, upstream: demo.upstream}};
	}

	return {runtime: loadRuntime(shuntPaths(start.env)), options: start.options};
}
