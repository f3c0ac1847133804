// `shunt monitor`'s store: the latest snapshot a running shunt pushed over GET /_shunt/stream,
// with every action sent back as a POST to the control endpoint that does the same. To the
// monitor it is one more MonitorStore; around it, the connection's state, so the screen can say
// when nothing answers. The connection is re-made with backoff for as long as the monitor runs.
import {type Buffer} from 'node:buffer';
import http from 'node:http';
import {actionsFrom, type ActionCall} from '../../monitor/apply-action.js';
import {
	actionNames, type HistoryWindow, type MonitorStore, type StoreSnapshot,
} from '../../monitor/contract.js';
import {asStoreSnapshot} from '../../monitor/snapshot-check.js';
import {baseUrl, requestControl, type Target} from '../../commands/control-client.js';
import {streamProtocol} from '../../proxy/snapshot-stream.js';
import {isRecord} from '../../util/json.js';
import {Listeners} from '../../util/listeners.js';
import {EventReader, EventTooLarge} from './event-reader.js';

export type Connection
	= {status: 'connecting'; url: string}
		| {status: 'connected'; url: string}
	/** Nothing usable answers; the next try is at retryAtMs. */
		| {status: 'down'; url: string; problem: string; sinceMs: number; retryAtMs: number};

export type AttachedView = {
	/** The last snapshot received (kept while down, so the next connection starts from it). */
	snapshot: StoreSnapshot | undefined;
	connection: Connection;
};

export type AttachedStore = {
	/** What the monitor's App reads: valid once a snapshot has arrived. */
	monitor: MonitorStore;
	/** Told when the connection changes (not on every snapshot: the monitor has its own subscription). */
	subscribe(listener: () => void): () => void;
	getView(): AttachedView;
	/** The same object until the connection changes. */
	getConnection(): Connection;
	/** Stops for good: the connection and every timer. */
	close(): void;
};

export type AttachOptions = {
	target: Target;
	/** An alert the instance raised (it was not muted there): ring this terminal. */
	onAlert?: (title: string, body: string) => void;
	maxEventBytes?: number;
	/** No byte (the server sends a keep-alive every 10 s) for this long: the connection is dead. */
	silenceMs?: number;
	/** No answer to the request for this long: try again. */
	answerTimeoutMs?: number;
	firstRetryMs?: number;
	maxRetryMs?: number;
	/** How long an action's POST may take. */
	actionTimeoutMs?: number;
};

/**
 * Where each action goes: the control endpoint the same CLI verb uses, with its body. The history
 * pane's window has none: it is the screen's own choice of what the instance reads from
 * history.db, and an attached monitor draws whatever history the instance's snapshots carry.
 */
function controlCall(call: ActionCall): {path: string; body: Record<string, unknown>} | undefined {
	switch (call.name) {
		case 'pin': {
			return {path: 'pin', body: {account: call.args[0]}};
		}

		case 'setStrategy': {
			return {path: 'strategy', body: {strategy: call.args[0]}};
		}

		case 'setAlertsMuted': {
			return {path: 'alerts', body: {muted: call.args[0]}};
		}

		case 'setModelOverride': {
			return {path: 'model', body: {model: call.args[0]}};
		}

		case 'setEffortOverride': {
			return {path: 'effort', body: {effort: call.args[0]}};
		}

		case 'setBurstRpmLimit': {
			return {path: 'burst-limit', body: {limit: call.args[0]}};
		}

		case 'setPaused': {
			return {path: 'pause', body: {account: call.args[0], paused: call.args[1]}};
		}

		case 'setHistoryWindow': {
			return {path: 'history-window', body: {window: call.args[0]}};
		}
	}
}

const maxAlertText = 500;

