// `shunt monitor`: the live monitor attached to a shunt that runs elsewhere (headless, as a
// service, in another terminal), over its control API on loopback. Quitting ends this monitor
// only; the instance keeps serving.
import process from 'node:process';
import {terminalAlertSink} from '../alerts/alerts.js';
import {attachToShunt} from '../runtime/attach/attached-store.js';
import {drawingNice, lowerPriority, lowerThreads} from '../runtime/threads/thread-priority.js';
import {UserError} from '../util/user-error.js';
import type {Target} from './control-client.js';

export async function runAttachedMonitor(target: Target): Promise<number> {
	if (!process.stdout.isTTY) {
		throw new UserError('shunt monitor draws on a terminal; in a script use `shunt status --json` or `shunt logs -f`');
	}

	// This process only draws: on a busy machine the proxy (another process) gets the CPU first.
	// On Linux each thread has its own nice value, node's helper threads included (they collect
	// this thread's garbage), so all of them are lowered; elsewhere one call covers the process.
	if (process.platform === 'linux') {
		lowerThreads(drawingNice);
	} else {
		lowerPriority();
	}

	// The instance rings its own desktop notifier; this terminal gets the bell and OSC 9.
	const ring = terminalAlertSink();
	const attached = attachToShunt({target, onAlert: ring});
	// Ink and React are only loaded when there is a screen to draw.
	const {renderAttachedMonitor} = await import('../monitor/render.js');
	return new Promise<number>(resolve => {
		let done = false;
		const quit = () => {
			if (done) {
				return;
			}

			done = true;
			attached.close();
			screen.unmount();
			resolve(0);
		};

		const screen = renderAttachedMonitor(attached, quit);
		for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
			process.once(signal, quit);
		}
	});
}
