// What the routing benchmark simulates: the pool (four subscription accounts on different plans,
// at different points of their windows, one with its weekly Opus window spent) and the workload
// (Claude Code-like sessions over a day). The full run and the tiny smoke run differ only in size.
import {currentModels} from '../../source/pricing/prices.js';
import type {SimAccount} from '../../source/simulator/index.js';
import type {Sizes} from './conversation.js';
import type {WorkloadConfig} from './workload.js';

const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;

const current = (family: string): string => {
	const model = currentModels.find(entry => entry.family === family);
	if (!model) {
		throw new Error(`no current ${family} model in pricing/prices.ts`);
	}

	return model.prefix;
};

export const opus = current('opus');
export const sonnet = current('sonnet');

/** One simulated subscription. Budgets are weighted tokens (the simulator's unit); times are relative to the start. */
export type PoolAccount = {
	name: string;
	plan: string;
	budget5h: number;
	budget7d: number;
	utilization5h: number;
	/** A 5h window already running, resetting this long after the start. */
	reset5hInMs?: number;
	utilization7d: number;
	/** The week resets this long after the start (default: the simulator's Thursday 09:00 UTC). */
	reset7dInMs?: number;
	/** Model-scoped weekly windows by header infix. */
	scoped: Record<string, {budget: number; utilization: number; resetInMs?: number}>;
};

export type BenchConfig = {
	mode: 'full' | 'tiny';
	seed: string;
	/** Epoch ms the simulated day starts at. */
	startMs: number;
	/** How long the workload's sessions may run (the day). */
	dayMs: number;
	/** The simulator's answer to every request: its length sets the output tokens. */
	replyBytes: number;
	pool: PoolAccount[];
	workload: WorkloadConfig;
};

/** Tuesday 2026-08-04 06:00 UTC; the simulator's weeks roll over on Thursdays 09:00 UTC. */
const startMs = Date.UTC(2026, 7, 4, 6, 0, 0);

// About half of Claude Code's real sizes (a 4 KB system prompt, compaction at ~11k tokens), so a day
// runs in seconds; the budgets below are sized to match, and every number is a share of them.
const sizes: Sizes = {
	toolDescription: 220,
	tools: 10,
	mainSystem: 3500,
	agentSystem: 1300,
	env: 300,
	firstUser: [100, 750],
	assistant: [80, 350],
	toolResult: [150, 1200],
	bigResultChance: 0.15,
	bigResult: [2000, 6000],
	compactAt: 45_000,
	summary: 2500,
};

/** Plans as ratios (Pro 1, Max 5×, Max 20×); unit is the Pro plan's 5h budget. */
function pool(unit: number): PoolAccount[] {
	return [
		{name: 'pro', plan: 'pro', budget5h: unit, budget7d: 10 * unit, utilization5h: 0.4, reset5hInMs: 90 * minute, utilization7d: 0.35, scoped: {'7d_opus': {budget: 5 * unit, utilization: 0.2}}},
		{name: 'max5', plan: 'max 5×', budget5h: 5 * unit, budget7d: 50 * unit, utilization5h: 0, utilization7d: 0.8, reset7dInMs: 9 * hour, scoped: {'7d_opus': {budget: 25 * unit, utilization: 0.7}}},
		// Its weekly Opus window is spent until after the day: Sonnet only.
		{name: 'max5-b', plan: 'max 5×', budget5h: 5 * unit, budget7d: 50 * unit, utilization5h: 0.2, reset5hInMs: 3 * hour, utilization7d: 0.3, scoped: {'7d_opus': {budget: 25 * unit, utilization: 1}}},
		{name: 'max20', plan: 'max 20×', budget5h: 20 * unit, budget7d: 200 * unit, utilization5h: 0, utilization7d: 0.1, scoped: {'7d_opus': {budget: 100 * unit, utilization: 0.5}}},
	];
}

const fullWorkload: WorkloadConfig = {
	sessions: [{model: opus}, {model: opus}, {model: opus}, {model: sonnet}, {model: sonnet}],
	sessionStartMs: [0, 12 * hour],
	sessionLengthMs: [5 * hour, 7 * hour],
	turns: [3, 14],
	turnGapMs: [5000, 45_000],
	pauseMs: {short: [60_000, 8 * minute], long: [8 * minute, 30 * minute], longChance: 0.25, break: [45 * minute, 2 * hour], breakChance: 0.05},
	newConversationChance: 0.3,
	burst: {chance: 0.3, agents: [2, 5], turns: [2, 8], gapMs: [3000, 30_000], model: sonnet, ownModelChance: 0.3},
	sizes,
};

export function benchConfig(mode: 'full' | 'tiny', seed: string): BenchConfig {
	if (mode === 'tiny') {
		// A few simulated minutes: three sessions, small budgets so the pool still runs out.
		return {
			mode,
			seed,
			startMs,
			dayMs: 20 * minute,
			replyBytes: 60,
			pool: pool(8000),
			workload: {
				...fullWorkload,
				sessions: [{model: opus}, {model: opus}, {model: sonnet}],
				sessionStartMs: [0, 2 * minute],
				sessionLengthMs: [10 * minute, 15 * minute],
				pauseMs: {...fullWorkload.pauseMs, short: [20_000, 90_000], long: [2 * minute, 4 * minute]},
				burst: {...fullWorkload.burst, chance: 0.5},
			},
		};
	}

	return {mode, seed, startMs, dayMs: day, replyBytes: 60, pool: pool(50_000), workload: fullWorkload};
}

/** The simulator's account for a pool entry: credentials are made up, loopback only. */
export function simAccount(account: PoolAccount, startMs: number): SimAccount {
	const scoped: NonNullable<SimAccount['scoped']> = {};
	for (const [scope, window] of Object.entries(account.scoped)) {
		scoped[scope] = {budget: window.budget, utilization: window.utilization, resetAtMs: window.resetInMs === undefined ? undefined : startMs + window.resetInMs};
	}

	return {
		kind: 'oauth',
		credential: credentialOf(account),
		name: account.name,
		budget5h: account.budget5h,
		budget7d: account.budget7d,
		utilization5h: account.utilization5h,
		reset5hAtMs: account.reset5hInMs === undefined ? undefined : startMs + account.reset5hInMs,
		utilization7d: account.utilization7d,
		reset7dAtMs: account.reset7dInMs === undefined ? undefined : startMs + account.reset7dInMs,
		scoped,
	};
}

export const credentialOf = (account: PoolAccount): string => `bench-oauth-${account.name}`;
