// Puts the monitor on the terminal for any MonitorStore: the in-process worker's, or (attached)
// a running shunt's over loopback. The only place Ink's render is called.
import {render} from 'ink';
import App from './app.js';
import type {MonitorStore} from './contract.js';

export type Screen = {unmount(): void};

export function renderMonitor(store: MonitorStore, onQuit: () => void): Screen {
	// 10 frames a second is plenty for a log and 1 s countdowns. (Ink 6's incrementalRendering
	// left stale lines on screen here, so whole frames are drawn.)
	const instance = render(<App store={store} onQuit={onQuit}/>, {exitOnCtrlC: false, patchConsole: false, maxFps: 10});
	return {
		unmount() {
			instance.unmount();
		},
	};
}
