import type {Effort} from '../../state/overrides.js';
import type {MonitorStore, StoreSnapshot} from '../../monitor/contract.js';
import type {StrategyName} from '../../routing/strategies.js';
import type {ActionName, ToWorker} from './protocol.js';

/**
 * The monitor's view of a store that lives in the proxy's worker thread: the latest snapshot the
 * worker sent (already batched there), and actions sent back as messages. The monitor cannot tell
 * it from the StateStore itself.
 */
export class RemoteStore implements MonitorStore {
	#snapshot: StoreSnapshot;
	readonly #send: (message: ToWorker) => void;
	readonly #listeners = new Set<() => void>();

	constructor(first: StoreSnapshot, send: (message: ToWorker) => void) {
		this.#snapshot = first;
		this.#send = send;
	}

	update(snapshot: StoreSnapshot): void {
		this.#snapshot = snapshot;
		for (const listener of this.#listeners) {
			listener();
		}
	}

	subscribe = (listener: () => void): (() => void) => {
		this.#listeners.add(listener);
		return () => {
			this.#listeners.delete(listener);
		};
	};

	getSnapshot = (): StoreSnapshot => this.#snapshot;

	#action(name: ActionName, ...args: unknown[]): void {
		this.#send({type: 'action', name, args});
	}

	pin = (account: string | null): void => this.#action('pin', account);
	setStrategy = (strategy: StrategyName | null): void => this.#action('setStrategy', strategy);
	setAlertsMuted = (muted: boolean): void => this.#action('setAlertsMuted', muted);
	setModelOverride = (model: string | null): void => this.#action('setModelOverride', model);
	setEffortOverride = (effort: Effort | null): void => this.#action('setEffortOverride', effort);
	setBurstRpmLimit = (limit: number | null): void => this.#action('setBurstRpmLimit', limit);
	setPaused = (account: string, paused: boolean): void => this.#action('setPaused', account, paused);
}
