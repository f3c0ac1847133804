// Checks every entry of a parsed state.json before the store trusts it. The file is ours, but it
// can be hand-edited, damaged, or written by another version: a null where an object belongs
// must not crash start-up, a counter stored as a string must not turn savings into "lots0.01",
// and an absurd deadline must not outlive every restart. Each bad entry is dropped on its own
// (the good ones around it survive) and its path is reported, so the caller can say what went.
import {maxScopedWindows} from '../anthropic/rate-limit-headers.js';
import type {KeyBucket, RateLimitTelemetry, UnifiedWindow} from '../anthropic/telemetry.js';
import type {SavingsTotals} from './records.js';
import {storableInstant} from '../util/time-horizon.js';
import type {LocalWindow, PersistedAccount, PersistedState} from './persisted-shape.js';
import {isRecord} from '../util/json.js';

type Json = Record<string, unknown>;

const maxText = 256;
const maxCount = Number.MAX_SAFE_INTEGER;
// Utilization is a fraction that can pass 1 a little; bucket sizes are per-minute counts.
const maxUtilization = 100;
const maxBucketValue = 1e12;
// Header infixes of unified windows ("5h", "7d_oi", …), as rate-limit-headers.ts reads them.
const windowKey = /^\d+[a-z]+(?:_[a-z\d_]+)?$/;
const dayKey = /^\d{4}-\d{2}-\d{2}$/;

const isText = (value: unknown): value is string => typeof value === 'string' && value.length <= maxText;
const isCount = (value: unknown, max = maxCount): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= max;

/**
 * A record without a prototype: a key such as "__proto__" or "constructor" in the file stays a
 * plain key instead of reaching Object.prototype.
 */
function record<T>(): Record<string, T> {
	return Object.create(null) as Record<string, T>;
}

/** Dropped entries, as paths like `accounts.work.cooldownUntilMs`. */
export class Drops {
	readonly paths: string[] = [];
	count = 0;
	readonly #listed: number;

	constructor(listed = 20) {
		this.#listed = listed;
	}

	add(path: string): void {
		this.count++;
		if (this.paths.length < this.#listed) {
			this.paths.push(path);
		}
	}
}

/** A key from the file as it may appear in a message: printable, short. */
function label(key: string): string {
	const safe = key.replaceAll(/[^\w.:-]/g, '?');
	return safe.length > 40 ? `${safe.slice(0, 40)}…` : safe;
}

const join = (path: string, key: string) => `${path}.${label(key)}`;

/**
 * Calls read for every entry of an object-valued section; a section that is present but not an
 * object is dropped whole. Missing sections are fine (older files lack some).
 */
function eachEntry<T>(value: unknown, path: string, drops: Drops, read: (entry: unknown, path: string, key: string) => T | undefined): Record<string, T> {
	const result = record<T>();
	if (value === undefined) {
		return result;
	}

	if (!isRecord(value)) {
		drops.add(path);
		return result;
	}

	for (const [key, entry] of Object.entries(value)) {
		const checked = read(entry, join(path, key), key);
		if (checked !== undefined) {
			result[key] = checked;
		}
	}

	return result;
}

/**
 * Copies a field when check accepts it. An absent field is silently left out; a present but
 * invalid one is dropped and reported.
 */
function field<T>(source: Json, key: string, path: string, drops: Drops, check: (value: unknown) => value is T): T | undefined {
	const value = source[key];
	if (value === undefined) {
		return undefined;
	}

	if (check(value)) {
		return value;
	}

	drops.add(`${path}.${key}`);
	return undefined;
}

