// Puts the monitor on the terminal for any MonitorStore: the in-process worker's, or (attached)
// a running shunt's over loopback. The only place Ink's render is called. (CI and
// CONTINUOUS_INTEGRATION, which would keep Ink from drawing live, are removed in cli.tsx, before
// Ink is first imported.)
import type {ReactNode} from 'react';
import {render} from 'ink';
import type {AttachedStore} from '../runtime/attach/attached-store.js';
import App from './app.js';
import AttachedApp from './attached-app.js';
import type {MonitorStore} from './contract.js';
import {tuneInkCaches} from './kit/ink-caches.js';

await tuneInkCaches();

export type Screen = {unmount(): void};

export function renderMonitor(store: MonitorStore, onQuit: () => void): Screen {
	return draw(<App store={store} onQuit={onQuit}/>);
}

/** `shunt monitor`: the same screen over a running shunt's stream, and what it says while nothing answers. */
export function renderAttachedMonitor(attached: AttachedStore, onQuit: () => void): Screen {
	return draw(<AttachedApp attached={attached} onQuit={onQuit}/>);
}

function draw(element: ReactNode): Screen {
	// 10 frames a second is plenty for a log and 1 s countdowns. (Ink 6's incrementalRendering
	// left stale lines on screen here, so whole frames are drawn.)
	const instance = render(element, {exitOnCtrlC: false, patchConsole: false, maxFps: 10});
	return {
		unmount() {
			instance.unmount();
		},
	};
}
