// The history pane's data: read from the database on a timer, never per request. Buckets that are
// complete do not change, so they are read once per window (again when the window slides by a
// bucket, and every few minutes in case a write came late); every refresh reads only the bucket
// still filling and the one before it. The newest 5h reading comes from the live telemetry, which
// is fresher than the last sample.
import {windowUtilization, type RateLimitTelemetry} from '../anthropic/telemetry.js';
import type {AccountBurn, HistoryView, HistoryWindow} from '../monitor/contract.js';
import {
	burnRate, poolBurn, type Burn, type UtilizationPoint,
} from './burn-rate.js';
import type {HistoryDatabase} from './database.js';
import {
	readingBefore, readingBuckets, recentPoints, tokenBuckets, type Reading, type TokenBuckets,
} from './series.js';
import {windowBuckets, windowSpecs} from './windows.js';

export type FeedHost = {
	db(): HistoryDatabase;
	now(): number;
	/** The configured accounts, in order. */
	accounts(): readonly string[];
	telemetry(name: string): RateLimitTelemetry | undefined;
	show(view: HistoryView | undefined): void;
	problem(message: string): void;
};

export type FeedOptions = {
	refreshEveryMs?: number;
	/** Complete buckets are read again after this long at the latest. */
	rereadCompleteMs?: number;
};

/** Paces are measured over the last half hour for the 5h window, the last six hours for the 7d one. */
const fiveHourLookbackMs = 30 * 60_000;
const sevenDayLookbackMs = 6 * 3_600_000;

type Complete = {
	window: HistoryWindow;
	/** Buckets before this index are complete and read. */
	liveFrom: number;
	readMs: number;
	tokens: TokenBuckets;
	readings: Map<string, Map<number, Reading>>;
	/** Per account, the reading that stood when the window began. */
	before: Map<string, Reading | undefined>;
};

export class HistoryFeed {
	readonly #host: FeedHost;
	readonly #refreshEveryMs: number;
	readonly #rereadCompleteMs: number;
	#window: HistoryWindow | null = null;
	#complete: Complete | undefined;
	#timer: NodeJS.Timeout | undefined;
	#immediate: NodeJS.Immediate | undefined;
	#failing = false;

	constructor(host: FeedHost, options: FeedOptions = {}) {
		this.#host = host;
		this.#refreshEveryMs = options.refreshEveryMs ?? 5000;
		this.#rereadCompleteMs = options.rereadCompleteMs ?? 5 * 60_000;
	}

	get window(): HistoryWindow | null {
		return this.#window;
	}

