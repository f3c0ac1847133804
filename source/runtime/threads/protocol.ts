import type {StartOptions} from '../runtime.js';
import type {StoreActions, StoreSnapshot} from '../../monitor/contract.js';

/** What the main thread tells the proxy worker to build. Plain data: it crosses a thread. */
export type WorkerStart = {
	demo: boolean;
	env: Record<string, string | undefined>;
	options: StartOptions;
};

export type ActionName = keyof StoreActions;

export type ToWorker =
	| {type: 'action'; name: ActionName; args: unknown[]}
	| {type: 'stop'};

export type FromWorker =
	| {type: 'ready'; snapshot: StoreSnapshot}
	| {type: 'snapshot'; snapshot: StoreSnapshot}
	| {type: 'error'; message: string; exitCode: number}
	| {type: 'stopped'};
