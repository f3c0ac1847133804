// What one frame of the monitor costs: renders the app against the preview's animated store into
// an in-memory terminal of the given size for ten seconds, then prints the frames drawn, Ink's own
// output time per frame (its onRender) and the whole process's CPU per frame (React, our rows,
// Ink, the preview's simulation). For work on the screen's CPU, which on a small machine the proxy
// shares:
//   node --import=tsx scripts/preview/frame-cost.tsx [columns] [rows] [--untuned]
import process from 'node:process';
import {Writable} from 'node:stream';
import {PreviewStore} from './preview-store.js';

// React and Ink pick their development or production build at import time.
process.env['NODE_ENV'] = 'production';

const {render} = await import('ink');
const {createElement} = await import('react');
const {default: App} = await import('../../source/monitor/app.js');
const {tuneInkCaches} = await import('../../source/monitor/kit/ink-caches.js');
// --untuned: Ink's caches as Ink ships them, to see what tuning them saves.
if (!process.argv.includes('--untuned')) {
	console.error(`Ink's caches: ${JSON.stringify(await tuneInkCaches())}`);
}

const columns = Number(process.argv[2] ?? 120);
const rows = Number(process.argv[3] ?? 40);
let frames = 0;
let inkMs = 0;
const terminal = Object.assign(new Writable({
	write(_chunk, _encoding, callback) {
		callback();
	},
}), {columns, rows, isTTY: true});
const store = new PreviewStore({demo: true});
store.start();
const instance = render(createElement(App, {
	store,
	onQuit() {
		// Nothing to quit: the run ends on its own.
	},
}), {
	stdout: terminal as unknown as NodeJS.WriteStream,
	exitOnCtrlC: false,
	patchConsole: false,
	maxFps: 10,
	onRender({renderTime}) {
		frames++;
		inkMs += renderTime;
	},
});

const pause = async (ms: number) => new Promise(resolve => {
	setTimeout(resolve, ms);
});

// Warm: the JIT and the first frames' layout are not what a running monitor pays.
await pause(3000);
frames = 0;
inkMs = 0;
const before = process.cpuUsage();
const startedMs = Date.now();
await pause(10_000);
const cpu = process.cpuUsage(before);
store.stop();
instance.unmount();
const cpuMs = (cpu.user + cpu.system) / 1000;
process.stderr.write(`${columns}×${rows}: ${frames} frames in ${Date.now() - startedMs} ms; Ink's output ${(inkMs / frames).toFixed(1)} ms per frame; process CPU ${(cpuMs / frames).toFixed(1)} ms per frame\n`);
