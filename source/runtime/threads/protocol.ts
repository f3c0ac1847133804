import type {Farewell, StartOptions} from '../runtime.js';
import type {ActionCall} from '../../monitor/apply-action.js';
import type {PackedSnapshot} from '../../state/record-json.js';

/** What the main thread tells the proxy worker to build. Plain data: it crosses a thread. */
export type WorkerStart = {
	demo: boolean;
	env: Record<string, string | undefined>;
	options: StartOptions;
};

export type ToWorker
	= {type: 'action'; call: ActionCall}
		| {type: 'stop'};

export type FromWorker
	= {type: 'ready'; snapshot: PackedSnapshot; threadId?: number}
		| {type: 'snapshot'; snapshot: PackedSnapshot}
		| {type: 'error'; message: string; exitCode: number}
		| {type: 'stopped'; farewell: Farewell};