	/** Shows another window (read on the next turn of the event loop), or stops reading with null. */
	select(window: HistoryWindow | null): void {
		this.#window = window;
		this.#complete = undefined;
		clearInterval(this.#timer);
		this.#timer = undefined;
		if (window === null) {
			this.#host.show(undefined);
			return;
		}

		this.#timer = setInterval(() => {
			this.refresh();
		}, this.#refreshEveryMs).unref();
		this.#immediate ??= setImmediate(() => {
			this.#immediate = undefined;
			this.refresh();
		});
	}

	/** Reads and shows the selected window now. */
	refresh(): void {
		const window = this.#window;
		if (window === null) {
			return;
		}

		try {
			this.#host.show(this.#read(window));
			this.#failing = false;
		} catch (error) {
			if (!this.#failing) {
				this.#failing = true;
				this.#host.problem(`history: could not read the chart data (${(error as Error).message})`);
			}
		}
	}

	close(): void {
		clearInterval(this.#timer);
		if (this.#immediate) {
			clearImmediate(this.#immediate);
		}

		this.#window = null;
	}

	#read(window: HistoryWindow): HistoryView {
		const db = this.#host.db();
		const nowMs = this.#host.now();
		const spec = windowSpecs[window];
		const {bucketMs} = spec;
		const {first, last} = windowBuckets(spec, nowMs);
		// The bucket before the one filling may still get rows: the writer commits a moment later.
		const liveFrom = last - 1;
		const accounts = this.#host.accounts();
		let complete = this.#complete;
		if (complete?.window !== window || complete.liveFrom !== liveFrom || nowMs - complete.readMs > this.#rereadCompleteMs) {
			const fromMs = first * bucketMs;
			complete = {
				window,
				liveFrom,
				readMs: nowMs,
				tokens: tokenBuckets(db, fromMs, liveFrom * bucketMs, bucketMs),
				readings: readingBuckets(db, fromMs, liveFrom * bucketMs, bucketMs),
				before: new Map(accounts.map(name => [name, readingBefore(db, name, fromMs)])),
			};
			this.#complete = complete;
		}

		const liveTokens = tokenBuckets(db, liveFrom * bucketMs, (last + 1) * bucketMs, bucketMs);
		const liveReadings = readingBuckets(db, liveFrom * bucketMs, (last + 1) * bucketMs, bucketMs);
		const buckets: HistoryView['buckets'] = [];
		for (let index = first; index <= last; index++) {
			buckets.push({startMs: index * bucketMs, perAccount: {...(index >= liveFrom ? liveTokens : complete.tokens).get(index)}});
		}

		const sparklines: HistoryView['sparklines'] = {};
		const burns: Record<string, AccountBurn> = {};
		const fiveHours: Burn[] = [];
		const sevenDays: Burn[] = [];
		for (const name of accounts) {
			const telemetry = this.#host.telemetry(name);
			sparklines[name] = this.#sparkline(name, complete, liveReadings, first, last, bucketMs, nowMs, telemetry);
			const points = recentPoints(db, name, nowMs - sevenDayLookbackMs);
			const five = burnRate(withLive(points.fiveHour, telemetry?.fiveHour, telemetry?.updatedMs, nowMs), nowMs, fiveHourLookbackMs);
			const seven = burnRate(withLive(points.sevenDay, telemetry?.sevenDay, telemetry?.updatedMs, nowMs), nowMs, sevenDayLookbackMs);
			fiveHours.push(five);
			sevenDays.push(seven);
			burns[name] = {...rateOf(five), sevenDay: rateOf(seven)};
		}

		return {
			window,
			bucketMs,
			computedMs: nowMs,
			buckets,
			sparklines,
			burn: {accounts: burns, pool: {...poolBurn(fiveHours), sevenDay: poolBurn(sevenDays)}},
		};
	}

	#sparkline(name: string, complete: Complete, live: Map<string, Map<number, Reading>>, first: number, last: number, bucketMs: number, nowMs: number, telemetry: RateLimitTelemetry | undefined): Array<number | null> {
		const values: Array<number | null> = [];
		let standing = complete.before.get(name);
		const completeReadings = complete.readings.get(name);
		const liveReadings = live.get(name);
		for (let index = first; index <= last; index++) {
			standing = (index >= complete.liveFrom ? liveReadings : completeReadings)?.get(index) ?? standing;
			const endMs = Math.min(nowMs, (index + 1) * bucketMs);
			// A reading stands until its window resets; after that the window is empty again.
			values.push(standing === undefined ? null : (standing.resetMs !== null && standing.resetMs <= endMs ? 0 : standing.utilization));
		}

		const now = windowUtilization(telemetry?.fiveHour, nowMs / 1000);
		if (now !== null && values.length > 0) {
			values[values.length - 1] = now;
		}

		return values;
	}
}

function rateOf(burn: Burn) {
	return {perHour: burn.perHour, spentInMs: burn.spentInMs, resetsInMs: burn.resetsInMs};
}

/** The samples, and the live telemetry's reading after them when it is newer. */
function withLive(points: UtilizationPoint[], window: {utilization?: number; reset?: number} | undefined, updatedMs: number | undefined, nowMs: number): UtilizationPoint[] {
	const utilization = window?.utilization;
	if (utilization === undefined || !Number.isFinite(utilization) || updatedMs === undefined) {
		return points;
	}

	const tsMs = Math.min(updatedMs, nowMs);
	const latest = points.at(-1);
	if (latest && latest.tsMs >= tsMs) {
		return points;
	}

	return [...points, {tsMs, utilization, resetMs: window?.reset === undefined ? null : window.reset * 1000}];
}
