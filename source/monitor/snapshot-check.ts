// An attached monitor (`shunt monitor`) draws snapshots that arrive over loopback from whatever
// answers on the port, which could be any process. Before one replaces the screen's picture it is
// checked to be shaped like StoreSnapshot, field by field, with every list and string bounded, so
// a hostile or broken sender gets "not shunt's snapshot", never a TypeError inside a pane or a
// frame that takes seconds to lay out. Strings are cleaned of escapes when drawn, as always.
//
// Each table below is typed by the contract's own type with every key required: a field added to
// the contract fails to compile here until it has a check.
import {accountKinds} from '../accounts/types.js';
import {strategyNames} from '../routing/strategy-names.js';
import type {Candidate, Decision} from '../routing/explain.js';
import type {InFlightRequest} from '../state/in-flight.js';
import {efforts, type Overrides} from '../state/overrides.js';
import type {
	Attempt, Hold, RequestRecord, SavingsTotals, StoreEvent,
} from '../state/records.js';
import {isRecord} from '../util/json.js';
import {
	historyWindows, type AccountView, type BurnRate, type HistoryView, type ScopedWindowView, type StoreSnapshot, type TeamView,
} from './contract.js';

type Check = (value: unknown) => boolean;
type Fields<T> = {[K in keyof T]-?: Check};

const maxText = 4096;
// Far beyond any epoch millisecond, token count or price, and still exact in a double.
const maxMagnitude = 1e15;

const text: Check = value => typeof value === 'string' && value.length <= maxText;
const number: Check = value => typeof value === 'number' && Number.isFinite(value) && Math.abs(value) <= maxMagnitude;
const boolean: Check = value => typeof value === 'boolean';
const orNull = (check: Check): Check => value => value === null || check(value);
const optional = (check: Check): Check => value => value === undefined || check(value);
const oneOf = (values: readonly unknown[]): Check => value => values.includes(value);
const listOf = (check: Check, max: number): Check => value => Array.isArray(value) && value.length <= max && value.every(item => check(item));

/** An object used as a map (account name → value): at most `max` keys, each value checked. */
const recordOf = (check: Check, max: number): Check => value => {
	if (!isRecord(value)) {
		return false;
	}

	const entries = Object.entries(value);
	return entries.length <= max && entries.every(([key, item]) => key.length <= maxText && check(item));
};

function shaped<T>(fields: Fields<T>): Check {
	const entries = Object.entries<Check>(fields);
	return value => isRecord(value) && entries.every(([name, check]) => check(value[name]));
}

const strategy = oneOf(strategyNames);

const scopedWindowFields: Fields<ScopedWindowView> = {
	window: text, label: text, utilization: orNull(number), reset: number, status: orNull(text), spent: boolean,
};

const accountFields: Fields<AccountView> = {
	name: text,
	kind: oneOf(accountKinds),
	index: number,
	plan: optional(text),
	email: optional(text),
	state: oneOf(['available', 'throttled', 'cooling', 'exhausted', 'unhealthy', 'reauth', 'paused']),
	cooldownUntilMs: number,
	cooldownReason: optional(text),
	utilization5h: orNull(number),
	utilization7d: orNull(number),
	reset5h: orNull(number),
	reset7d: orNull(number),
	status5h: optional(text),
	status7d: optional(text),
	requestsRemaining: optional(number),
	requestsLimit: optional(number),
	windowTokens: number,
	cacheHitRate: orNull(number),
	// The store keeps a few per account; this bounds a hostile sender.
	scopedWindows: listOf(shaped(scopedWindowFields), 100),
	pinned: boolean,
	active: boolean,
	recentRequests: number,
	fixHint: optional(text),
	backAtMs: orNull(number),
	burst: orNull(shaped<NonNullable<AccountView['burst']>>({count: number, limit: number, freesAtMs: orNull(number)})),
	easing: orNull(shaped<NonNullable<AccountView['easing']>>({factor: number, untilMs: number})),
	excludedModels: listOf(shaped<AccountView['excludedModels'][number]>({model: text, untilMs: number}), 100),
	keyHeadroom: orNull(number),
	keyBlockedUntilMs: orNull(number),
};

const attemptFields: Fields<Attempt> = {account: text, status: number, reason: optional(text)};
const holdFields: Fields<Hold> = {afterAttempts: number, ms: number, reason: text};
const candidateFields: Fields<Candidate> = {
	account: text, eligible: boolean, why: text, score: orNull(number), untilMs: optional(number),
};
const decisionFields: Fields<Decision> = {
	by: oneOf(['pin', 'sticky', 'strategy', 'fallback', 'only']),
	strategy,
	candidates: listOf(shaped(candidateFields), 1000),
};

