// GET /_shunt/stream: the monitor's snapshots pushed to attached monitors (`shunt monitor`) as
// server-sent events, behind the same guard as the rest of the control API. The cost stays that
// of the in-process monitor: nothing is subscribed or serialized while no monitor is attached;
// with one or more, a snapshot is serialized at most once per everyMs (always the latest) and
// the same bytes go to every client. A client that stops reading gets no more frames until its
// socket drains (then the latest one), and is dropped when its backlog passes a bound.
import type {IncomingMessage, ServerResponse} from 'node:http';
import type {StoreSnapshot} from '../monitor/contract.js';
import {sendAnthropicError} from '../anthropic/errors.js';
import {snapshotJson} from '../state/record-json.js';

/** Bumped when a snapshot's shape changes in a way an older monitor cannot draw. */
export const streamProtocol = 1;

export type StreamSource = {
	subscribe(listener: () => void): () => void;
	getSnapshot(): StoreSnapshot;
};

export type SnapshotStreams = {
	/** Answers a GET /_shunt/stream: the current snapshot at once, then every change (batched). */
	attach(request: IncomingMessage, response: ServerResponse): void;
	/** Sends an alert to every attached monitor (they ring their terminal). */
	alert(title: string, body: string): void;
	/** Ends every stream (shunt is stopping): monitors say so at once and wait for it to return. */
	closeAll(): void;
	readonly clients: number;
};

export type StreamOptions = {
	/** At most one snapshot per this long (the in-process monitor's rate: two a second). */
	everyMs?: number;
	/** A comment line this often, so a monitor can tell a quiet shunt from a gone one. */
	heartbeatMs?: number;
	maxClients?: number;
	/** A client whose unsent backlog passes this is disconnected. */
	maxBacklogBytes?: number;
	/** A client that has not read its last frame for this long is disconnected (checked at each heartbeat). */
	stuckMs?: number;
};

/** `behindSinceMs`: since when its socket has not drained (it gets the latest frame when it does); 0 = reading. */
type Client = {response: ServerResponse; behindSinceMs: number};

const eventStreamHeaders = {
	'content-type': 'text/event-stream; charset=utf-8',
	'cache-control': 'no-store',
	'x-content-type-options': 'nosniff',
};

export function snapshotStreams(source: StreamSource, options: StreamOptions = {}): SnapshotStreams {
	const everyMs = options.everyMs ?? 500;
	const heartbeatMs = options.heartbeatMs ?? 10_000;
	const maxClients = options.maxClients ?? 16;
	const maxBacklogBytes = options.maxBacklogBytes ?? 8 * 1024 * 1024;
	const stuckMs = options.stuckMs ?? 60_000;
	const clients = new Set<Client>();
	let unsubscribe: (() => void) | undefined;
	let pending: NodeJS.Timeout | undefined;
	let heartbeat: NodeJS.Timeout | undefined;
	let lastSentMs = 0;
	let seq = 0;
	// The store hands out the same snapshot object until something changed: serialized once each.
	let framed: {snapshot: StoreSnapshot; frame: string} | undefined;

	const currentFrame = (): string => {
		const snapshot = source.getSnapshot();
		if (framed?.snapshot !== snapshot) {
			seq++;
			framed = {snapshot, frame: `event: snapshot\ndata: {"protocol":${streamProtocol},"seq":${seq},"snapshot":${snapshotJson(snapshot)}}\n\n`};
		}

		return framed.frame;
	};

	const drop = (client: Client, how: 'end' | 'destroy' = 'destroy') => {
		if (!clients.delete(client)) {
			return;
		}

		if (how === 'end') {
			client.response.end();
		} else {
			client.response.destroy();
		}

		if (clients.size === 0) {
			unsubscribe?.();
			unsubscribe = undefined;
			clearTimeout(pending);
			pending = undefined;
			clearInterval(heartbeat);
			heartbeat = undefined;
			framed = undefined;
		}
	};

	/** Writes to a client unless it has not read the last frame yet; it then gets the latest on drain. */
	const offer = (client: Client, frame: string) => {
		if (client.response.writableLength > maxBacklogBytes) {
			drop(client);
			return;
		}

		if (client.response.writableNeedDrain) {
			client.behindSinceMs ||= Date.now();
			return;
		}

		client.response.write(frame);
	};

	const broadcast = () => {
		pending = undefined;
		lastSentMs = Date.now();
		if (clients.size === 0) {
			return;
		}

		const frame = currentFrame();
		for (const client of clients) {
			offer(client, frame);
		}
	};

	const changed = () => {
		pending ??= setTimeout(broadcast, Math.max(0, lastSentMs + everyMs - Date.now()));
		pending.unref();
	};

	return {
		get clients() {
			return clients.size;
		},
		attach(request, response) {
			if (clients.size >= maxClients) {
				sendAnthropicError(response, 503, 'overloaded_error', `${maxClients} monitors are attached already`);
				return;
			}

			const client: Client = {response, behindSinceMs: 0};
			clients.add(client);
			response.writeHead(200, eventStreamHeaders);
			// Nothing else comes from a monitor: its request socket may stay quiet for hours.
			request.socket.setTimeout(0);
			request.socket.setNoDelay(true);
			response.on('close', () => {
				drop(client);
			});
			response.on('error', () => {
				drop(client);
			});
			response.on('drain', () => {
				if (client.behindSinceMs > 0) {
					client.behindSinceMs = 0;
					offer(client, currentFrame());
				}
			});
			unsubscribe ??= source.subscribe(changed);
			heartbeat ??= setInterval(() => {
				const nowMs = Date.now();
				for (const each of clients) {
					if (each.behindSinceMs > 0 && nowMs - each.behindSinceMs > stuckMs) {
						// Holds a slot and a frame, and reads nothing: a monitor that is gone or hung.
						drop(each);
					} else {
						offer(each, ': keep-alive\n\n');
					}
				}
			}, heartbeatMs).unref();
			response.write(currentFrame());
		},
		alert(title, body) {
			if (clients.size === 0) {
				return;
			}

			const frame = `event: alert\ndata: ${JSON.stringify({protocol: streamProtocol, title, body})}\n\n`;
			for (const client of clients) {
				offer(client, frame);
			}
		},
		closeAll() {
			for (const client of clients) {
				drop(client, 'end');
			}
		},
	};
}
