// Reads Anthropic's rate-limit response headers into RateLimitTelemetry. Two families exist:
// the subscription "unified" windows (OAuth accounts) and the per-minute buckets of Console API
// keys. Neither is guaranteed on any given response, so everything here is optional and a value
// that does not parse is dropped rather than stored as NaN. Values are bounded too: a reset beyond
// the time horizon or an absurd count is dropped like garbage, so it never reaches the store, a
// date formatter or state.json.
import {boundedMemo} from '../util/bounded-memo.js';
import {clampWaitMs, withinHorizon} from '../util/time-horizon.js';
import type {KeyBucket, RateLimitTelemetry, UnifiedWindow} from './telemetry.js';

type HeaderBag = Record<string, string | string[] | undefined>;

const rateLimitPrefix = 'anthropic-ratelimit-';
const unifiedPrefix = 'anthropic-ratelimit-unified-';

// Window infixes look like "5h", "7d", "7d_oi", "7d_sonnet". Requiring a leading count and unit
// keeps "overage-status" or "grace-5h-utilization" from being mistaken for a window.
const windowField = /^(\d+[a-z]+(?:_[a-z0-9_]+)?)-(utilization|reset|status|surpassed-threshold)$/;

const keyBucketField = /^(requests|tokens|input-tokens|output-tokens)-(limit|remaining|reset)$/;

// Number('') is 0 and Number('0x10') is 16, so plain decimals are matched before converting.
const decimal = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i;

