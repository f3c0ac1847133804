// What the usage endpoint's answer means to background work. A subscription account is never
// sent a made-up prompt, so its telemetry and health come from GET /api/oauth/usage instead.
import {spentUntilMs} from '../anthropic/telemetry.js';
import type {ProbeOutcome} from './probe-outcome.js';
import type {UsageReading} from './usage-client.js';

/**
 * A telemetry probe's outcome. A spent window is reported as the 429 a request would have met
 * (with retry-after to its reset), so strong resume cools the account again; the usage
 * endpoint's own 429 says nothing about the account and yields no outcome at all.
 */
export function telemetryOutcome(reading: UsageReading, nowMs: number): ProbeOutcome | undefined {
	// A remembered reading was recorded when it was fetched; replaying it would pass it off as new.
	if (reading.kind !== 'ok' || reading.fromMemory) {
		return undefined;
	}

	const spent = spentUntilMs([reading.telemetry.fiveHour, reading.telemetry.sevenDay], nowMs);
	if (spent !== undefined) {
		return {status: 429, telemetry: reading.telemetry, retryAfterMs: spent - nowMs};
	}

	return {status: 200, telemetry: reading.telemetry};
}

/**
 * A health probe's outcome: any HTTP answer but a 5xx proves the upstream is there. A refusal
 * (401/403) of the usage endpoint is not evidence against the account — a token without the
 * profile scope still serves messages — so it yields no outcome.
 */
export function healthOutcome(reading: UsageReading): ProbeOutcome | undefined {
	// Nothing new was learned while waiting out a penalty or a backoff.
	if (reading.fromMemory && reading.kind !== 'ok') {
		return undefined;
	}

	switch (reading.kind) {
		case 'ok': {
			return {status: 200};
		}

		case 'throttled': {
			return {status: 429};
		}

		case 'refused': {
			return undefined;
		}

		case 'failed': {
			return reading.status === undefined ? {error: reading.message} : {status: reading.status};
		}
	}
}
