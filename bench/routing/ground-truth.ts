// What really happened, from the simulator's side: every attempt that reached it (account, model,
// status, usage, the rate-limit headers it answered with), which served requests moved their
// conversation to another account and what that cost in cache writes against staying, and how
// much of the pool could still serve a model at any instant. Nothing here asks shunt what it
// believes.
import {countInput} from '../../source/simulator/tokens.js';
import {scopeFamily} from '../../source/simulator/unified-limits.js';
import type {Simulator, SimRequestLogEntry, SimUsage} from '../../source/simulator/index.js';
import {credentialOf, type PoolAccount} from './config.js';

const unifiedPrefix = 'anthropic-ratelimit-unified-';

export type Attempt = {
	/** The client request it belongs to (the x-request-id the workload sent). */
	requestId: string | undefined;
	account: string;
	atMs: number;
	/** Arrival order at the simulator. */
	seq: number;
	status: number;
	model: string;
	usage: SimUsage | undefined;
	/** The unified windows' status and reset headers it was answered with. */
	windows: Record<string, string>;
	/** Refused because this window of the account was spent right then ("5h", "7d", "7d_opus"). */
	spent?: string;
	/** Served, and not where its conversation was served last. */
	moved?: Move;
};

export type Move = {
	from: string;
	/** The account it left could not have served it at that instant (a spent window). */
	forced: boolean;
	/** Cache-write tokens here, minus what the same prompt would have written on the account it left. */
	extraWriteTokens: number;
};

export type PoolHeadroom = {
	/** Some account's windows would have admitted a request for the model right then. */
	servable: boolean;
	/** Weighted tokens the pool could still take for that model (each account's tightest window). */
	headroom: number;
	/** The pool's capacity: the sum of its 5h budgets. */
	capacity: number;
};

/** The windows that bind a request for model: 5h, 7d and the scoped ones of its family. */
function relevantWindows(account: PoolAccount, model: string): Array<{name: string; budget: number}> {
	const windows = [{name: '5h', budget: account.budget5h}, {name: '7d', budget: account.budget7d}];
	for (const [scope, window] of Object.entries(account.scoped)) {
		if (model.toLowerCase().includes(scopeFamily(scope))) {
			windows.push({name: scope, budget: window.budget});
		}
	}

	return windows;
}

export class GroundTruth {
	readonly attempts: Attempt[] = [];
	readonly #simulator: Simulator;
	readonly #pool: PoolAccount[];
	readonly #threadOf: (requestId: string) => string | undefined;
	/** Which account served each conversation last. */
	readonly #lastServed = new Map<string, string>();
	#seq = 0;

	constructor(simulator: Simulator, pool: PoolAccount[], threadOf: (requestId: string) => string | undefined) {
		this.#simulator = simulator;
		this.#pool = pool;
		this.#threadOf = threadOf;
		simulator.on('request', (entry: SimRequestLogEntry) => {
			this.#record(entry);
		});
	}

	/** How much of the pool could still serve model at nowMs. */
	headroomAt(nowMs: number, model: string): PoolHeadroom {
		let servable = false;
		let headroom = 0;
		let capacity = 0;
		for (const account of this.#pool) {
			capacity += account.budget5h;
			const state = this.#state(account.name);
			const view = state.unifiedView(nowMs)!;
			if (state.spentWindow(nowMs, model) === undefined) {
				servable = true;
			}

			let tightest = Number.POSITIVE_INFINITY;
			for (const window of relevantWindows(account, model)) {
				const utilization = window.name === '5h' || window.name === '7d' ? view[window.name].utilization : view.scoped[window.name]?.utilization ?? 0;
				tightest = Math.min(tightest, Math.max(0, 1 - utilization) * window.budget);
			}

			headroom += tightest;
		}

		return {servable, headroom, capacity};
	}

	/** Each account's windows at nowMs, as fractions used. */
	utilizationAt(nowMs: number): Array<{account: string; fiveHour: number; sevenDay: number; scoped: Record<string, number>}> {
		return this.#pool.map(account => {
			const view = this.#state(account.name).unifiedView(nowMs)!;
			const scoped: Record<string, number> = {};
			for (const [scope, window] of Object.entries(view.scoped)) {
				scoped[scope] = window.utilization;
			}

			return {account: account.name, fiveHour: view['5h'].utilization, sevenDay: view['7d'].utilization, scoped};
		});
	}

	#state(name: string) {
		const account = this.#pool.find(candidate => candidate.name === name);
		const state = account && this.#simulator.accounts.get(credentialOf(account));
		if (!state) {
			throw new Error(`routing bench: the simulator has no account ${name}`);
		}

		return state;
	}

	#record(entry: SimRequestLogEntry): void {
		if (entry.path.split('?')[0] !== '/v1/messages' || entry.account === undefined) {
			return;
		}

		const body = entry.body as Record<string, unknown> | undefined;
		const model = typeof body?.['model'] === 'string' ? body['model'] : '';
		const windows: Record<string, string> = {};
		for (const [name, value] of Object.entries(entry.responseHeaders)) {
			if (name.startsWith(unifiedPrefix) && (name.endsWith('-status') || name.endsWith('-reset'))) {
				windows[name.slice(unifiedPrefix.length)] = value;
			}
		}

		const requestId = entry.headers['x-request-id'];
		const attempt: Attempt = {requestId, account: entry.account, atMs: entry.tsMs, seq: this.#seq++, status: entry.status, model, usage: entry.usage, windows};
		if (entry.status === 429) {
			// A refusal changes no window, so the account's state now is the state it was refused in.
			const spent = this.#state(entry.account).spentWindow(entry.tsMs, model);
			if (spent !== undefined) {
				attempt.spent = spent;
			}
		}

		const thread = requestId === undefined ? undefined : this.#threadOf(requestId);
		if (entry.status === 200 && entry.usage && thread !== undefined && body) {
			const from = this.#lastServed.get(thread);
			if (from !== undefined && from !== entry.account) {
				attempt.moved = this.#move(from, body, model, entry);
			}

			this.#lastServed.set(thread, entry.account);
		}

		this.attempts.push(attempt);
	}

	/** The move's price: what was written here against what staying would have written (its cache there may have lapsed anyway). */
	#move(from: string, body: Record<string, unknown>, model: string, entry: SimRequestLogEntry): Move {
		const left = this.#state(from);
		const stay = left.cache.peek(countInput(body).breakpoints, entry.tsMs);
		return {
			from,
			forced: left.spentWindow(entry.tsMs, model) !== undefined,
			extraWriteTokens: entry.usage!.cacheWriteTokens - (stay.write5m + stay.write1h),
		};
	}
}
