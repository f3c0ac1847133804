// The proxy's thread when the monitor is on: the store, the proxy and background work run here,
// so drawing the screen on the main thread never holds up a request or a stream.
import process from 'node:process';
import {parentPort, workerData} from 'node:worker_threads';
import {packSnapshot} from '../../state/record-json.js';
import {UserError} from '../../util/user-error.js';
import {prepareRuntime} from '../load.js';
import {startRuntime, type Running} from '../runtime.js';
import {currentThreadId} from './thread-priority.js';
import type {FromWorker, ToWorker, WorkerStart} from './protocol.js';

const port = parentPort!;
const send = (message: FromWorker) => {
	port.postMessage(message);
};

const start = workerData as WorkerStart;
let running: Running | undefined;
try {
	const {runtime, options} = await prepareRuntime(start);
	running = await startRuntime(runtime, options);
} catch (error) {
	const exitCode = error instanceof UserError ? error.exitCode : 1;
	send({type: 'error', message: error instanceof UserError ? error.message : ((error as Error).stack ?? String(error)), exitCode});
	process.exit(0);
}

const {store} = running;
send({type: 'ready', snapshot: packSnapshot(store.getSnapshot()), threadId: currentThreadId()});
// The store batches its notifications every 100 ms; the screen needs fewer. At most one snapshot
// crosses to the monitor every snapshotEveryMs, always the latest, so a busy proxy spends little
// on copying and the monitor thread little on drawing (they share two cores with the traffic).
const snapshotEveryMs = 500;
let pending: NodeJS.Timeout | undefined;
let lastSentMs = 0;
const sendSnapshot = () => {
	pending = undefined;
	lastSentMs = Date.now();
	send({type: 'snapshot', snapshot: packSnapshot(store.getSnapshot())});
};

store.subscribe(() => {
	pending ??= setTimeout(sendSnapshot, Math.max(0, lastSentMs + snapshotEveryMs - Date.now()));
});

port.on('message', (message: ToWorker) => {
	if (message.type === 'stop') {
		clearTimeout(pending);
		void running.stop().then(farewell => {
			send({type: 'stopped', farewell});
			process.exit(0);
		});
		return;
	}

	const {call} = message;
	const action = store[call.name] as (...args: unknown[]) => void;
	try {
		action.apply(store, call.args);
	} catch (error) {
		store.addEvent('info', (error as Error).message);
	}
});

