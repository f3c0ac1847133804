// The shared state's key schema. Everything that describes an account's limits expires by itself
// when what it describes is over (a reset, a cooldown's deadline, the burst window), so Redis
// never holds stale state for long and a restart of it loses nothing the next responses would not
// bring back. Account names are [\w.-]{1,64} (account-name.ts): safe inside a key.
import type {RateLimitTelemetry} from '../anthropic/telemetry.js';
import {burstWindowMs} from '../state/account-book.js';

const prefix = 'shunt:';

export const keys = {
	/** The pub/sub channel every instance publishes its changes on. */
	channel: `${prefix}pool`,
	/** Set once per Redis lifetime: missing means Redis lost its data (or the pool is new). */
	epoch: `${prefix}epoch`,
	/** JSON telemetry, expiring at the latest reset it describes. */
	telemetry: (account: string) => `${prefix}telemetry:${account}`,
	/** JSON {untilMs, reason}, expiring at its deadline. */
	cooldown: (account: string) => `${prefix}cooldown:${account}`,
	/** Sorted set account → live cooldown deadline: what staggering keeps deadlines apart from. */
	deadlines: `${prefix}deadlines`,
	/** Sorted set of burst attempts (score = stamp), trimmed to the burst window. */
	burst: (account: string) => `${prefix}burst:${account}`,
	/** Hash model → untilMs. */
	exclusions: (account: string) => `${prefix}exclusions:${account}`,
	/** Set of paused account names, and the pinned account (absent = automatic). */
	paused: `${prefix}paused`,
	pin: `${prefix}pin`,
	/** Hash of one instance's savings counters (see savings-sync.ts), and the set of instances that have one. */
	savings: (instanceId: string) => `${prefix}savings:${instanceId}`,
	savingsInstances: `${prefix}savings-instances`,
	/** Sorted set instance id → last heartbeat (server time), and each instance's JSON presence. */
	instances: `${prefix}instances`,
	instance: (instanceId: string) => `${prefix}instance:${instanceId}`,
	/** The account's newest OAuth pair, sealed (token-cipher.ts). */
	token: (account: string) => `${prefix}token:${account}`,
	/** A lease: one instance does this work for this account until it ends. */
	lease: (work: string, account: string) => `${prefix}lease:${work}:${account}`,
};

/** Telemetry nobody said a reset for is kept this long. */
export const unknownResetTtlMs = 6 * 3_600_000;
/** An instance is gone when its presence has not been renewed for this long. */
export const presenceTtlMs = 15_000;
export const heartbeatMs = 5000;
/** Tokens and savings outlive any pause of the pool, and are renewed by every write. */
export const tokenTtlMs = 90 * 86_400_000;
export const savingsTtlMs = 120 * 86_400_000;
export const burstTtlMs = burstWindowMs;

/** The latest reset a telemetry record describes (epoch ms), or undefined when it names none. */
export function latestResetMs(telemetry: RateLimitTelemetry): number | undefined {
	const resets: number[] = [];
	for (const window of [telemetry.fiveHour, telemetry.sevenDay, ...Object.values(telemetry.scoped ?? {})]) {
		if (window?.reset !== undefined) {
			resets.push(window.reset * 1000);
		}
	}

	if (telemetry.reset !== undefined) {
		resets.push(telemetry.reset * 1000);
	}

	for (const bucket of [telemetry.requests, telemetry.tokens, telemetry.inputTokens, telemetry.outputTokens]) {
		if (bucket?.resetMs !== undefined) {
			resets.push(bucket.resetMs);
		}
	}

	return resets.length === 0 ? undefined : Math.max(...resets);
}

/** How long the telemetry key lives: until the last window it describes resets (at least a second). */
export function telemetryTtlMs(telemetry: RateLimitTelemetry, nowMs: number): number {
	const latest = latestResetMs(telemetry);
	if (latest === undefined || latest <= nowMs) {
		return latest === undefined ? unknownResetTtlMs : 1000;
	}

	return Math.max(1000, Math.ceil(latest - nowMs));
}
