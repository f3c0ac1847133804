import type {RateLimitTelemetry} from '../anthropic/telemetry.js';

/**
 * What a background check learned: the answer's status, what it said about the account's limits
 * and when to come back (already read from headers, or from the usage endpoint's body), or why
 * there was no answer.
 */
export type ProbeOutcome
	= {status: number; telemetry?: RateLimitTelemetry; retryAfterMs?: number}
		| {error: string};

export function isAnswer(outcome: ProbeOutcome): outcome is Extract<ProbeOutcome, {status: number}> {
	return 'status' in outcome;
}
