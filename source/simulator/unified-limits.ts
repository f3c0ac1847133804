// The subscription ("unified") rate-limit model: a rolling 5-hour window and a weekly window,
// both measured in weighted tokens against a budget, plus optional model-scoped weekly windows
// (7d_opus, 7d_sonnet, 7d_oi) that count only their own model family. All of them are reported in
// the anthropic-ratelimit-unified-* header family on every /v1/messages response.
import type {SimScopedWindow, SimUtilization} from './sim-types.js';

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

/** A model-scoped window also says which model family it limits (a substring of model ids). */
export type ScopedWindowView = WindowView & {family: string};

export type UnifiedView = Record<WindowName, WindowView> & {
	/** By header infix ("7d_opus"), in configuration order. */
	scoped: Record<string, ScopedWindowView>;
};

const claimNames: Record<WindowName, string> = {'5h': 'five_hour', '7d': 'seven_day'};

/** "7d_opus" → "seven_day_opus", as the representative-claim header names scoped windows. */
const claimName = (window: string): string => (window === '5h' || window === '7d' ? claimNames[window] : `seven_day_${window.slice(3)}`);

// Header infixes become header names: letters, digits and underscores only, weekly scopes only.
const scopeName = /^7d_[a-z][a-z\d_]{0,30}$/;