export function attachToShunt(options: AttachOptions): AttachedStore {
	const {target} = options;
	const url = baseUrl(target);
	const maxEventBytes = options.maxEventBytes ?? 16 * 1024 * 1024;
	const silenceMs = options.silenceMs ?? 30_000;
	const answerTimeoutMs = options.answerTimeoutMs ?? 5000;
	const firstRetryMs = options.firstRetryMs ?? 250;
	const maxRetryMs = options.maxRetryMs ?? 2000;
	const actionTimeoutMs = options.actionTimeoutMs ?? 5000;

	const viewListeners = new Listeners();
	const snapshotListeners = new Listeners();
	let view: AttachedView = {snapshot: undefined, connection: {status: 'connecting', url}};
	let request: http.ClientRequest | undefined;
	let historyWindow: HistoryWindow | null = '1h';
	let retryTimer: NodeJS.Timeout | undefined;
	let answerTimer: NodeJS.Timeout | undefined;
	let retryMs = firstRetryMs;
	let closed = false;

	const setView = (next: AttachedView) => {
		view = next;
		viewListeners.notify();
	};

	const down = (problem: string) => {
		if (closed) {
			return;
		}

		request?.destroy();
		request = undefined;
		clearTimeout(retryTimer);
		const nowMs = Date.now();
		const sinceMs = view.connection.status === 'down' ? view.connection.sinceMs : nowMs;
		setView({
			...view, connection: {
				status: 'down', url, problem, sinceMs, retryAtMs: nowMs + retryMs,
			},
		});
		retryTimer = setTimeout(connect, retryMs);
		retryMs = Math.min(maxRetryMs, retryMs * 2);
	};

	const received = (name: string, data: string) => {
		let message: unknown;
		try {
			message = JSON.parse(data);
		} catch {
			down(`${url} sent a stream that is not shunt's`);
			return;
		}

		if (!isRecord(message) || typeof message['protocol'] !== 'number') {
			down(`${url} sent a stream that is not shunt's`);
			return;
		}

		if (message['protocol'] !== streamProtocol) {
			down(`the shunt on ${url} speaks monitor protocol ${String(message['protocol']).slice(0, 10)}, this one ${streamProtocol}: run the same version of both`);
			return;
		}

		if (name === 'alert') {
			const {title, body} = message;
			if (typeof title === 'string' && typeof body === 'string') {
				options.onAlert?.(title.slice(0, maxAlertText), body.slice(0, maxAlertText));
			}

			return;
		}

		if (name !== 'snapshot') {
			return;
		}

		const snapshot = asStoreSnapshot(message['snapshot']);
		if (!snapshot) {
			down(`${url} sent a snapshot that is not shaped like shunt's`);
			return;
		}

		retryMs = firstRetryMs;
		if (view.connection.status === 'connected') {
			view = {...view, snapshot};
		} else {
			setView({snapshot, connection: {status: 'connected', url}});
			// The instance draws its history pane's data only for a window someone chose: say ours
			// on every (re)connection, as the in-process monitor does at start.
			actions.setHistoryWindow(historyWindow);
		}

		snapshotListeners.notify();
	};

	function connect(): void {
		retryTimer = undefined;
		if (closed) {
			return;
		}

		if (view.connection.status !== 'down') {
			setView({...view, connection: {status: 'connecting', url}});
		}

		const outgoing = http.get({
			host: target.host, port: target.port, path: '/_shunt/stream', agent: false, headers: {accept: 'text/event-stream'},
		});
		request = outgoing;
		clearTimeout(answerTimer);
		answerTimer = setTimeout(() => {
			if (request === outgoing) {
				down(`${url} accepted the connection but did not answer`);
			}
		}, answerTimeoutMs);
		const stop = (problem: string) => {
			clearTimeout(answerTimer);
			// Only the connection in use may change the state: an old one closing late is ignored.
			if (request === outgoing) {
				down(problem);
			}
		};

		outgoing.setTimeout(silenceMs, () => {
			stop(`${url} went silent`);
		});
		outgoing.once('error', error => {
			stop(`shunt is not running on ${url}${(error as NodeJS.ErrnoException).code === 'ECONNREFUSED' ? '' : ` (${error.message.slice(0, 100)})`}`);
		});
		outgoing.once('response', response => {
			clearTimeout(answerTimer);
			const type = String(response.headers['content-type'] ?? '');
			if (response.statusCode !== 200 || !type.startsWith('text/event-stream')) {
				response.resume();
				stop(response.statusCode === 404
					? `${url} has no monitor stream: an older shunt, or not shunt (restart it with this version)`
					: `${url} answered ${response.statusCode ?? '?'} instead of a monitor stream`);
				return;
			}

			// Events still queued in a chunk after this connection was given up are not for anyone.
			const reader = new EventReader((name, data) => {
				if (request === outgoing) {
					received(name, data);
				}
			}, maxEventBytes);
			response.on('data', (chunk: Buffer) => {
				if (request !== outgoing) {
					return;
				}

				try {
					reader.push(chunk);
				} catch (error) {
					if (error instanceof EventTooLarge) {
						stop(`${url} sent ${error.message}`);
						return;
					}

					throw error;
				}
			});
			response.once('end', () => {
				stop(`shunt is not running on ${url}`);
			});
			response.once('close', () => {
				stop(`shunt is not running on ${url}`);
			});
		});
	}

	const actions = actionsFrom(actionNames, call => {
		if (call.name === 'setHistoryWindow') {
			historyWindow = call.args[0];
		}

		const control = controlCall(call);
		if (!control) {
			return;
		}

		const {path, body} = control;
		// The next snapshot shows the result; a refusal (an account removed meanwhile) or a
		// connection that is down changes nothing, and the screen shows the store as it is.
		requestControl(target, path, {body, timeoutMs: actionTimeoutMs}).catch(() => undefined);
	});

	const monitor: MonitorStore = {
		...actions,
		subscribe: snapshotListeners.subscribe,
		getSnapshot() {
			if (!view.snapshot) {
				throw new Error('no snapshot yet');
			}

			return view.snapshot;
		},
	};

	connect();
	return {
		monitor,
		subscribe: viewListeners.subscribe,
		getView: () => view,
		getConnection: () => view.connection,
		close() {
			closed = true;
			clearTimeout(retryTimer);
			clearTimeout(answerTimer);
			request?.destroy();
			request = undefined;
			viewListeners.clear();
			snapshotListeners.clear();
		},
	};
}
