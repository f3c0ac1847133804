// What the traffic added up to: the ring of recent requests, each account's local 5-hour token
// window, savings at API prices per UTC day and in all, and the account that served last.
import {Ring} from '../util/ring.js';
import {terminalSafe} from '../util/terminal-safe.js';
import type {PersistedState} from './persisted-state.js';
import type {LocalWindow} from './persisted-shape.js';
import type {RequestRecord, SavingsSummary, SavingsTotals} from './records.js';
import {addTotals, emptyTotals, pruneDaily, summarize, utcDayKey} from './savings.js';

export const requestRingSize = 200;
const localWindowMs = 5 * 60 * 60 * 1000;

type Saved = Pick<PersistedState, 'window' | 'lastUsedAccount' | 'savingsDaily' | 'savingsAllTime'>;

/** What the history hands a ledger at start: the latest requests (newest first) and its savings. */
export type LedgerSeed = Pick<PersistedState, 'savingsDaily' | 'savingsAllTime'> & {requests: readonly RequestRecord[]};

export class UsageLedger {
	readonly #requests = new Ring<RequestRecord>(requestRingSize);
	readonly #window = new Map<string, LocalWindow>();
	readonly #daily = new Map<string, SavingsTotals>();
	#allTime: SavingsTotals;
	#lastUsed: string | null;

	/** With a seed (the history), the ring and the savings come from it rather than from state.json. */
	constructor(saved: Saved, known: ReadonlySet<string>, seed?: LedgerSeed) {
		for (const [name, window] of Object.entries(saved.window)) {
			if (known.has(name)) {
				this.#window.set(name, window);
			}
		}

		this.#lastUsed = saved.lastUsedAccount && known.has(saved.lastUsedAccount) ? saved.lastUsedAccount : null;
		const savings = seed ?? saved;
		for (const [day, totals] of Object.entries(savings.savingsDaily)) {
			this.#daily.set(day, {...emptyTotals(), ...totals});
		}

		this.#allTime = {...savings.savingsAllTime};
		if (seed) {
			for (let index = Math.min(seed.requests.length, requestRingSize) - 1; index >= 0; index--) {
				this.#requests.push(seed.requests[index]!);
			}
		}
	}

	get lastUsed(): string | null {
		return this.#lastUsed;
	}

	/** A finished client request: the ring, the local window, savings, last used. */
	record(record: RequestRecord): void {
		// The model, path and reasons are the client's (or the upstream's) text, drawn by the monitor
		// and logged headless: cleaned once here, where every reader gets them.
		record.model = terminalSafe(record.model);
		record.path = terminalSafe(record.path);
		for (const attempt of record.attempts) {
			if (attempt.reason !== undefined) {
				attempt.reason = terminalSafe(attempt.reason);
			}
		}

		this.#requests.push(record);
		const {account} = record;
		if (account && record.status >= 200 && record.status < 300) {
			this.#lastUsed = account;
		}

		const tokens = record.inputTokens + record.outputTokens + record.cacheReadTokens + record.cacheWriteTokens;
		if (!account || tokens <= 0) {
			return;
		}

		this.#addToWindow(account, record);
		const usage: SavingsTotals = {
			inputTokens: record.inputTokens,
			outputTokens: record.outputTokens,
			cacheReadTokens: record.cacheReadTokens,
			cacheWriteTokens: record.cacheWriteTokens,
			usd: record.costUsd,
		};
		const day = utcDayKey(record.tsMs);
		let bucket = this.#daily.get(day);
		if (!bucket) {
			// A new day: the moment to drop buckets that have aged out.
			bucket = emptyTotals();
			this.#daily.set(day, bucket);
			pruneDaily(this.#daily, record.tsMs);
		}

		addTotals(bucket, usage);
		addTotals(this.#allTime, usage);
	}

	/** Newest first, at most requestRingSize. */
	requests(): RequestRecord[] {
		return this.#requests.newestFirst();
	}

	/** Tokens that weighed on the account's limits in its local 5-hour window. */
	windowTokens(name: string, nowMs: number): number {
		const window = this.#window.get(name);
		return window && nowMs < window.startMs + localWindowMs ? window.tokens : 0;
	}

	/**
	 * The share of the account's prompt tokens read from its cache in the local 5-hour window
	 * (cache read ÷ all input): how warm routing keeps its conversations there. Null before any input.
	 */
	cacheHitRate(name: string, nowMs: number): number | null {
		const window = this.#window.get(name);
		if (!window || nowMs >= window.startMs + localWindowMs || !window.promptTokens) {
			return null;
		}

		return (window.cacheReadTokens ?? 0) / window.promptTokens;
	}

	savings(nowMs: number): SavingsSummary {
		return summarize(this.#daily, this.#allTime, nowMs);
	}

	serialize(): Saved {
		return {
			window: Object.fromEntries(this.#window),
			lastUsedAccount: this.#lastUsed,
			savingsDaily: Object.fromEntries(this.#daily),
			savingsAllTime: this.#allTime,
		};
	}

	/** The local 5-hour window counts tokens that weigh on limits (cache reads do not), and the cache's share of the prompt. */
	#addToWindow(name: string, record: RequestRecord): void {
		const tokens = record.inputTokens + record.outputTokens + record.cacheWriteTokens;
		const prompt = record.inputTokens + record.cacheReadTokens + record.cacheWriteTokens;
		const window = this.#window.get(name);
		if (!window || record.tsMs >= window.startMs + localWindowMs) {
			this.#window.set(name, {startMs: record.tsMs, tokens, cacheReadTokens: record.cacheReadTokens, promptTokens: prompt});
		} else {
			window.tokens += tokens;
			// A window from a file written before these were kept starts counting now.
			window.cacheReadTokens = (window.cacheReadTokens ?? 0) + record.cacheReadTokens;
			window.promptTokens = (window.promptTokens ?? 0) + prompt;
		}
	}
}

/** Requests finished in the minute before nowMs, from a newest-first list. */
export function requestsPerMinute(requests: readonly RequestRecord[], nowMs: number): number {
	const minuteAgo = nowMs - 60_000;
	let count = 0;
	for (const request of requests) {
		if (request.tsMs < minuteAgo) {
			break;
		}

		count++;
	}

	return count;
}
