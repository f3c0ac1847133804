// The subscription ("unified") rate-limit model: a rolling 5-hour window and a weekly window,
// both measured in weighted tokens against a budget, reported in the anthropic-ratelimit-unified-*
// header family on every /v1/messages response.

const minuteMs = 60_000;
const fiveHoursMs = 5 * 60 * minuteMs;
const weekMs = 7 * 24 * 60 * minuteMs;
/** Weekly windows roll over on Thursdays at 09:00 UTC (epoch 0 was a Thursday). */
const weekAnchorMs = 9 * 60 * minuteMs;
const headerPrefix = 'anthropic-ratelimit-unified-';

export type WindowName = '5h' | '7d';

export type WindowView = {
	utilization: number;
	/** Epoch seconds. */
	reset: number;
};

export type UnifiedView = Record<WindowName, WindowView>;

const claimNames: Record<WindowName, string> = {'5h': 'five_hour', '7d': 'seven_day'};

const weekIndex = (nowMs: number): number => Math.floor((nowMs - weekAnchorMs) / weekMs);

export class UnifiedLimiter {
	readonly #budget5h: number;
	readonly #budget7d: number;
	readonly #window5hMs: number;
	#used5h: number;
	#used7d: number;
	/** Epoch ms; undefined until the first request after a reset opens a window. */
	#start5h: number | undefined;
	#week: number;

	constructor(budget5h: number, budget7d: number, utilization5h: number, utilization7d: number, nowMs: number, window5hMs = fiveHoursMs) {
		this.#budget5h = budget5h;
		this.#budget7d = budget7d;
		this.#window5hMs = window5hMs;
		this.#used5h = utilization5h * budget5h;
		this.#used7d = utilization7d * budget7d;
		this.#week = weekIndex(nowMs);
	}

	/** Opens the 5h window if none is running: called when a request reaches the limit check. */
	begin(nowMs: number): void {
		this.#roll(nowMs);
		// Upstream aligns windows to round times; 10 minutes keeps resets on tidy boundaries.
		this.#start5h ??= this.#windowStart(nowMs);
	}

	charge(weightedTokens: number): void {
		this.#used5h += weightedTokens;
		this.#used7d += weightedTokens;
	}

	setUtilization(utilization: {fiveHour?: number; sevenDay?: number}): void {
		if (utilization.fiveHour !== undefined) {
			this.#used5h = utilization.fiveHour * this.#budget5h;
		}

		if (utilization.sevenDay !== undefined) {
			this.#used7d = utilization.sevenDay * this.#budget7d;
		}
	}

	view(nowMs: number): UnifiedView {
		this.#roll(nowMs);
		// A window that has not started yet would reset 5 h after a request made now.
		const start5h = this.#start5h ?? this.#windowStart(nowMs);
		return {
			'5h': {utilization: this.#used5h / this.#budget5h, reset: Math.ceil((start5h + this.#window5hMs) / 1000)},
			'7d': {utilization: this.#used7d / this.#budget7d, reset: (weekAnchorMs + ((this.#week + 1) * weekMs)) / 1000},
		};
	}

	/** Real windows start on 10-minute boundaries; short demo windows start when asked. */
	#windowStart(nowMs: number): number {
		return this.#window5hMs === fiveHoursMs ? Math.floor(nowMs / (10 * minuteMs)) * 10 * minuteMs : nowMs;
	}

	/** Clears windows whose reset has passed; the clock may have jumped by hours. */
	#roll(nowMs: number): void {
		if (this.#start5h !== undefined && nowMs >= this.#start5h + this.#window5hMs) {
			this.#start5h = undefined;
			this.#used5h = 0;
		}

		const week = weekIndex(nowMs);
		if (week !== this.#week) {
			this.#week = week;
			this.#used7d = 0;
		}
	}
}

/** The rejected window that binds longest (AND-composed limits clear at the latest reset). */
export function rejectedWindow(view: UnifiedView): WindowName | undefined {
	const rejected = (['5h', '7d'] as const).filter(name => view[name].utilization >= 1);
	return rejected.sort((a, b) => view[b].reset - view[a].reset)[0];
}

function status(utilization: number): {status: string; threshold?: string} {
	if (utilization >= 1) {
		return {status: 'rejected', threshold: '1.0'};
	}

	if (utilization >= 0.9) {
		return {status: 'allowed_warning', threshold: '0.9'};
	}

	if (utilization >= 0.75) {
		return {status: 'allowed_warning', threshold: '0.75'};
	}

	return {status: 'allowed'};
}

const rank: Record<string, number> = {allowed: 0, allowed_warning: 1, rejected: 2};

/** Floors to 2 decimals so a rendered 1 always means rejected (the epsilon absorbs float noise). */
const formatUtilization = (utilization: number): string => String(Math.floor((utilization * 100) + 1e-9) / 100);

export function unifiedHeaders(view: UnifiedView, overageDisabledReason = 'org_level_disabled'): Record<string, string> {
	const headers: Record<string, string> = {};
	let overall = 'allowed';
	for (const name of ['5h', '7d'] as const) {
		const window = view[name];
		const {status: windowStatus, threshold} = status(window.utilization);
		headers[`${headerPrefix}${name}-status`] = windowStatus;
		headers[`${headerPrefix}${name}-utilization`] = formatUtilization(window.utilization);
		headers[`${headerPrefix}${name}-reset`] = String(Math.ceil(window.reset));
		if (threshold !== undefined) {
			headers[`${headerPrefix}${name}-surpassed-threshold`] = threshold;
		}

		if ((rank[windowStatus] ?? 0) > (rank[overall] ?? 0)) {
			overall = windowStatus;
		}
	}

	const claim = rejectedWindow(view) ?? (view['7d'].utilization > view['5h'].utilization ? '7d' : '5h');
	headers[`${headerPrefix}status`] = overall;
	headers[`${headerPrefix}representative-claim`] = claimNames[claim];
	headers[`${headerPrefix}reset`] = String(Math.ceil(view[claim].reset));
	headers[`${headerPrefix}fallback-percentage`] = '0.5';
	headers[`${headerPrefix}overage-status`] = 'rejected';
	headers[`${headerPrefix}overage-disabled-reason`] = overageDisabledReason;
	return headers;
}