function readAccount(entry: unknown, path: string, drops: Drops, nowMs: number): PersistedAccount | undefined {
	if (!isRecord(entry)) {
		drops.add(path);
		return undefined;
	}

	const instant = (value: unknown): value is number => storableInstant(value, nowMs);
	const flag = (value: unknown): value is boolean => typeof value === 'boolean';
	const account: PersistedAccount = {
		cooldownUntilMs: field(entry, 'cooldownUntilMs', path, drops, instant) ?? 0,
		lastCooldownEndMs: field(entry, 'lastCooldownEndMs', path, drops, instant) ?? 0,
		paused: field(entry, 'paused', path, drops, flag) ?? false,
		authFailed: field(entry, 'authFailed', path, drops, flag) ?? false,
		unhealthy: field(entry, 'unhealthy', path, drops, flag) ?? false,
		excludedModels: [],
	};
	const reason = field(entry, 'cooldownReason', path, drops, isText);
	if (reason !== undefined) {
		account.cooldownReason = reason;
	}

	const excluded = entry['excludedModels'];
	if (Array.isArray(excluded)) {
		for (const [index, item] of excluded.entries()) {
			if (isRecord(item) && isText(item['model']) && item['model'] !== '' && instant(item['untilMs'])) {
				account.excludedModels.push({model: item['model'], untilMs: item['untilMs']});
			} else {
				drops.add(`${path}.excludedModels[${index}]`);
			}
		}
	} else if (excluded !== undefined) {
		drops.add(`${path}.excludedModels`);
	}

	return account;
}

function readWindow(value: unknown, path: string, drops: Drops, nowMs: number): UnifiedWindow | undefined {
	if (!isRecord(value)) {
		drops.add(path);
		return undefined;
	}

	const fraction = (number: unknown): number is number => isCount(number, maxUtilization);
	// Resets are epoch seconds.
	const reset = (number: unknown): number is number => typeof number === 'number' && storableInstant(number * 1000, nowMs);
	const window: UnifiedWindow = {};
	const utilization = field(value, 'utilization', path, drops, fraction);
	const resetSeconds = field(value, 'reset', path, drops, reset);
	const status = field(value, 'status', path, drops, isText);
	const threshold = field(value, 'surpassedThreshold', path, drops, fraction);
	if (utilization !== undefined) {
		window.utilization = utilization;
	}

	if (resetSeconds !== undefined) {
		window.reset = resetSeconds;
	}

	if (status !== undefined) {
		window.status = status;
	}

	if (threshold !== undefined) {
		window.surpassedThreshold = threshold;
	}

	return window;
}

function readBucket(value: unknown, path: string, drops: Drops, nowMs: number): KeyBucket | undefined {
	if (!isRecord(value)) {
		drops.add(path);
		return undefined;
	}

	const size = (number: unknown): number is number => isCount(number, maxBucketValue);
	const bucket: KeyBucket = {};
	const limit = field(value, 'limit', path, drops, size);
	const remaining = field(value, 'remaining', path, drops, size);
	const resetMs = field(value, 'resetMs', path, drops, (number: unknown): number is number => storableInstant(number, nowMs));
	if (limit !== undefined) {
		bucket.limit = limit;
	}

	if (remaining !== undefined) {
		bucket.remaining = remaining;
	}

	if (resetMs !== undefined) {
		bucket.resetMs = resetMs;
	}

	return bucket;
}

const windowFields = ['fiveHour', 'sevenDay'] as const;
const bucketFields = ['requests', 'tokens', 'inputTokens', 'outputTokens'] as const;
const textFields = ['status', 'representativeClaim', 'overageStatus', 'overageDisabledReason'] as const;

export function readTelemetry(entry: unknown, path: string, drops: Drops, nowMs: number): RateLimitTelemetry | undefined {
	// Without a valid updatedMs the entry cannot be aged; it goes whole.
	if (!isRecord(entry) || !storableInstant(entry['updatedMs'], nowMs)) {
		drops.add(path);
		return undefined;
	}

	const telemetry: RateLimitTelemetry = {updatedMs: entry['updatedMs']};
	for (const key of windowFields) {
		if (entry[key] !== undefined) {
			const window = readWindow(entry[key], `${path}.${key}`, drops, nowMs);
			if (window) {
				telemetry[key] = window;
			}
		}
	}

	if (entry['scoped'] !== undefined) {
		const scoped = eachEntry(entry['scoped'], `${path}.scoped`, drops, (value, entryPath, key) => {
			if (!windowKey.test(key)) {
				drops.add(entryPath);
				return undefined;
			}

			return readWindow(value, entryPath, drops, nowMs);
		});
		const keys = Object.keys(scoped);
		if (keys.length > maxScopedWindows) {
			drops.add(`${path}.scoped (${keys.length - maxScopedWindows} windows past ${maxScopedWindows})`);
		}

		if (keys.length > 0) {
			// Keys were checked against the infix pattern: a plain object is safe here.
			telemetry.scoped = Object.fromEntries(keys.slice(0, maxScopedWindows).map(key => [key, scoped[key]!]));
		}
	}

	for (const key of bucketFields) {
		if (entry[key] !== undefined) {
			const bucket = readBucket(entry[key], `${path}.${key}`, drops, nowMs);
			if (bucket) {
				telemetry[key] = bucket;
			}
		}
	}

	for (const key of textFields) {
		const text = field(entry, key, path, drops, isText);
		if (text !== undefined) {
			telemetry[key] = text;
		}
	}

	const reset = field(entry, 'reset', path, drops, (number: unknown): number is number => typeof number === 'number' && storableInstant(number * 1000, nowMs));
	if (reset !== undefined) {
		telemetry.reset = reset;
	}

	return telemetry;
}

