// The numbers of one run, from what the client got and what the simulator saw (ground truth).
import {scopeFamily} from '../../source/simulator/unified-limits.js';
import type {Attempt, PoolHeadroom} from './ground-truth.js';

/** One request as the workload's client saw it. */
export type ClientRecord = {
	id: string;
	thread: string;
	model: string;
	/** Virtual epoch ms it was sent and answered (later only when it was held). */
	atMs: number;
	doneAtMs: number;
	status: number;
	/** x-shunt-account of the answer. */
	account: string | undefined;
	/** For an answer other than 200: the pool at that instant. */
	pool?: PoolHeadroom;
};

export type AccountUtilization = {account: string; fiveHour: number; sevenDay: number; scoped: Record<string, number>};

export type RunMetrics = {
	requests: {
		total: number;
		served: number;
		/** Reached the client as a 429 or another error. */
		failed: number;
		/** …while some account could have served them (target 0). */
		failedWhileServable: number;
		/** …when no account could have: the pool was spent for that model. */
		failedPoolSpent: number;
		/** Served, but as another model than asked (shunt's model fallback). */
		servedByFallback: number;
		held: number;
		heldVirtualMs: number;
	};
	/** The first answer the client got that was not a 200. */
	firstFailure: null | {
		offsetMs: number;
		model: string;
		status: number;
		/** Share of the pool's capacity used by then: 1 − headroom left for that model / the pool's 5h budgets (target ≥ 0.98). */
		capacityUsed: number;
		servable: boolean;
	};
	/** Failovers: attempts after a request's first (another account, or the same one after a hold). */
	attempts: {total: number; refused: number; perRequest: number; failovers: number};
	/** Attempts that reached an account whose window binding that request was spent right then (ground truth), by window. */
	sentToSpent: {total: number; byWindow: Record<string, number>};
	/** …of them, those whose account's own earlier answers had said that window was spent (target 0). */
	sentToKnownSpent: {total: number; byWindow: Record<string, number>};
	cache: {
		inputTokens: number;
		readTokens: number;
		writeTokens: number;
		/** Cache reads over every input token served. */
		hitRate: number;
		/** Served requests whose conversation had last been served by another account. */
		moves: number;
		/** …because the account it left could not serve it (a spent window). */
		forcedMoves: number;
		/** Cache-write tokens the moves cost over staying (a lapsed cache on the old account costs nothing extra). */
		moveWriteTokens: number;
		forcedMoveWriteTokens: number;
	};
	/** Weighted tokens each account served. */
	servedWeighted: Record<string, number>;
	endUtilization: AccountUtilization[];
	/** Max − min across accounts at the end. */
	spread: {fiveHour: number; sevenDay: number};
};

const windowKey = /^(\d+[a-z]+(?:_[a-z\d_]+)?)-(status|reset)$/;

type Known = Map<string, {status?: string; reset?: number}>;

/** The windows of an account that bind a request for model: 5h, 7d and the scoped ones of its family. */
function binds(window: string, model: string): boolean {
	return window === '5h' || window === '7d' || (window.startsWith('7d_') && model.toLowerCase().includes(scopeFamily(window)));
}

/**
 * Attempts made at an instant are judged by what the account's answers at earlier instants had
 * said; answers within the same instant (a parallel burst) do not count against each other.
 */
function knownSpent(attempts: readonly Attempt[]): RunMetrics['sentToKnownSpent'] {
	const sorted = [...attempts].toSorted((a, b) => a.atMs - b.atMs || a.seq - b.seq);
	const known = new Map<string, Known>();
	const byWindow: Record<string, number> = {};
	let total = 0;
	for (let start = 0; start < sorted.length;) {
		const instant = sorted[start]!.atMs;
		let end = start;
		while (end < sorted.length && sorted[end]!.atMs === instant) {
			end++;
		}

		const group = sorted.slice(start, end);
		for (const attempt of group) {
			const spent = [...(known.get(attempt.account) ?? new Map() as Known).entries()]
				.find(([window, seen]) => binds(window, attempt.model) && seen.status === 'rejected' && seen.reset !== undefined && seen.reset > instant / 1000);
			if (spent) {
				total++;
				byWindow[spent[0]] = (byWindow[spent[0]] ?? 0) + 1;
			}
		}

		for (const attempt of group) {
			const windows: Known = known.get(attempt.account) ?? new Map() as Known;
			known.set(attempt.account, windows);
			for (const [name, value] of Object.entries(attempt.windows)) {
				const match = windowKey.exec(name);
				if (!match) {
					continue;
				}

				const seen = windows.get(match[1]!) ?? {};
				if (match[2] === 'status') {
					seen.status = value;
				} else {
					seen.reset = Number(value);
				}

				windows.set(match[1]!, seen);
			}
		}

		start = end;
	}

	return {total, byWindow};
}

