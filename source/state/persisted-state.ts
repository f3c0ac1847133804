import {readFileSync, renameSync} from 'node:fs';
import type {RateLimitTelemetry, SavingsTotals} from '../types.js';

/** What survives a restart, per account. Burst windows, health counters and the ring do not. */
export type PersistedAccount = {
	cooldownUntilMs: number;
	cooldownReason?: string;
	lastCooldownEndMs: number;
	paused: boolean;
	authFailed: boolean;
	unhealthy: boolean;
	/** Model-scoped exclusions (out_of_credits and the like). */
	excludedModels: Array<{model: string; untilMs: number}>;
};

export type PersistedState = {
	format: 1;
	accounts: Record<string, PersistedAccount>;
	telemetry: Record<string, RateLimitTelemetry>;
	sticky: Record<string, {account: string; expiresMs: number}>;
	/** Local 5-hour token window per account. */
	window: Record<string, {startMs: number; tokens: number}>;
	pinnedAccount: string | null;
	lastUsedAccount: string | null;
	savingsDaily: Record<string, SavingsTotals>;
	savingsAllTime: SavingsTotals;
};

export class StateFileError extends Error {}

export function emptyPersistedState(): PersistedState {
	return {
		format: 1,
		accounts: {},
		telemetry: {},
		sticky: {},
		window: {},
		pinnedAccount: null,
		lastUsedAccount: null,
		savingsDaily: {},
		savingsAllTime: {inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, usd: 0},
	};
}

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads state.json. Missing → fresh state. Unreadable (permissions, a directory) → an error that
 * names the file: starting fresh would silently drop cooldowns and savings. Corrupt (not JSON, or
 * not our shape) → the file is moved aside as state.json.corrupt-<time>, a warning is returned,
 * and shunt starts fresh; nothing is deleted.
 */
export function loadPersistedState(file: string, nowMs: number): {state: PersistedState; warning?: string} {
	let text: string;
	try {
		text = readFileSync(file, 'utf8');
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
			return {state: emptyPersistedState()};
		}

		throw new StateFileError(`cannot read state file ${file}: ${(error as Error).message}`);
	}

	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch {
		parsed = undefined;
	}

	if (!isObject(parsed) || parsed['format'] !== 1) {
		const aside = `${file}.corrupt-${new Date(nowMs).toISOString().replaceAll(':', '-')}`;
		renameSync(file, aside);
		return {state: emptyPersistedState(), warning: `state file ${file} was corrupt; moved it to ${aside} and started fresh`};
	}

	const fresh = emptyPersistedState();
	const state: PersistedState = {
		format: 1,
		accounts: isObject(parsed['accounts']) ? parsed['accounts'] as PersistedState['accounts'] : fresh.accounts,
		telemetry: isObject(parsed['telemetry']) ? parsed['telemetry'] as PersistedState['telemetry'] : fresh.telemetry,
		sticky: isObject(parsed['sticky']) ? parsed['sticky'] as PersistedState['sticky'] : fresh.sticky,
		window: isObject(parsed['window']) ? parsed['window'] as PersistedState['window'] : fresh.window,
		pinnedAccount: typeof parsed['pinnedAccount'] === 'string' ? parsed['pinnedAccount'] : null,
		lastUsedAccount: typeof parsed['lastUsedAccount'] === 'string' ? parsed['lastUsedAccount'] : null,
		savingsDaily: isObject(parsed['savingsDaily']) ? parsed['savingsDaily'] as PersistedState['savingsDaily'] : fresh.savingsDaily,
		savingsAllTime: isObject(parsed['savingsAllTime']) ? {...fresh.savingsAllTime, ...parsed['savingsAllTime']} : fresh.savingsAllTime,
	};
	return {state};
}
