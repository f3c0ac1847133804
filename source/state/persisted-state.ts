import {readFileSync, renameSync} from 'node:fs';
import type {RateLimitTelemetry} from '../anthropic/telemetry.js';
import type {SavingsTotals} from './records.js';
import {Drops, validateState} from './validate-state.js';
import {isRecord} from '../util/json.js';

/**
 * What survives a restart, per account. Burst windows, health counters, the ring and sticky
 * sessions do not (stickiness is ephemeral, as in the reference: re-writing thousands of
 * sessions on every change cost more than re-binding them after a restart).
 */
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
		window: {},
		pinnedAccount: null,
		lastUsedAccount: null,
		savingsDaily: {},
		savingsAllTime: {inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, usd: 0},
	};
}

/**
 * Reads state.json. Missing → fresh state. Unreadable (permissions, a directory) → an error that
 * names the file: starting fresh would silently drop cooldowns and savings. Corrupt (not JSON, or
 * not our shape) → the file is moved aside as state.json.corrupt-<time>, a warning is returned,
 * and shunt starts fresh; nothing is deleted. Ours but with bad entries (wrong types, NaN-ish or
 * absurd numbers) → each bad entry is dropped, the rest loads, and the warning names the file
 * and what was dropped.
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

	if (!isRecord(parsed) || parsed['format'] !== 1) {
		const aside = `${file}.corrupt-${new Date(nowMs).toISOString().replaceAll(':', '-')}`;
		renameSync(file, aside);
		return {state: emptyPersistedState(), warning: `state file ${file} was corrupt; moved it to ${aside} and started fresh`};
	}

	const drops = new Drops();
	const state = validateState(parsed, nowMs, drops);
	if (drops.count === 0) {
		return {state};
	}

	const more = drops.count > drops.paths.length ? ` (and ${drops.count - drops.paths.length} more)` : '';
	return {state, warning: `state file ${file} had entries shunt cannot use; dropped ${drops.paths.join(', ')}${more}`};
}
