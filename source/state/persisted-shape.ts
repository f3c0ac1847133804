// The shape of state.json: what survives a restart.
import type {RateLimitTelemetry} from '../anthropic/telemetry.js';
import type {SavingsTotals} from './records.js';

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

/**
 * Tokens an account served in the local 5-hour window: those that weigh on limits, and, for its
 * cache hit rate, the prompt tokens read from the cache and all prompt tokens (absent in files
 * written before they were kept).
 */
export type LocalWindow = {startMs: number; tokens: number; cacheReadTokens?: number; promptTokens?: number};

export type PersistedState = {
	format: 1;
	accounts: Record<string, PersistedAccount>;
	telemetry: Record<string, RateLimitTelemetry>;
	/** Local 5-hour token window per account. */
	window: Record<string, LocalWindow>;
	pinnedAccount: string | null;
	lastUsedAccount: string | null;
	savingsDaily: Record<string, SavingsTotals>;
	savingsAllTime: SavingsTotals;
};

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