// RFC 3339 / ISO 8601 date-times. Date.parse alone is too lenient ("abc 5" parses in V8).
const isoDateTime = /^\d{4}-\d{2}-\d{2}(?:[t ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(z|[+-]\d{2}:?\d{2})?$/i;

// The three HTTP-date forms of RFC 9110: IMF-fixdate, obsolete RFC 850, and asctime.
const httpDate = [
	/^[a-z]{3}, \d{2} [a-z]{3} \d{4} \d{2}:\d{2}:\d{2} gmt$/i,
	/^[a-z]+, \d{2}-[a-z]{3}-\d{2} \d{2}:\d{2}:\d{2} gmt$/i,
	/^[a-z]{3} [a-z]{3} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$/i,
];
const asctimeForm = 2;

// Utilization is a fraction that can pass 1 a little (1.01 is real); a hundred times the budget is
// already nonsense. Bucket sizes are requests or tokens per minute.
const maxUtilization = 100;
const maxBucketValue = 1e12;
/** Model-scoped windows kept per account (Anthropic sends two or three). */
export const maxScopedWindows = 8;

const bucketKeys = {
	requests: 'requests',
	tokens: 'tokens',
	'input-tokens': 'inputTokens',
	'output-tokens': 'outputTokens',
} as const;

// What one header name means. Resolving a name takes a few regexes; a response carries the same
// dozen names every time, so each name is resolved once and remembered.
type Field
	= {kind: 'foreign'}
		| {kind: 'ignored'}
		| {kind: 'unified'; set: (telemetry: RateLimitTelemetry, value: string) => void}
		| {kind: 'window'; key: string; part: 'utilization' | 'reset' | 'status' | 'surpassed-threshold'}
		| {kind: 'bucket'; key: (typeof bucketKeys)[keyof typeof bucketKeys]; part: 'limit' | 'remaining' | 'reset'};

// Not a rate-limit header at all (most of a response's headers).
const foreign: Field = {kind: 'foreign'};
// A rate-limit header we do not use (fallback-percentage and the like): it still counts as seen.
const ignored: Field = {kind: 'ignored'};
// Node lower-cases incoming names; a hand-built bag may not, so names are lower-cased here, once.
const fieldFor = boundedMemo(rawName => resolveField(rawName.toLowerCase()), 512);

export function parseRateLimitHeaders(headers: HeaderBag, nowMs: number): RateLimitTelemetry | undefined {
	let telemetry: RateLimitTelemetry | undefined;
	// eslint-disable-next-line guard-for-in -- a header bag has no inherited keys; for-in is the request path's cheapest walk
	for (const rawName in headers) {
		const field = fieldFor(rawName);
		if (field === foreign) {
			continue;
		}

		telemetry ??= {updatedMs: nowMs};
		const value = firstValue(headers[rawName]);
		if (value !== undefined) {
			readField(telemetry, field, value);
		}
	}

	return telemetry;
}

const unifiedSetters: Record<string, (telemetry: RateLimitTelemetry, value: string) => void> = {
	status(telemetry, value) {
		telemetry.status = value;
	},
	reset(telemetry, value) {
		const reset = parseEpochSeconds(value, telemetry.updatedMs);
		if (reset !== undefined) {
			telemetry.reset = reset;
		}
	},
	'representative-claim'(telemetry, value) {
		telemetry.representativeClaim = value;
	},
	'overage-status'(telemetry, value) {
		telemetry.overageStatus = value;
	},
	'overage-disabled-reason'(telemetry, value) {
		telemetry.overageDisabledReason = value;
	},
};

function resolveField(name: string): Field {
	if (!name.startsWith(rateLimitPrefix)) {
		return foreign;
	}

	if (name.startsWith(unifiedPrefix)) {
		const rest = name.slice(unifiedPrefix.length);
		const set = Object.hasOwn(unifiedSetters, rest) ? unifiedSetters[rest] : undefined;
		if (set) {
			return {kind: 'unified', set};
		}

		const match = windowField.exec(rest);
		return match ? {kind: 'window', key: match[1]!, part: match[2] as Extract<Field, {kind: 'window'}>['part']} : ignored;
	}

	const match = keyBucketField.exec(name.slice(rateLimitPrefix.length));
	if (!match) {
		return ignored;
	}

	return {kind: 'bucket', key: bucketKeys[match[1] as keyof typeof bucketKeys], part: match[2] as Extract<Field, {kind: 'bucket'}>['part']};
}

function readField(telemetry: RateLimitTelemetry, field: Field, value: string): void {
	switch (field.kind) {
		case 'unified': {
			field.set(telemetry, value);
			return;
		}

		case 'window': {
			readWindow(telemetry, field.key, field.part, value);
			return;
		}

		case 'bucket': {
			readBucket(telemetry, field.key, field.part, value);
			break;
		}

		default:
			// ignored (and foreign, filtered out before): nothing to read.
	}
}

function readWindow(telemetry: RateLimitTelemetry, key: string, part: Extract<Field, {kind: 'window'}>['part'], value: string): void {
	if (part === 'status') {
		windowFor(telemetry, key).status = value;
		return;
	}

	const parsed = part === 'reset' ? parseEpochSeconds(value, telemetry.updatedMs) : parseBounded(value, maxUtilization);
	if (parsed === undefined) {
		return;
	}

	const window = windowFor(telemetry, key);
	if (part === 'utilization') {
		window.utilization = parsed;
	} else if (part === 'reset') {
		window.reset = parsed;
	} else {
		window.surpassedThreshold = parsed;
	}
}

function windowFor(telemetry: RateLimitTelemetry, key: string): UnifiedWindow {
	if (key === '5h') {
		telemetry.fiveHour ??= {};
		return telemetry.fiveHour;
	}

	if (key === '7d') {
		telemetry.sevenDay ??= {};
		return telemetry.sevenDay;
	}

	telemetry.scoped ??= {};
	const known = telemetry.scoped[key];
	if (known) {
		return known;
	}

	// A response naming dozens of made-up windows must not grow what is stored and saved.
	const window: UnifiedWindow = {};
	if (Object.keys(telemetry.scoped).length < maxScopedWindows) {
		telemetry.scoped[key] = window;
	}

	return window;
}

function readBucket(telemetry: RateLimitTelemetry, key: Extract<Field, {kind: 'bucket'}>['key'], part: Extract<Field, {kind: 'bucket'}>['part'], value: string): void {
	const parsed = part === 'reset' ? parseResetMs(value, telemetry.updatedMs) : parseBounded(value, maxBucketValue);
	if (parsed === undefined) {
		return;
	}

	const bucket: KeyBucket = telemetry[key] ?? {};
	telemetry[key] = bucket;
	if (part === 'reset') {
		bucket.resetMs = parsed;
	} else if (part === 'limit') {
		bucket.limit = parsed;
	} else {
		bucket.remaining = parsed;
	}
}

/**
 * Seconds to wait from a retry-after value (delay-seconds, fractional tolerated, or an HTTP-date),
 * as milliseconds, at most the time horizon.
 */
export function parseRetryAfterMs(value: string | undefined, nowMs: number): number | undefined {
	const text = value?.trim();
	if (!text) {
		return undefined;
	}

	if (decimal.test(text)) {
		const seconds = Number(text);
		return Number.isFinite(seconds) && seconds >= 0 ? clampWaitMs(Math.round(seconds * 1000)) : undefined;
	}

	const form = httpDate.findIndex(pattern => pattern.test(text));
	if (form === -1) {
		return undefined;
	}

	// asctime carries no zone but HTTP-dates are always GMT; without it V8 would use local time.
	const at = Date.parse(form === asctimeForm ? `${text} GMT` : text);
	return Number.isFinite(at) ? clampWaitMs(at - nowMs) : undefined;
}

function firstValue(raw: string | string[] | undefined): string | undefined {
	const value = (Array.isArray(raw) ? raw[0] : raw)?.trim();
	return value || undefined;
}

function parseNonNegative(value: string): number | undefined {
	if (!decimal.test(value)) {
		return undefined;
	}

	const number = Number(value);
	return Number.isFinite(number) && number >= 0 ? number : undefined;
}

function parseBounded(value: string, max: number): number | undefined {
	const number = parseNonNegative(value);
	return number !== undefined && number <= max ? number : undefined;
}

// Unified resets are documented as epoch seconds; a few peers have seen ISO strings, and a value
// in milliseconds would otherwise put the reset tens of thousands of years away. Either way a
// reset outside the time horizon is dropped.
function parseEpochSeconds(value: string, nowMs: number): number | undefined {
	const number = parseNonNegative(value);
	let seconds: number | undefined;
	if (number === undefined) {
		const ms = parseIsoMs(value);
		seconds = ms === undefined ? undefined : Math.floor(ms / 1000);
	} else {
		seconds = number >= 1e11 ? Math.floor(number / 1000) : Math.floor(number);
	}

	return seconds !== undefined && withinHorizon(seconds * 1000, nowMs) ? seconds : undefined;
}

function parseResetMs(value: string, nowMs: number): number | undefined {
	const ms = parseIsoMs(value);
	return ms !== undefined && withinHorizon(ms, nowMs) ? ms : undefined;
}

// The four API-key reset headers of a response usually carry the same second, and so do the
// responses around it: remember recent answers instead of parsing a date four times a request.
const parseIsoMs = boundedMemo(parseIsoMsUncached, 32);

function parseIsoMsUncached(value: string): number | undefined {
	const match = isoDateTime.exec(value);
	if (!match) {
		return undefined;
	}

	// A date-time with no offset would otherwise be read in the host's time zone.
	const hasTime = /[t ]/i.test(value);
	const text = hasTime && match[1] === undefined ? `${value}Z` : value;
	const ms = Date.parse(text);
	return Number.isFinite(ms) ? ms : undefined;
}
