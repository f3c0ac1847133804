import {actionsFrom} from '../../monitor/apply-action.js';
import {actionNames, type MonitorStore} from '../../monitor/contract.js';
import {unpackSnapshot, type PackedSnapshot} from '../../state/record-json.js';
import {Listeners} from '../../util/listeners.js';
import type {ToWorker} from './protocol.js';

/** The monitor's store when the real one lives in the proxy's worker thread. */
export type RemoteStore = MonitorStore & {
	/** A snapshot the worker sent (already batched there). */
	update(snapshot: PackedSnapshot): void;
};

/**
 * The latest snapshot the worker sent, and every action (one per name in actionNames) sent back
 * as a message. The monitor cannot tell it from the StateStore itself.
 */
export function remoteStore(first: PackedSnapshot, send: (message: ToWorker) => void): RemoteStore {
	let {snapshot, known} = unpackSnapshot(first, new Map());
	const listeners = new Listeners();
	return {
		...actionsFrom(actionNames, call => {
			send({type: 'action', call});
		}),
		subscribe: listeners.subscribe,
		getSnapshot: () => snapshot,
		update(next) {
			({snapshot, known} = unpackSnapshot(next, known));
			listeners.notify();
		},
	};
}