const requestFields: Fields<RequestRecord> = {
	id: text,
	tsMs: number,
	startedMs: number,
	account: orNull(text),
	model: text,
	requestedModel: optional(text),
	status: number,
	inputTokens: number,
	outputTokens: number,
	cacheReadTokens: number,
	cacheWriteTokens: number,
	cacheWrite5mTokens: optional(number),
	cacheWrite1hTokens: optional(number),
	durationMs: number,
	ttftMs: orNull(number),
	attempts: listOf(shaped(attemptFields), 100),
	holds: optional(listOf(shaped(holdFields), 100)),
	outcome: oneOf(['complete', 'error', 'truncated', 'client-cancelled']),
	stream: boolean,
	path: text,
	frontDoor: oneOf(['anthropic', 'openai']),
	costUsd: number,
	decision: optional(shaped(decisionFields)),
	shuntReason: optional(text),
	removedFields: optional(listOf(text, 100)),
	sessionHash: optional(text),
};

const eventFields: Fields<StoreEvent> = {
	tsMs: number,
	kind: oneOf(['rate-limited', 'cooldown', 'recovered', 'overloaded', 'auth', 'forbidden', 'health', 'info']),
	account: optional(text),
	message: text,
};

const inFlightFields: Fields<InFlightRequest> = {
	id: text,
	startedMs: number,
	account: orNull(text),
	model: text,
	state: oneOf(['waiting', 'held', 'streaming']),
	heldUntilMs: orNull(number),
	heldReason: orNull(text),
	firstByteMs: orNull(number),
	outputTokens: number,
	stream: boolean,
};

const overrideFields: Fields<Overrides> = {
	strategy: orNull(strategy),
	model: orNull(text),
	effort: orNull(oneOf(efforts)),
	burstRpmLimit: orNull(number),
	fallbackModel: orNull(text),
	alertsMuted: boolean,
};

// Buckets of the longest window at its resolution are a few hundred; this bounds a hostile sender.
const maxBuckets = 2000;
const burnFields: Fields<BurnRate> = {perHour: orNull(number), spentInMs: orNull(number), resetsInMs: orNull(number)};
const burn = shaped<HistoryView['burn']['pool']>({...burnFields, sevenDay: shaped(burnFields)});
const historyFields: Fields<HistoryView> = {
	window: oneOf(historyWindows),
	bucketMs: number,
	computedMs: number,
	buckets: listOf(shaped<HistoryView['buckets'][number]>({startMs: number, perAccount: recordOf(number, 1000)}), maxBuckets),
	sparklines: recordOf(listOf(orNull(number), maxBuckets), 1000),
	burn: shaped<HistoryView['burn']>({accounts: recordOf(burn, 1000), pool: burn}),
};

const totals = shaped<SavingsTotals>({
	inputTokens: number, outputTokens: number, cacheReadTokens: number, cacheWriteTokens: number, usd: number,
});

const isRequest = shaped(requestFields);
const isEvent = shaped(eventFields);

const snapshotFields: Fields<StoreSnapshot> = {
	version: text,
	startedMs: number,
	nowMs: number,
	listenUrl: text,
	strategy,
	strategyOverridden: boolean,
	burstRpmLimit: number,
	defaults: shaped<StoreSnapshot['defaults']>({strategy, burstRpmLimit: number}),
	pinnedAccount: orNull(text),
	overrides: shaped(overrideFields),
	heldRequests: number,
	inFlight: number,
	inFlightRequests: listOf(shaped(inFlightFields), 10_000),
	requestsPerMinute: number,
	accounts: listOf(shaped(accountFields), 1000),
	requests: listOf(shaped(requestFields), 1000),
	events: listOf(shaped(eventFields), 10_000),
	savings: shaped<StoreSnapshot['savings']>({today: totals, week: totals, allTime: totals}),
	demo: boolean,
	team: optional(shaped<TeamView>({
		self: text,
		instances: listOf(shaped<TeamView['instances'][number]>({name: text, self: boolean}), 1000),
		redis: oneOf(['connected', 'unreachable']),
		requests: listOf(value => isRequest(value) && isRecord(value) && text(value['instance']), 1000),
		events: listOf(value => isEvent(value) && isRecord(value) && text(value['instance']), 10_000),
	})),
	history: optional(shaped(historyFields)),
};

const isSnapshot = shaped(snapshotFields);

/** The value as a StoreSnapshot when it has every field the monitor reads, with the right types and bounds. */
export function asStoreSnapshot(value: unknown): StoreSnapshot | undefined {
	return isSnapshot(value) ? value as StoreSnapshot : undefined;
}

/** A request record as the log file and the snapshot carry it, checked like a snapshot's. */
export function asRequestRecord(value: unknown): RequestRecord | undefined {
	return isRequest(value) ? value as RequestRecord : undefined;
}

export function asStoreEvent(value: unknown): StoreEvent | undefined {
	return isEvent(value) ? value as StoreEvent : undefined;
}
