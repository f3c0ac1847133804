// Rendering helpers for the monitor's tests, on top of ink-testing-library: a chosen terminal size,
// plain-text frames, and polling (wait.ts, never fixed sleeps) until the screen shows what a test
// waits for.
import type {ReactElement} from 'react';
import {render} from 'ink-testing-library';
import {tuneInkCaches} from '../../source/monitor/kit/ink-caches.js';
import {displayWidth, stripAnsi} from '../../source/monitor/kit/text-width.js';
import {waitFor} from './wait.js';

// The monitor's tests draw with Ink tuned as the monitor tunes it (source/monitor/render.tsx).
await tuneInkCaches();

export const keys = {
	up: '\u001B[A',
	down: '\u001B[B',
	tab: '\t',
	ctrlC: '\u0003',
	escape: '\u001B',
} as const;

export type Rendered = ReturnType<typeof render> & {
	/** The latest frame without colour codes. */
	frame(): string;
	/** Lines of the latest frame. */
	lines(): string[];
	/** Types keys into the app's stdin. */
	press(...inputs: string[]): void;
	/** Changes the fake terminal's size and tells the app, like a real resize. */
	resize(columns: number, rows: number): void;
};

/** Polls `getFrame` until `predicate` accepts the frame; returns that frame (plain text). */
export async function waitForFrame(getFrame: () => string | undefined, predicate: (frame: string) => boolean, timeoutMs = 3000): Promise<string> {
	let frame = '';
	await waitFor(() => {
		frame = stripAnsi(getFrame() ?? '');
		return predicate(frame);
	}, () => `a frame that passes the check; last frame:\n${frame}`, timeoutMs);
	return frame;
}

/** True once a frame was laid out for this size: rows - 1 lines, the full-width rules exactly `columns` wide. */
export const drawnAt = (columns: number, rows: number) => (frame: string): boolean => {
	const lines = frame.split('\n');
	return lines.length === rows - 1 && Math.max(...lines.map(line => displayWidth(line))) === columns;
};

/**
 * Renders at `columns`×`rows` and waits until the app has drawn at that size and listens to its
 * keyboard, so keys typed right after cannot be lost.
 */
export async function renderAt(element: ReactElement, columns = 100, rows = 30, ready = drawnAt(columns, rows)): Promise<Rendered> {
	const instance = render(element);
	const rendered: Rendered = {
		...instance,
		frame: () => stripAnsi(instance.lastFrame() ?? ''),
		lines: () => stripAnsi(instance.lastFrame() ?? '').split('\n'),
		press(...inputs) {
			for (const input of inputs) {
				instance.stdin.write(input);
			}
		},
		resize(newColumns, newRows) {
			// ink-testing-library's stdout has a fixed 100-column getter; an own property shadows it.
			Object.defineProperty(instance.stdout, 'columns', {value: newColumns, configurable: true});
			Object.defineProperty(instance.stdout, 'rows', {value: newRows, configurable: true});
			instance.stdout.emit('resize');
		},
	};
	rendered.resize(columns, rows);
	await waitFor(
		() => ready(rendered.frame()) && instance.stdin.listenerCount('readable') > 0,
		() => `the app to draw at ${columns}×${rows} and listen to its keyboard; last frame:\n${rendered.frame()}`,
		3000,
	);
	return rendered;
}

/** Lines wider than `columns` display columns (should be none). */
export function overlongLines(frame: string, columns: number): string[] {
	return frame.split('\n').filter(line => displayWidth(line) > columns);
}
