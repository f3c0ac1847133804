// The prober speaks in HTTP outcomes whose headers background work parses. For a subscription
// account the answer comes from the usage endpoint instead of a made-up prompt, so its reading is
// rendered here as the unified rate-limit headers a real /v1/messages response would have carried.
import type {RateLimitTelemetry, UnifiedWindow} from '../anthropic/telemetry.js';
import type {ProbeOutcome} from './prober.js';
import type {UsageReading} from './usage-client.js';

const prefix = 'anthropic-ratelimit-unified-';

function addWindow(headers: Record<string, string>, infix: string, window: UnifiedWindow | undefined): void {
	if (window?.utilization !== undefined) {
		headers[`${prefix}${infix}-utilization`] = String(window.utilization);
	}

	if (window?.reset !== undefined) {
		headers[`${prefix}${infix}-reset`] = String(window.reset);
	}

	if (window?.status !== undefined) {
		headers[`${prefix}${infix}-status`] = window.status;
	}
}

export function unifiedHeadersFrom(telemetry: RateLimitTelemetry): Record<string, string> {
	const headers: Record<string, string> = {};
	addWindow(headers, '5h', telemetry.fiveHour);
	addWindow(headers, '7d', telemetry.sevenDay);
	for (const [infix, window] of Object.entries(telemetry.scoped ?? {})) {
		addWindow(headers, infix, window);
	}

	if (telemetry.status) {
		headers[`${prefix}status`] = telemetry.status;
	}

	if (telemetry.reset !== undefined) {
		headers[`${prefix}reset`] = String(telemetry.reset);
	}

	if (telemetry.representativeClaim) {
		headers[`${prefix}representative-claim`] = telemetry.representativeClaim;
	}

	return headers;
}

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

	const headers = unifiedHeadersFrom(reading.telemetry);
	const nowSeconds = nowMs / 1000;
	const spent = [reading.telemetry.fiveHour, reading.telemetry.sevenDay]
		.filter(window => window?.status === 'rejected' && window.reset !== undefined && window.reset > nowSeconds)
		.map(window => window!.reset!);
	if (spent.length > 0) {
		return {status: 429, headers: {...headers, 'retry-after': String(Math.ceil(Math.max(...spent) - nowSeconds))}};
	}

	return {status: 200, headers};
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
			return {status: 200, headers: {}};
		}

		case 'throttled': {
			return {status: 429, headers: {}};
		}

		case 'refused': {
			return undefined;
		}

		case 'failed': {
			return reading.status === undefined ? {error: reading.message} : {status: reading.status, headers: {}};
		}
	}
}
