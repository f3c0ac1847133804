// The pool's savings: each instance counts its own into a hash of its own (atomic increments per
// request, queued by countSavings and sent with the sync's batches), and shows the sum of
// everyone's. Its own hash is rewritten whole from its local ledger on every reconnection, so a
// Redis that restarted empty, or increments lost while it was away, are made good by the instance
// that owns the numbers.
import type {ChainableCommander} from 'ioredis';
import type {RequestRecord, SavingsSummary, SavingsTotals} from '../state/records.js';
import {
	addTotals, emptyTotals, summarize, utcDayKey,
} from '../state/savings.js';
import type {StateStore} from '../state/store.js';
import type {TeamConnection} from './connection.js';
import {keys, savingsTtlMs} from './keys.js';

type Totals = {daily: Map<string, SavingsTotals>; allTime: SavingsTotals};

const totalFields = ['inputTokens', 'outputTokens', 'cacheReadTokens', 'cacheWriteTokens', 'usd'] as const;
/** The week is the last 7 UTC days; one more covers a day boundary between instances. */
const keptDays = 8;
const maxInstances = 64;
const dayMs = 86_400_000;
const fieldPattern = /^(all|day:(\d{4}-\d{2}-\d{2})):(inputTokens|outputTokens|cacheReadTokens|cacheWriteTokens|usd)$/;

/** Adds a finished request's tokens and cost to the increments not sent yet, by hash field. */
export function countSavings(increments: Map<string, number>, record: RequestRecord): void {
	const tokens = record.inputTokens + record.outputTokens + record.cacheReadTokens + record.cacheWriteTokens;
	if (record.account && tokens > 0) {
		const day = utcDayKey(record.tsMs);
		const add = (field: string, value: number) => {
			if (value !== 0) {
				increments.set(field, (increments.get(field) ?? 0) + value);
			}
		};

		for (const prefix of ['all', `day:${day}`]) {
			add(`${prefix}:inputTokens`, record.inputTokens);
			add(`${prefix}:outputTokens`, record.outputTokens);
			add(`${prefix}:cacheReadTokens`, record.cacheReadTokens);
			add(`${prefix}:cacheWriteTokens`, record.cacheWriteTokens);
			add(`${prefix}:usd`, record.costUsd);
		}
	}
}

/** Queues the increments on a pipeline as increments: they add to what the hash holds (the last seed, and every batch since). */
export function queueSavings(pipeline: ChainableCommander, instanceId: string, increments: ReadonlyMap<string, number>): void {
	if (increments.size === 0) {
		return;
	}

	const savingsKey = keys.savings(instanceId);
	for (const [field, value] of increments) {
		if (field.endsWith(':usd')) {
			pipeline.hincrbyfloat(savingsKey, field, value);
		} else {
			pipeline.hincrby(savingsKey, field, Math.round(value));
		}
	}

	pipeline.sadd(keys.savingsInstances, instanceId);
}

export class PoolSavings {
	readonly #connection: TeamConnection;
	readonly #instanceId: string;
	readonly #store: Pick<StateStore, 'ownSavings' | 'now'>;
	readonly #others = new Map<string, Totals>();

	constructor(connection: TeamConnection, instanceId: string, store: Pick<StateStore, 'ownSavings' | 'now'>) {
		this.#connection = connection;
		this.#instanceId = instanceId;
		this.#store = store;
	}

	/** Rewrites this instance's hash from its local ledger (the owner of these numbers). */
	async seed(): Promise<void> {
		const {daily, allTime} = this.#store.ownSavings();
		const oldest = utcDayKey(this.#store.now() - ((keptDays - 1) * dayMs));
		const fields: Record<string, string> = {};
		for (const field of totalFields) {
			fields[`all:${field}`] = String(allTime[field]);
		}

		for (const [day, totals] of Object.entries(daily)) {
			if (day >= oldest) {
				for (const field of totalFields) {
					fields[`day:${day}:${field}`] = String(totals[field]);
				}
			}
		}

		const key = keys.savings(this.#instanceId);
		await this.#connection.commands.multi().del(key).hset(key, fields).pexpire(key, savingsTtlMs).sadd(keys.savingsInstances, this.#instanceId).exec();
	}

	/** Reads the other instances' hashes. */
	async refresh(): Promise<void> {
		const {commands} = this.#connection;
		const members = await commands.smembers(keys.savingsInstances);
		const ids = members.filter(id => id !== this.#instanceId && /^[\da-f]{12}$/.test(id)).slice(0, maxInstances);
		const read = commands.pipeline();
		for (const id of ids) {
			read.hgetall(keys.savings(id));
		}

		const results = ids.length === 0 ? [] : await read.exec() ?? [];
		this.#others.clear();
		for (const [index, id] of ids.entries()) {
			const [error, hash] = results[index] ?? [null, undefined];
			if (!error && hash && typeof hash === 'object') {
				this.#others.set(id, parseHash(hash as Record<string, string>));
			}
		}
	}

	/** This instance's summary plus everyone else's. */
	summary(local: SavingsSummary): SavingsSummary {
		const now = this.#store.now();
		const total: SavingsSummary = {today: {...local.today}, week: {...local.week}, allTime: {...local.allTime}};
		for (const other of this.#others.values()) {
			const theirs = summarize(other.daily, other.allTime, now);
			addTotals(total.today, theirs.today);
			addTotals(total.week, theirs.week);
			addTotals(total.allTime, theirs.allTime);
		}

		return total;
	}
}

function parseHash(hash: Record<string, string>): Totals {
	const totals: Totals = {daily: new Map(), allTime: emptyTotals()};
	for (const [field, text] of Object.entries(hash).slice(0, 1000)) {
		const match = fieldPattern.exec(field);
		const value = Number(text);
		if (!match || !Number.isFinite(value) || value < 0 || value > 1e15) {
			continue;
		}

		const name = match[3] as typeof totalFields[number];
		let into = totals.allTime;
		if (match[2]) {
			into = totals.daily.get(match[2]) ?? emptyTotals();
			totals.daily.set(match[2], into);
		}

		into[name] = value;
	}

	return totals;
}
