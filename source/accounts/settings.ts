import type {StrategyName} from '../routing/strategies.js';

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
	/** Longest wait for the upstream's response headers before trying another account (streaming and non-message requests). */
	firstByteTimeoutSeconds: number;
	/**
	 * No streaming request waits longer than this for its first byte, whatever failovers and holds
	 * happen on the way: under Claude Code's 300 s stream watchdog, so the client hears an answer.
	 */
	requestDeadlineSeconds: number;
	/** A non-streaming Messages request gets its whole answer at once: this long per try and in all (the SDK's own timeout). */
	nonStreamingTimeoutSeconds: number;
	/** An upstream response that sends no byte for this long is ended (an SSE error event for streams) and recorded truncated. */
	upstreamIdleTimeoutSeconds: number;
	/** A client that stops sending its request body for this long is cut off. */
	clientIdleTimeoutSeconds: number;
	/** Browser origins allowed to use the proxy (exact "scheme://host[:port]"); every other Origin is refused. */
	allowedOrigins: string[];
	/** More API paths to forward, as "METHOD /path" ("/prefix/*" for a subtree), beyond the inference surface. */
	extraForwardedPaths: string[];
	/**
	 * The OpenAI-compatible endpoint (POST /v1/chat/completions): model names mapped to Claude ids
	 * over the defaults in openai/model-map.ts ("*" maps every other name).
	 */
	openaiModelMap: Record<string, string>;
	/** Let that endpoint use subscription accounts too (Anthropic restricts them to Claude's own clients). */
	openaiAllowSubscriptions: boolean;
	/** Background work; each switchable off. */
	healthCheckEnabled: boolean;
	healthCheckIntervalSeconds: number;
	healthCheckFirstAfterSeconds: number;
	strongResumeEnabled: boolean;
	staleTelemetryMinutes: number;
	/** Alerts also show as desktop notifications (notify-send, osascript) where the platform has them. */
	desktopNotifications: boolean;
	/** Days of log files (shunt-YYYY-MM-DD.jsonl in the data directory) kept, today's included. */
	logRetentionDays: number;
	/** history.db keeps requests, events and telemetry samples this many days. */
	historyRetentionDays: number;
};

export const defaultSettings: Settings = {
	strategy: 'maximus',
	stickyTtlMinutes: 10,
	burstRpmLimit: 10,
	maxHoldSeconds: 240,
	fallbackModel: null,
	expirySoonMinutes: 30,
	firstByteTimeoutSeconds: 90,
	requestDeadlineSeconds: 285,
	nonStreamingTimeoutSeconds: 600,
	upstreamIdleTimeoutSeconds: 120,
	clientIdleTimeoutSeconds: 30,
	allowedOrigins: [],
	extraForwardedPaths: [],
	openaiModelMap: {},
	openaiAllowSubscriptions: false,
	healthCheckEnabled: true,
	healthCheckIntervalSeconds: 300,
	healthCheckFirstAfterSeconds: 15,
	strongResumeEnabled: true,
	staleTelemetryMinutes: 60,
	desktopNotifications: true,
	logRetentionDays: 7,
	historyRetentionDays: 90,
};
