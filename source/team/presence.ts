// Who is in the pool: each instance renews its presence every few seconds (on Redis's clock, so
// instances' clocks do not matter) and is forgotten when it stops; hello and bye on the channel
// make joins and clean exits show at once. While Redis is away the last list seen is kept.
import type {TeamConnection} from './connection.js';
import {heartbeatMs, keys, presenceTtlMs} from './keys.js';
import type {PoolMessage} from './messages.js';
import {heartbeat, run} from './scripts.js';

export type PresenceOptions = {
	connection: TeamConnection;
	instanceId: string;
	instanceName: string;
	version: string;
	startedMs: number;
	/** The list of instances changed. */
	onChange: () => void;
	/** After each heartbeat that reached Redis (savings are refreshed along). */
	onBeat?: () => void;
};

const maxInstances = 64;
const namePattern = /^[\w.-]{1,32}$/;
/** Member entries in one fixed order (ids are unique), so two equal maps print the same. */
const byId = ([a]: [string, string], [b]: [string, string]) => a.localeCompare(b);

export class Presence {
	readonly #options: PresenceOptions;
	/** Instance id → name; this instance included. */
	#members = new Map<string, string>();
	#timer: NodeJS.Timeout | undefined;
	#stopped = false;

	constructor(options: PresenceOptions) {
		this.#options = options;
		this.#members.set(options.instanceId, options.instanceName);
	}

	/** The instances, this one first, names made unique where two instances share one. */
	list(): Array<{name: string; self: boolean}> {
		const {instanceId} = this.#options;
		const counts = new Map<string, number>();
		for (const name of this.#members.values()) {
			counts.set(name, (counts.get(name) ?? 0) + 1);
		}

		const entries = [...this.#members].map(([id, name]) => ({name: counts.get(name)! > 1 ? `${name}#${id.slice(0, 4)}` : name, self: id === instanceId}));
		entries.sort((a, b) => Number(b.self) - Number(a.self) || a.name.localeCompare(b.name));
		return entries;
	}

	start(): void {
		const loop = () => {
			if (this.#stopped) {
				return;
			}

			void this.beat().finally(() => {
				if (!this.#stopped) {
					this.#timer = setTimeout(loop, heartbeatMs).unref();
				}
			});
		};

		loop();
	}

	/** Renews this instance and reads who else is there. */
	async beat(): Promise<void> {
		const {connection, instanceId, instanceName, version, startedMs} = this.#options;
		if (connection.state !== 'connected') {
			return;
		}

		try {
			const doc = JSON.stringify({name: instanceName, version, startedMs});
			const ids = (await run(connection.commands, heartbeat, [keys.instances, keys.instance(instanceId)], [instanceId, doc, presenceTtlMs]) as string[]).slice(0, maxInstances);
			const docs = ids.length === 0 ? [] : await connection.commands.mget(...ids.map(id => keys.instance(id)));
			const members = new Map<string, string>([[instanceId, instanceName]]);
			for (const [index, id] of ids.entries()) {
				const name = nameOf(docs[index] ?? null);
				if (name && /^[\da-f]{12}$/.test(id)) {
					members.set(id, name);
				}
			}

			this.#replace(members);
			this.#options.onBeat?.();
		} catch {
			// Redis went away between the check and the call: the connection says so.
		}
	}

	/** hello / bye from another instance. */
	heard(message: {from: string; name: string; hello: boolean; bye: boolean}): void {
		if (message.bye && this.#members.delete(message.from)) {
			this.#options.onChange();
		} else if (message.hello && this.#members.get(message.from) !== message.name && this.#members.size < maxInstances) {
			this.#members.set(message.from, message.name);
			this.#options.onChange();
		}
	}

	/** Announces this instance (after each reconnection). */
	async hello(): Promise<void> {
		await this.#say({hello: true});
		await this.beat();
	}

	/** Leaves the pool at once rather than after the presence expires. */
	async leave(): Promise<void> {
		this.stop();
		const {connection, instanceId} = this.#options;
		if (connection.state !== 'connected') {
			return;
		}

		await connection.commands.multi().zrem(keys.instances, instanceId).del(keys.instance(instanceId)).exec().catch(() => undefined);
		await this.#say({bye: true});
	}

	stop(): void {
		this.#stopped = true;
		clearTimeout(this.#timer);
	}

	async #say(what: Pick<PoolMessage, 'hello' | 'bye'>): Promise<void> {
		const {connection, instanceId, instanceName} = this.#options;
		if (connection.state !== 'connected') {
			return;
		}

		const message: PoolMessage = {
			v: 1, from: instanceId, name: instanceName, ...what,
		};
		await connection.commands.publish(keys.channel, JSON.stringify(message)).catch(() => undefined);
	}

	#replace(members: Map<string, string>): void {
		const before = JSON.stringify([...this.#members].toSorted(byId));
		this.#members = members;
		if (JSON.stringify([...members].toSorted(byId)) !== before) {
			this.#options.onChange();
		}
	}
}

function nameOf(doc: string | null): string | undefined {
	if (doc === null) {
		return undefined;
	}

	try {
		const parsed = JSON.parse(doc) as {name?: unknown};
		return typeof parsed.name === 'string' && namePattern.test(parsed.name) ? parsed.name : undefined;
	} catch {
		return undefined;
	}
}
