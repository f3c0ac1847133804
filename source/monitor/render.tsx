// Puts the monitor on the terminal for any MonitorStore: the in-process worker's, or (attached)
// a running shunt's over loopback. The only place Ink's render is called.
import process from 'node:process';
import type {ReactNode} from 'react';
import {render} from 'ink';
import type {AttachedStore} from '../runtime/attach/attached-store.js';
import App from './app.js';
import AttachedApp from './attached-app.js';
import type {MonitorStore} from './contract.js';

export type Screen = {unmount(): void};

export function renderMonitor(store: MonitorStore, onQuit: () => void): Screen {
	return draw(<App store={store} onQuit={onQuit}/>);
}

/** `shunt monitor`: the same screen over a running shunt's stream, and what it says while nothing answers. */
export function renderAttachedMonitor(attached: AttachedStore, onQuit: () => void): Screen {
	return draw(<AttachedApp attached={attached} onQuit={onQuit}/>);
}

function draw(element: ReactNode): Screen {
	// Ink draws nothing but a last frame when it thinks it runs in CI (CI or CONTINUOUS_INTEGRATION
	// set). We only get here with a terminal on stdout, where the user asked for a live screen.
	// The variables are removed rather than set to "false": chalk's colour detection treats any
	// CI variable as a CI log and would turn colours off.
	delete process.env['CI'];
	delete process.env['CONTINUOUS_INTEGRATION'];
	// 10 frames a second is plenty for a log and 1 s countdowns. (Ink 6's incrementalRendering
	// left stale lines on screen here, so whole frames are drawn.)
	const instance = render(element, {exitOnCtrlC: false, patchConsole: false, maxFps: 10});
	return {unmount: () => instance.unmount()};
}
