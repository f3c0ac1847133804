// A window passing 90 % is worth one line in the log: the account will soon be out, and routing
// starts to steer around it. One line per window per period: a window that stays above the mark
// says nothing more, and only a new period (a reset more than an hour later) can cross again.
import type {RateLimitTelemetry, UnifiedWindow} from '../anthropic/telemetry.js';

export const crossingAt = 0.9;
const samePeriodMs = 60 * 60_000;

export type Crossing = {window: string; utilization: number; resetMs: number};

function windowsOf(telemetry: RateLimitTelemetry | undefined): Array<[string, UnifiedWindow | undefined]> {
	return [['5h', telemetry?.fiveHour], ['7d', telemetry?.sevenDay], ...Object.entries(telemetry?.scoped ?? {})];
}

/** The windows that crossed the mark between two readings of one account. */
export function windowCrossings(before: RateLimitTelemetry | undefined, after: RateLimitTelemetry, nowMs: number): Crossing[] {
	const previous = new Map(windowsOf(before));
	const crossings: Crossing[] = [];
	for (const [name, window] of windowsOf(after)) {
		// A window reported spent came with a 429, whose cooldown or alert already says so.
		if (window?.utilization === undefined || window.reset === undefined || window.reset * 1000 <= nowMs || window.utilization < crossingAt || window.status === 'rejected') {
			continue;
		}

		const earlier = previous.get(name);
		const samePeriod = earlier?.reset !== undefined && Math.abs(earlier.reset - window.reset) * 1000 < samePeriodMs;
		const wasAbove = samePeriod && earlier?.utilization !== undefined && earlier.utilization >= crossingAt;
		if (!wasAbove) {
			crossings.push({window: name, utilization: window.utilization, resetMs: window.reset * 1000});
		}
	}

	return crossings;
}
