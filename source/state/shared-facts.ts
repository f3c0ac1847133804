// What team mode shares about the pool: the store tells its team hooks about each local change
// (facts), and applies the facts other instances reported (applyRemote) without telling anyone,
// so nothing echoes back. What to do with them (Redis, pub/sub) lives in source/team/.
import type {RateLimitTelemetry} from '../anthropic/telemetry.js';
import type {TeamView} from '../monitor/contract.js';
import type {SavingsSummary} from './records.js';

export type SharedFact =
	/** The account's telemetry after this change (merged): what it last reported. */
	| {type: 'telemetry'; account: string; telemetry: RateLimitTelemetry}
	/** The deadline in force after a cooldown was set. */
	| {type: 'cooldown'; account: string; untilMs: number; reason: string; staggered: boolean}
	/** A cooldown that was ended early (its deadline), e.g. a renewed token ends a 401's. */
	| {type: 'cooldown-cleared'; account: string; untilMs: number}
	/** An attempt counted for burst pacing, and one given back. */
	| {type: 'attempt'; account: string; stampMs: number}
	| {type: 'refund'; account: string; stampMs: number}
	| {type: 'exclusion'; account: string; model: string; untilMs: number}
	| {type: 'paused'; account: string; paused: boolean}
	| {type: 'pin'; account: string | null};

/** What the store calls when team mode is on. */
export type TeamHooks = {
	/** A local change: called on the request path, so it only queues. */
	shared(fact: SharedFact): void;
	/** The pool as the monitor and the status document show it. */
	view(): TeamView;
	/** The whole pool's savings, given this instance's own. */
	poolSavings(local: SavingsSummary): SavingsSummary;
};
