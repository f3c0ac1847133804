import process from 'node:process';
import {Worker} from 'node:worker_threads';
import {UserError} from '../../util/user-error.js';
import type {Farewell} from '../runtime.js';
import {remoteStore} from './remote-store.js';
import {drawingNice, lowerPriority, lowerThreads} from './thread-priority.js';
import type {FromWorker, ToWorker, WorkerStart} from './protocol.js';

/**
 * The monitor: the proxy runs in a worker thread, the screen on this one. Quitting (q, Ctrl-C,
 * SIGINT, SIGTERM) asks the worker to stop accepting, finish in-flight requests and save state,
 * then restores the terminal. Resolves with the exit code.
 */
export async function runMonitor(start: WorkerStart): Promise<number> {
	const worker = new Worker(new URL('proxy-thread.js', import.meta.url), {workerData: start});
	const send = (message: ToWorker) => {
		worker.postMessage(message);
	};

	const exited = new Promise<number>(resolve => {
		worker.once('exit', code => {
			resolve(code);
		});
	});
	const first = await new Promise<FromWorker>((resolve, reject) => {
		worker.once('message', resolve);
		worker.once('error', reject);
		void exited.then(code => {
			reject(new UserError(`the proxy stopped while starting (exit ${code})`));
		});
	});
	if (first.type === 'error') {
		await exited;
		throw new UserError(first.message, first.exitCode);
	}

	if (first.type !== 'ready') {
		throw new UserError('the proxy worker did not start');
	}

	yieldToTheProxy(first.threadId);
	const store = remoteStore(first.snapshot, send);
	let farewell: Farewell | undefined;
	worker.on('message', (message: FromWorker) => {
		if (message.type === 'snapshot') {
			store.update(message.snapshot);
		} else if (message.type === 'stopped') {
			farewell = message.farewell;
		}
	});
	worker.on('error', error => {
		process.stderr.write(`shunt: the proxy failed: ${error.stack ?? error.message}\n`);
	});

	// Ink and React are only loaded when there is a screen to draw: `shunt --help` stays fast.
	const {renderMonitor} = await import('../../monitor/render.js');
	let quitRequested = false;
	const quit = () => {
		if (!quitRequested) {
			quitRequested = true;
			send({type: 'stop'});
		}
	};

	const instance = renderMonitor(store, quit);
	// SIGHUP too: closing the terminal or the tmux pane must save state like a quit does.
	for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
		process.once(signal, quit);
	}

	// The worker ends when it has stopped as asked (exit 0 after saving state), or when it crashed.
	const code = await exited;
	instance.unmount();
	if (!quitRequested || code !== 0 || farewell === undefined) {
		process.stderr.write(`shunt: the proxy stopped unexpectedly (exit ${code})\n`);
		return 1;
	}

	// After the screen is gone, so it stays in the terminal's scrollback as the last line.
	process.stdout.write(`${farewell.line}\n`);
	return farewell.saved ? 0 : 1;
}

/**
 * Lowers the priority of every thread of this process but the proxy's. On Linux a nice value
 * belongs to each thread: the worker keeps its own, and node's helper threads (V8's garbage
 * collection and compilers, libuv's pool), which started at normal priority, are lowered with
 * this one, since much of a frame's cost is collection work they do. Elsewhere a nice value would
 * apply to the whole process and slow the proxy too, so it is left alone there. A frame is a few
 * milliseconds of CPU, and when every core is busy those milliseconds should go to requests in
 * flight; with a core to spare, nice changes nothing. Without the proxy's thread id (it could not
 * be read) only this thread is lowered.
 */
function yieldToTheProxy(proxyThreadId: number | undefined): void {
	if (process.platform !== 'linux') {
		return;
	}

	if (proxyThreadId !== undefined) {
		lowerThreads(drawingNice, proxyThreadId);
		return;
	}

	lowerPriority();
}
