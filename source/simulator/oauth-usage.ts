// The body of GET /api/oauth/usage, rendered from an account's live unified windows in either of
// the two shapes seen upstream: the legacy flat one (utilization in PERCENT, ISO resets_at with
// microseconds) and the 2026 `limits[]` one.
import type {SimUsageShape} from './sim-types.js';
import type {UnifiedView} from './unified-limits.js';

/** Percent with one decimal, as upstream renders it (19.0, 42.5). */
const percent = (fraction: number): number => Math.round(fraction * 1000) / 10;

/** ISO 8601 with microseconds and an explicit +00:00 offset: "2025-11-25T22:00:00.288792+00:00". */
export function isoMicros(epochSeconds: number): string {
	return new Date(epochSeconds * 1000).toISOString().replace(/\.(\d{3})Z$/, '.$1000+00:00');
}

function severity(fraction: number): string {
	if (fraction >= 1) {
		return 'critical';
	}

	return fraction >= 0.75 ? 'warning' : 'normal';
}

/** "fable" → "Fable": the display name a weekly_scoped limit carries for its model. */
const displayName = (family: string): string => family.charAt(0).toUpperCase() + family.slice(1);

export function usageBody(view: UnifiedView, shape: SimUsageShape): unknown {
	const session = view['5h'];
	const weekly = view['7d'];
	const scoped = Object.entries(view.scoped);
	if (shape === 'limits') {
		return {
			limits: [
				{kind: 'session', percent: percent(session.utilization), severity: severity(session.utilization), resets_at: isoMicros(session.reset), is_active: true},
				{kind: 'weekly_all', percent: percent(weekly.utilization), severity: severity(weekly.utilization), resets_at: isoMicros(weekly.reset), is_active: true},
				...scoped.map(([, window]) => ({
					kind: 'weekly_scoped',
					scope: {model: {display_name: displayName(window.family)}},
					percent: percent(window.utilization),
					severity: severity(window.utilization),
					resets_at: isoMicros(window.reset),
					is_active: true,
				})),
			],
			spend: {is_enabled: false, monthly_limit: null, used_credits: null},
		};
	}

	const body: Record<string, unknown> = {
		five_hour: {utilization: percent(session.utilization), resets_at: isoMicros(session.reset)},
		seven_day: {utilization: percent(weekly.utilization), resets_at: isoMicros(weekly.reset)},
		seven_day_oauth_apps: {utilization: 0, resets_at: null},
		seven_day_opus: null,
		seven_day_sonnet: null,
	};
	// 7d_opus → seven_day_opus: the flat key of each scoped window the account has.
	for (const [scope, window] of scoped) {
		body[`seven_day_${scope.slice(3)}`] = {utilization: percent(window.utilization), resets_at: isoMicros(window.reset)};
	}

	body['extra_usage'] = {is_enabled: false, monthly_limit: null, used_credits: null, utilization: null};
	return body;
}