/** Refused attempts by the window that refused them. */
function sentToSpent(attempts: readonly Attempt[]): RunMetrics['sentToSpent'] {
	const byWindow: Record<string, number> = {};
	let total = 0;
	for (const attempt of attempts) {
		if (attempt.spent !== undefined) {
			total++;
			byWindow[attempt.spent] = (byWindow[attempt.spent] ?? 0) + 1;
		}
	}

	return {total, byWindow};
}

/** Every attempt of a client request after its first. */
function failovers(attempts: readonly Attempt[]): number {
	const seen = new Set<string>();
	let extra = 0;
	for (const attempt of attempts) {
		if (attempt.requestId === undefined) {
			continue;
		}

		if (seen.has(attempt.requestId)) {
			extra++;
		} else {
			seen.add(attempt.requestId);
		}
	}

	return extra;
}

const spreadOf = (values: number[]): number => (values.length === 0 ? 0 : Math.max(...values) - Math.min(...values));

export function runMetrics(input: {
	startMs: number;
	records: readonly ClientRecord[];
	attempts: readonly Attempt[];
	endUtilization: AccountUtilization[];
	holds: {count: number; virtualMs: number};
}): RunMetrics {
	const {records, attempts} = input;
	const servedAttempt = new Map<string, Attempt>();
	for (const attempt of attempts) {
		if (attempt.status === 200 && attempt.requestId !== undefined) {
			servedAttempt.set(attempt.requestId, attempt);
		}
	}

	const failed = records.filter(record => record.status !== 200);
	const first = [...failed].toSorted((a, b) => a.doneAtMs - b.doneAtMs)[0];
	const served = attempts.filter(attempt => attempt.status === 200 && attempt.usage);
	const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
	const inputTokens = sum(served.map(attempt => attempt.usage!.inputTokens));
	const readTokens = sum(served.map(attempt => attempt.usage!.cacheReadTokens));
	const writeTokens = sum(served.map(attempt => attempt.usage!.cacheWriteTokens));
	const moves = served.filter(attempt => attempt.moved);
	const forced = moves.filter(attempt => attempt.moved!.forced);
	const servedWeighted: Record<string, number> = {};
	for (const account of input.endUtilization) {
		servedWeighted[account.account] = Math.round(sum(served.filter(attempt => attempt.account === account.account).map(attempt => attempt.usage!.weighted)));
	}

	return {
		requests: {
			total: records.length,
			served: records.length - failed.length,
			failed: failed.length,
			failedWhileServable: failed.filter(record => record.pool?.servable).length,
			failedPoolSpent: failed.filter(record => record.pool && !record.pool.servable).length,
			servedByFallback: records.filter(record => record.status === 200 && servedAttempt.get(record.id)?.model !== record.model).length,
			held: input.holds.count,
			heldVirtualMs: Math.round(input.holds.virtualMs),
		},
		firstFailure: first?.pool
			? {
				offsetMs: Math.round(first.doneAtMs - input.startMs),
				model: first.model,
				status: first.status,
				capacityUsed: 1 - (first.pool.headroom / first.pool.capacity),
				servable: first.pool.servable,
			}
			: null,
		attempts: {
			total: attempts.length,
			refused: attempts.filter(attempt => attempt.status !== 200).length,
			perRequest: records.length === 0 ? 0 : attempts.length / records.length,
			failovers: failovers(attempts),
		},
		sentToSpent: sentToSpent(attempts),
		sentToKnownSpent: knownSpent(attempts),
		cache: {
			inputTokens,
			readTokens,
			writeTokens,
			hitRate: inputTokens + readTokens + writeTokens === 0 ? 0 : readTokens / (inputTokens + readTokens + writeTokens),
			moves: moves.length,
			forcedMoves: forced.length,
			moveWriteTokens: sum(moves.map(attempt => attempt.moved!.extraWriteTokens)),
			forcedMoveWriteTokens: sum(forced.map(attempt => attempt.moved!.extraWriteTokens)),
		},
		servedWeighted,
		endUtilization: input.endUtilization,
		spread: {fiveHour: spreadOf(input.endUtilization.map(account => account.fiveHour)), sevenDay: spreadOf(input.endUtilization.map(account => account.sevenDay))},
	};
}