/** The model family a scope limits: the part after "7d_"; "oi" is the Fable-only window seen upstream. */
export function scopeFamily(scope: string): string {
	const suffix = scope.slice(3);
	return suffix === 'oi' ? 'fable' : suffix;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isFraction = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= 100;

const isInstant = (value: unknown): boolean => value === undefined || (typeof value === 'number' && Number.isFinite(value));

/** Why an account's window configuration cannot be used, or undefined when it can (config comes from tests and the control API). */
export function unifiedConfigError(config: {reset5hAtMs?: unknown; reset7dAtMs?: unknown; scoped?: unknown}): string | undefined {
	if (!isInstant(config.reset5hAtMs) || !isInstant(config.reset7dAtMs)) {
		return 'reset5hAtMs and reset7dAtMs must be epoch milliseconds';
	}

	return scopedConfigError(config.scoped);
}

function scopedConfigError(scoped: unknown): string | undefined {
	if (scoped === undefined) {
		return undefined;
	}

	if (!isRecord(scoped)) {
		return 'scoped must be an object of windows by name ({"7d_opus": {...}})';
	}

	for (const [name, window] of Object.entries(scoped)) {
		if (!scopeName.test(name)) {
			return `scoped window ${JSON.stringify(name)} must be named like 7d_opus (7d_ and lower-case letters, digits or _)`;
		}

		if (!isRecord(window)) {
			return `scoped window ${name} must be an object`;
		}

		const {budget, utilization, resetAtMs} = window;
		if (budget !== undefined && !(typeof budget === 'number' && Number.isFinite(budget) && budget > 0)) {
			return `scoped window ${name}: budget must be a number > 0`;
		}

		if (utilization !== undefined && !isFraction(utilization)) {
			return `scoped window ${name}: utilization must be a fraction from 0 to 100`;
		}

		if (!isInstant(resetAtMs)) {
			return `scoped window ${name}: resetAtMs must be epoch milliseconds`;
		}
	}

	return undefined;
}

/** Which week an instant falls in, for weeks that start at anchorMs (any instant on their boundaries). */
const weekIndex = (nowMs: number, anchorMs = weekAnchorMs): number => Math.floor((nowMs - anchorMs) / weekMs);

/** A weekly window for one model family, rolling over every 7 days from its anchor. */
class ScopedWindow {
	readonly family: string;
	readonly #budget: number;
	readonly #anchorMs: number;
	#used: number;
	#week: number;

	constructor(scope: string, config: SimScopedWindow, defaultBudget: number, nowMs: number) {
		this.family = scopeFamily(scope);
		this.#budget = config.budget ?? defaultBudget;
		this.#anchorMs = config.resetAtMs ?? weekAnchorMs;
		this.#used = (config.utilization ?? 0) * this.#budget;
		this.#week = weekIndex(nowMs, this.#anchorMs);
	}

	limits(model: string | undefined): boolean {
		return model?.toLowerCase().includes(this.family) === true;
	}

	charge(weightedTokens: number): void {
		this.#used += weightedTokens;
	}

	setUtilization(utilization: number): void {
		this.#used = utilization * this.#budget;
	}

	view(nowMs: number): ScopedWindowView {
		const week = weekIndex(nowMs, this.#anchorMs);
		if (week !== this.#week) {
			this.#week = week;
			this.#used = 0;
		}

		return {utilization: this.#used / this.#budget, reset: (this.#anchorMs + ((week + 1) * weekMs)) / 1000, family: this.family};
	}
}

export type UnifiedConfig = {
	budget5h: number;
	budget7d: number;
	utilization5h: number;
	utilization7d: number;
	window5hMs?: number;
	reset5hAtMs?: number;
	reset7dAtMs?: number;
	scoped?: Record<string, SimScopedWindow>;
};

export class UnifiedLimiter {
	readonly #budget5h: number;
	readonly #budget7d: number;
	readonly #window5hMs: number;
	readonly #scoped = new Map<string, ScopedWindow>();
	/** Any instant the weekly window resets at. */
	readonly #weekAnchorMs: number;
	#used5h: number;
	#used7d: number;
	/** Epoch ms; undefined until the first request after a reset opens a window. */
	#start5h: number | undefined;
	#week: number;

	constructor(config: UnifiedConfig, nowMs: number) {
		const problem = unifiedConfigError(config);
		if (problem !== undefined) {
			throw new Error(problem);
		}

		this.#budget5h = config.budget5h;
		this.#budget7d = config.budget7d;
		this.#window5hMs = config.window5hMs ?? fiveHoursMs;
		this.#used5h = config.utilization5h * config.budget5h;
		this.#used7d = config.utilization7d * config.budget7d;
		this.#weekAnchorMs = config.reset7dAtMs ?? weekAnchorMs;
		this.#week = weekIndex(nowMs, this.#weekAnchorMs);
		if (config.reset5hAtMs !== undefined && config.reset5hAtMs > nowMs) {
			// A window that opened before the simulator knew the account; it cannot end later than one window from now.
			this.#start5h = Math.min(config.reset5hAtMs, nowMs + this.#window5hMs) - this.#window5hMs;
		}

		for (const [scope, window] of Object.entries(config.scoped ?? {})) {
			// Scoped windows roll over with the account's week unless they say otherwise.
			this.#scoped.set(scope, new ScopedWindow(scope, {...window, resetAtMs: window.resetAtMs ?? this.#weekAnchorMs}, config.budget7d, nowMs));
		}
	}

	/** Opens the 5h window if none is running: called when a request reaches the limit check. */
	begin(nowMs: number): void {
		this.#roll(nowMs);
		// Upstream aligns windows to round times; 10 minutes keeps resets on tidy boundaries.
		this.#start5h ??= this.#windowStart(nowMs);
	}

	/** Every request counts against 5h and 7d; a scoped window counts only its family's. */
	charge(weightedTokens: number, model?: string): void {
		this.#used5h += weightedTokens;
		this.#used7d += weightedTokens;
		for (const window of this.#scoped.values()) {
			if (window.limits(model)) {
				window.charge(weightedTokens);
			}
		}
	}

	/** Throws for a scoped window the account does not have (nothing is changed then). */
	setUtilization(utilization: SimUtilization): void {
		const unknown = Object.keys(utilization.scoped ?? {}).find(scope => !this.#scoped.has(scope));
		if (unknown !== undefined) {
			throw new Error(`the account has no ${unknown} window`);
		}

		if (utilization.fiveHour !== undefined) {
			this.#used5h = utilization.fiveHour * this.#budget5h;
		}

		if (utilization.sevenDay !== undefined) {
			this.#used7d = utilization.sevenDay * this.#budget7d;
		}

		for (const [scope, fraction] of Object.entries(utilization.scoped ?? {})) {
			this.#scoped.get(scope)!.setUtilization(fraction);
		}
	}

	view(nowMs: number): UnifiedView {
		this.#roll(nowMs);
		// A window that has not started yet would reset 5 h after a request made now.
		const start5h = this.#start5h ?? this.#windowStart(nowMs);
		const scoped: Record<string, ScopedWindowView> = {};
		for (const [scope, window] of this.#scoped) {
			scoped[scope] = window.view(nowMs);
		}

		return {
			'5h': {utilization: this.#used5h / this.#budget5h, reset: Math.ceil((start5h + this.#window5hMs) / 1000)},
			'7d': {utilization: this.#used7d / this.#budget7d, reset: (this.#weekAnchorMs + ((this.#week + 1) * weekMs)) / 1000},
			scoped,
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

		const week = weekIndex(nowMs, this.#weekAnchorMs);
		if (week !== this.#week) {
			this.#week = week;
			this.#used7d = 0;
		}
	}
}

/** The windows that bind a request for model: 5h, 7d and the scoped windows of its family. */
function bindingWindows(view: UnifiedView, model: string | undefined): Array<[string, WindowView]> {
	const windows: Array<[string, WindowView]> = [['5h', view['5h']], ['7d', view['7d']]];
	for (const [scope, window] of Object.entries(view.scoped)) {
		if (model?.toLowerCase().includes(window.family)) {
			windows.push([scope, window]);
		}
	}

	return windows;
}

/**
 * The rejected window that binds longest for a request of model (AND-composed limits clear at the
 * latest reset): "5h", "7d" or a scope such as "7d_opus". Without a model only 5h and 7d count.
 */
export function rejectedWindow(view: UnifiedView, model?: string): string | undefined {
	const rejected = bindingWindows(view, model).filter(([, window]) => window.utilization >= 1);
	rejected.sort(([, a], [, b]) => b.reset - a.reset);
	return rejected[0]?.[0];
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

/**
 * The header family for a response to a request for model. Every window is reported; the overall
 * status, representative claim and reset speak of the windows that bind this request (a spent
 * weekly Opus window does not make a Sonnet answer "rejected").
 */
export function unifiedHeaders(view: UnifiedView, overageDisabledReason = 'org_level_disabled', model?: string): Record<string, string> {
	const headers: Record<string, string> = {};
	const windows: Array<[string, WindowView]> = [['5h', view['5h']], ['7d', view['7d']], ...Object.entries(view.scoped)];
	for (const [name, window] of windows) {
		const {status: windowStatus, threshold} = status(window.utilization);
		headers[`${headerPrefix}${name}-status`] = windowStatus;
		headers[`${headerPrefix}${name}-utilization`] = formatUtilization(window.utilization);
		headers[`${headerPrefix}${name}-reset`] = String(Math.ceil(window.reset));
		if (threshold !== undefined) {
			headers[`${headerPrefix}${name}-surpassed-threshold`] = threshold;
		}
	}

	let overall = 'allowed';
	let fullest: [string, WindowView] | undefined;
	const binding = bindingWindows(view, model);
	for (const entry of binding) {
		const windowStatus = status(entry[1].utilization).status;
		if ((rank[windowStatus] ?? 0) > (rank[overall] ?? 0)) {
			overall = windowStatus;
		}

		// Ties go to the earlier window (5h before 7d before scoped), as upstream reports five_hour.
		if (fullest === undefined || entry[1].utilization > fullest[1].utilization) {
			fullest = entry;
		}
	}

	const claim = rejectedWindow(view, model) ?? fullest![0];
	const claimed = binding.find(([name]) => name === claim)![1];
	headers[`${headerPrefix}status`] = overall;
	headers[`${headerPrefix}representative-claim`] = claimName(claim);
	headers[`${headerPrefix}reset`] = String(Math.ceil(claimed.reset));
	headers[`${headerPrefix}fallback-percentage`] = '0.5';
	headers[`${headerPrefix}overage-status`] = 'rejected';
	headers[`${headerPrefix}overage-disabled-reason`] = overageDisabledReason;
	return headers;
}
