import type {StrategyName} from '../types.js';

/** Settings kept in config.json. Every duration is configurable so tests never wait for real minutes. */
export type Settings = {
	strategy: StrategyName;
	/** How long a session stays on its account. */
	stickyTtlMinutes: number;
	/** Requests per rolling minute per subscription account; 0 = off. */
	burstRpmLimit: number;
	/** Longest a request may wait for a cooldown to end (Claude Code gives up on a silent stream after 300 s). */
	maxHoldSeconds: number;
	/** Model to fall back to when nothing can serve the requested one: null = opus→sonnet→haiku, "off" = never. */
	fallbackModel: string | null;
	/** Reaper drains windows that reset within this many minutes first. */
	expirySoonMinutes: number;
	/** Longest wait for the upstream's response headers before trying another account. */
	firstByteTimeoutSeconds: number;
	/** Background work; each switchable off. */
	healthCheckEnabled: boolean;
	healthCheckIntervalSeconds: number;
	healthCheckFirstAfterSeconds: number;
	strongResumeEnabled: boolean;
	staleTelemetryMinutes: number;
};

export const defaultSettings: Settings = {
	strategy: 'maximus',
	stickyTtlMinutes: 10,
	burstRpmLimit: 10,
	maxHoldSeconds: 240,
	fallbackModel: null,
	expirySoonMinutes: 30,
	firstByteTimeoutSeconds: 600,
	healthCheckEnabled: true,
	healthCheckIntervalSeconds: 300,
	healthCheckFirstAfterSeconds: 15,
	strongResumeEnabled: true,
	staleTelemetryMinutes: 60,
};
