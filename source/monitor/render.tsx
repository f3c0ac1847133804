// Puts the monitor on the terminal for any MonitorStore: the in-process worker's, or (attached)
// a running shunt's over loopback. The only place Ink's render is called.
import process from 'node:process';
import {render} from 'ink';
import App from './app.js';
import type {MonitorStore} from './contract.js';

export type Screen = {unmount(): void};

export function renderMonitor(store: MonitorStore, onQuit: () => void): Screen {
	// Ink draws nothing but a last frame when it thinks it runs in CI (CI or CONTINUOUS_INTEGRATION
	// set). We only get here with a terminal on stdout, where the user asked for a live screen.
	// The variables are removed rather than set to "false": chalk's colour detection treats any
	// CI variable as a CI log and would turn colours off.
	delete process.env['CI'];
	delete process.env['CONTINUOUS_INTEGRATION'];
	// 10 frames a second is plenty for a log and 1 s countdowns. (Ink 6's incrementalRendering
	// left stale lines on screen here, so whole frames are drawn.)
	const instance = render(<App store={store} onQuit={onQuit}/>, {exitOnCtrlC: false, patchConsole: false, maxFps: 10});
	return {unmount: () => instance.unmount()};
}
