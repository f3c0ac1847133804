// Reads the body of GET /api/oauth/usage into the same RateLimitTelemetry the response headers
// produce. Two shapes exist: the legacy flat one ({five_hour: {utilization: 19.0, resets_at:
// "2025-11-25T22:00:00.288792+00:00"}, seven_day: …, seven_day_opus: …}) and the 2026 one
// ({limits: [{kind: "session" | "weekly_all" | "weekly_scoped", percent, resets_at, scope}]}).
// Both give utilization in PERCENT (the headers use fractions) and resets as ISO 8601 (the
// headers use epoch seconds); this converts to the header conventions.
import {withinHorizon} from '../util/time-horizon.js';
import {asRecord} from '../util/json.js';
import type {RateLimitTelemetry, UnifiedWindow} from './telemetry.js';
import {usageEndpointScopedKeys} from './models.js';

type Json = Record<string, unknown>;

// As in the headers: a fraction that passes 1 a little is real, a hundred times the budget is not.
const maxPercent = 10_000;

/** ISO 8601 (or, defensively, epoch seconds/ms) → epoch seconds; a reset past the time horizon is dropped. */
function epochSeconds(value: unknown, nowMs: number): number | undefined {
	let seconds: number | undefined;
	if (typeof value === 'number' && Number.isFinite(value) && value > 0) {
		seconds = Math.floor(value >= 1e11 ? value / 1000 : value);
	} else if (typeof value === 'string' && value !== '') {
		const ms = Date.parse(value);
		seconds = Number.isFinite(ms) ? Math.floor(ms / 1000) : undefined;
	}

	return seconds !== undefined && withinHorizon(seconds * 1000, nowMs) ? seconds : undefined;
}

/** The header family's statuses, derived: the usage endpoint does not say them. */
function withStatus(utilization: number): Pick<UnifiedWindow, 'status' | 'surpassedThreshold'> {
	if (utilization >= 1) {
		return {status: 'rejected', surpassedThreshold: 1};
	}

	if (utilization >= 0.9) {
		return {status: 'allowed_warning', surpassedThreshold: 0.9};
	}

	if (utilization >= 0.75) {
		return {status: 'allowed_warning', surpassedThreshold: 0.75};
	}

	return {status: 'allowed'};
}

function window(percent: unknown, resetsAt: unknown, nowMs: number): UnifiedWindow | undefined {
	if (typeof percent !== 'number' || !Number.isFinite(percent) || percent < 0 || percent > maxPercent) {
		return undefined;
	}

	const utilization = percent / 100;
	return {utilization, reset: epochSeconds(resetsAt, nowMs), ...withStatus(utilization)};
}

function readFlat(body: Json, telemetry: RateLimitTelemetry): boolean {
	let found = false;
	const five = asRecord(body['five_hour']);
	const seven = asRecord(body['seven_day']);
	if (five) {
		telemetry.fiveHour = window(five['utilization'], five['resets_at'], telemetry.updatedMs);
		found ||= telemetry.fiveHour !== undefined;
	}

	if (seven) {
		telemetry.sevenDay = window(seven['utilization'], seven['resets_at'], telemetry.updatedMs);
		found ||= telemetry.sevenDay !== undefined;
	}

	for (const [key, infix] of Object.entries(usageEndpointScopedKeys)) {
		const entry = asRecord(body[key]);
		const scoped = entry ? window(entry['utilization'], entry['resets_at'], telemetry.updatedMs) : undefined;
		if (scoped) {
			telemetry.scoped = {...telemetry.scoped, [infix]: scoped};
		}
	}

	return found;
}

/** "Fable" → "7d_fable", the header infix a weekly window for that model family would carry. */
function scopedInfix(limit: Json): string | undefined {
	const model = asRecord(asRecord(limit['scope'])?.['model']);
	const name = model?.['display_name'] ?? model?.['name'];
	return typeof name === 'string' && name !== '' ? `7d_${name.toLowerCase().replaceAll(/[^a-z\d]+/g, '_')}` : undefined;
}

function readLimits(limits: unknown[], telemetry: RateLimitTelemetry): boolean {
	let found = false;
	for (const item of limits) {
		const limit = asRecord(item);
		const parsed = limit ? window(limit['percent'] ?? limit['utilization'], limit['resets_at'], telemetry.updatedMs) : undefined;
		if (!limit || !parsed) {
			continue;
		}

		switch (limit['kind']) {
			case 'session': {
				telemetry.fiveHour = parsed;
				found = true;

				break;
			}

			case 'weekly_all': {
				telemetry.sevenDay = parsed;
				found = true;

				break;
			}

			case 'weekly_scoped': {
				const infix = scopedInfix(limit);
				if (infix) {
					telemetry.scoped = {...telemetry.scoped, [infix]: parsed};
				}

				break;
			}
		// No default
		}
	}

	return found;
}

/** Overall status, binding window and its reset, as the headers would have reported them. */
function summarize(telemetry: RateLimitTelemetry): void {
	const windows = [['five_hour', telemetry.fiveHour], ['seven_day', telemetry.sevenDay]] as const;
	const rank = (status: string | undefined) => ['allowed', 'allowed_warning', 'rejected'].indexOf(status ?? 'allowed');
	let binding: (typeof windows)[number] | undefined;
	for (const entry of windows) {
		const current = entry[1];
		if (!current) {
			continue;
		}

		const best = binding?.[1];
		if (!best || rank(current.status) > rank(best.status) || (rank(current.status) === rank(best.status) && (current.utilization ?? 0) > (best.utilization ?? 0))) {
			binding = entry;
		}
	}

	if (binding) {
		telemetry.status = binding[1]!.status;
		telemetry.representativeClaim = binding[0];
		telemetry.reset = binding[1]!.reset;
	}
}

/**
 * The usage body as telemetry, or undefined when it has neither a 5-hour nor a weekly window in
 * either shape (an unknown shape must not wipe what the headers told us).
 */
export function parseUsageResponse(body: unknown, nowMs: number): RateLimitTelemetry | undefined {
	const json = asRecord(body);
	if (!json) {
		return undefined;
	}

	const telemetry: RateLimitTelemetry = {updatedMs: nowMs};
	const flat = readFlat(json, telemetry);
	const limits = Array.isArray(json['limits']) ? readLimits(json['limits'], telemetry) : false;
	if (!flat && !limits) {
		return undefined;
	}

	summarize(telemetry);
	return telemetry;
}
