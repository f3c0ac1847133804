// The one place that writes Anthropic's unified rate-limit headers (the simulator, being the
// upstream, has its own). shunt writes them when it answers for the pool, so a client shows the
// same "limit reached, resets at …" it would show for one account.
import type {OutgoingHttpHeaders} from 'node:http';
import type {RateLimitTelemetry} from './telemetry.js';

/** The unified headers of the account that frees up first, marked rejected until freeAtSeconds. */
export function rejectedUnifiedHeaders(telemetry: RateLimitTelemetry | undefined, freeAtSeconds: number): OutgoingHttpHeaders {
	const headers: OutgoingHttpHeaders = {
		'anthropic-ratelimit-unified-status': 'rejected',
		'anthropic-ratelimit-unified-reset': String(freeAtSeconds),
	};
	for (const [infix, window] of [['5h', telemetry?.fiveHour], ['7d', telemetry?.sevenDay]] as const) {
		if (window?.status) {
			headers[`anthropic-ratelimit-unified-${infix}-status`] = window.status;
		}

		if (window?.utilization !== undefined) {
			headers[`anthropic-ratelimit-unified-${infix}-utilization`] = String(window.utilization);
		}

		if (window?.reset !== undefined) {
			headers[`anthropic-ratelimit-unified-${infix}-reset`] = String(window.reset);
		}
	}

	if (telemetry?.representativeClaim) {
		headers['anthropic-ratelimit-unified-representative-claim'] = telemetry.representativeClaim;
	}

	return headers;
}