function readLocalWindow(entry: unknown, path: string, drops: Drops, nowMs: number): LocalWindow | undefined {
	// The two numbers only mean something together: a bad one drops the pair.
	if (!isRecord(entry) || !storableInstant(entry['startMs'], nowMs) || !isCount(entry['tokens'])) {
		drops.add(path);
		return undefined;
	}

	const window: LocalWindow = {startMs: entry['startMs'], tokens: entry['tokens']};
	// The cache counts go together and never exceed each other; otherwise the rate is unknown.
	const cacheRead = entry['cacheReadTokens'];
	const prompt = entry['promptTokens'];
	if (isCount(cacheRead) && isCount(prompt) && cacheRead <= prompt) {
		window.cacheReadTokens = cacheRead;
		window.promptTokens = prompt;
	} else if (cacheRead !== undefined || prompt !== undefined) {
		drops.add(`${path}.cacheReadTokens`);
	}

	return window;
}

const totalFields = ['inputTokens', 'outputTokens', 'cacheReadTokens', 'cacheWriteTokens', 'usd'] as const;

/** Savings totals; a bad counter is dropped (it restarts from 0), the others keep their sums. */
function readTotals(value: unknown, path: string, drops: Drops): SavingsTotals | undefined {
	if (!isRecord(value)) {
		drops.add(path);
		return undefined;
	}

	const totals: SavingsTotals = {inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, usd: 0};
	for (const key of totalFields) {
		totals[key] = field(value, key, path, drops, (number: unknown): number is number => isCount(number)) ?? 0;
	}

	return totals;
}

function readAccountName(source: Json, key: 'pinnedAccount' | 'lastUsedAccount', drops: Drops): string | null {
	const value = source[key];
	if (value === undefined || value === null) {
		return null;
	}

	if (isText(value)) {
		return value;
	}

	drops.add(key);
	return null;
}

/**
 * Every entry of a parsed state.json (already known to be an object with format 1), checked.
 * Sticky sessions are not read: they are ephemeral, and old files' maps are ignored.
 */
export function validateState(parsed: Json, nowMs: number, drops: Drops): PersistedState {
	const state: PersistedState = {
		format: 1,
		accounts: eachEntry(parsed['accounts'], 'accounts', drops, (entry, path) => readAccount(entry, path, drops, nowMs)),
		telemetry: eachEntry(parsed['telemetry'], 'telemetry', drops, (entry, path) => readTelemetry(entry, path, drops, nowMs)),
		window: eachEntry(parsed['window'], 'window', drops, (entry, path) => readLocalWindow(entry, path, drops, nowMs)),
		pinnedAccount: readAccountName(parsed, 'pinnedAccount', drops),
		lastUsedAccount: readAccountName(parsed, 'lastUsedAccount', drops),
		savingsDaily: eachEntry(parsed['savingsDaily'], 'savingsDaily', drops, (entry, path, key) => {
			if (!dayKey.test(key)) {
				drops.add(path);
				return undefined;
			}

			return readTotals(entry, path, drops);
		}),
		savingsAllTime: (parsed['savingsAllTime'] === undefined ? undefined : readTotals(parsed['savingsAllTime'], 'savingsAllTime', drops))
			?? {inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, usd: 0},
	};
	return state;
}
