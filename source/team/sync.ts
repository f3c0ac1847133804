// The pool's shared state, kept in step with the local store. Outgoing: every local change the
// store reports is queued on the request path and goes out behind it, batched per turn of the
// event loop, as one pipeline of key writes and one message on the channel (outbox.ts,
// outgoing-batch.ts). Incoming: another instance's message is checked and applied to the local
// store with applyRemote, which tells nobody, so nothing echoes (incoming.ts). After every
// (re)connection, reconcile reads what Redis holds, takes what is newer there, writes back what is
// newer here, and announces it: the state an outage or a restart of Redis lost comes back from the
// instances (reconcile.ts). This class wires those parts to the store and the connection.
import {type Buffer} from 'node:buffer';
import type {AccountConfig} from '../accounts/types.js';
import type {RemoteEvent, RemoteRequest} from '../monitor/contract.js';
import type {RequestRecord, StoreEvent} from '../state/records.js';
import type {SharedFact} from '../state/shared-facts.js';
import type {StateStore} from '../state/store.js';
import {BurstLedger} from './burst-ledger.js';
import type {TeamConnection} from './connection.js';
import {applyIncoming, type IncomingContext} from './incoming.js';
import {checkMessage, type Checked} from './messages.js';
import {Outbox} from './outbox.js';
import {PoolReconcile} from './reconcile.js';
import {RemoteLog} from './remote-log.js';

/** What the sync reads and writes of the store. */
export type SyncStore = Pick<StateStore,
	| 'accounts' | 'now' | 'telemetry' | 'cooldownUntil' | 'cooldownReason' | 'isPaused' | 'pinnedAccount' | 'freshSnapshot'
	| 'applyRemote' | 'teamChanged' | 'on' | 'off'>;

export type SyncOptions = {
	store: SyncStore;
	connection: TeamConnection;
	instanceId: string;
	instanceName: string;
	/** Other instances' requests and events kept for the log. */
	remoteLogSize?: number;
	/** The longest a change that is not urgent waits to go out (default 100 ms). */
	lazyFlushMs?: number;
};

export class PoolSync {
	readonly #store: SyncStore;
	readonly #connection: TeamConnection;
	readonly #id: string;
	readonly #known: ReadonlySet<string>;
	readonly #log: RemoteLog;
	readonly #outbox: Outbox;
	readonly #incoming: IncomingContext;
	readonly #reconcile: PoolReconcile;

	constructor(options: SyncOptions) {
		const {store, connection, instanceId, instanceName} = options;
		this.#store = store;
		this.#connection = connection;
		this.#id = instanceId;
		this.#known = new Set(store.accounts.map(account => account.name));
		const oauth = new Set(store.accounts.filter((account: AccountConfig) => account.kind === 'oauth').map(account => account.name));
		// One ledger for all three: what we send, what others send, and what reconcile finds in Redis.
		const burst = new BurstLedger(instanceId, () => store.now());
		this.#log = new RemoteLog(options.remoteLogSize ?? 200);
		this.#outbox = new Outbox({
			store, connection, instanceId, instanceName, oauth, burst, lazyFlushMs: options.lazyFlushMs ?? 100,
		});
		this.#incoming = {
			store, oauth, burst, log: this.#log,
		};
		this.#reconcile = new PoolReconcile({
			store, connection, instanceId, instanceName, known: this.#known, oauth, burst,
		});
		store.on('request', this.#onRequest);
		store.on('event', this.#onEvent);
	}

	get remoteRequests(): RemoteRequest[] {
		return this.#log.requests;
	}

	get remoteEvents(): RemoteEvent[] {
		return this.#log.events;
	}

	// ---------------------------------------------------------------- local → pool

	/** The store's hook: called on the request path, so it only queues. */
	shared = (fact: SharedFact): void => {
		this.#reconcile.noteChange(fact);
		if (this.#connection.state === 'connected') {
			this.#outbox.fact(fact);
		} else {
			this.#reconcile.offline(fact);
		}
	};

	readonly #onRequest = (record: RequestRecord): void => {
		if (this.#connection.state === 'connected') {
			this.#outbox.request(record);
		}
	};

	readonly #onEvent = (event: StoreEvent): void => {
		if (this.#connection.state === 'connected') {
			this.#outbox.event(event);
		}
	};

	/** Sends what is queued (one flush at a time; what arrives meanwhile goes with the next). */
	async flush(): Promise<void> {
		return this.#outbox.flush();
	}

	/** Savings increments not sent yet: dropped when the hash is rewritten whole (they are in it). */
	dropQueuedSavings(): void {
		this.#outbox.dropQueuedSavings();
	}

	// ---------------------------------------------------------------- pool → local

	/** A message from the channel. */
	received(bytes: Buffer): Checked | undefined {
		const checked = checkMessage(bytes, this.#known, this.#store.now());
		if (!checked || checked.from === this.#id) {
			return undefined;
		}

		for (const fact of checked.facts) {
			this.#reconcile.noteChange(fact);
			applyIncoming(fact, checked.from, checked.name, this.#incoming);
		}

		if (this.#log.add(checked)) {
			this.#store.teamChanged();
		}

		return checked;
	}

	// ---------------------------------------------------------------- reconcile

	/** After (re)connecting: see reconcile.ts. */
	async reconcile(): Promise<void> {
		return this.#reconcile.run();
	}

	close(): void {
		this.#outbox.close();
		this.#store.off('request', this.#onRequest);
		this.#store.off('event', this.#onEvent);
	}
}
