// One batch of local changes on its way to the pool, and the pipeline it becomes: the key writes
// that keep Redis's copy of the shared state current, the savings increments, and one message on
// the channel announcing the facts and the log rows to the other instances.
import type {ChainableCommander} from 'ioredis';
import {burstWindowMs} from '../state/account-book.js';
import type {StoreEvent} from '../state/records.js';
import type {SharedFact} from '../state/shared-facts.js';
import {staggerMs} from '../state/stagger.js';
import {maxHorizonMs} from '../util/time-horizon.js';
import type {BurstLedger} from './burst-ledger.js';
import {burstTtlMs, keys, telemetryTtlMs} from './keys.js';
import type {CompactRequest, PoolMessage} from './messages.js';
import {queueSavings} from './savings-sync.js';
import {clearCooldown, queue, setCooldown} from './scripts.js';

/** Facts the instances announce themselves; a cooldown is announced by its script (with the staggered deadline). */
export type OutgoingBatch = {
	/** The latest per account: an older report is no news once a newer one goes. */
	telemetry: Map<string, SharedFact & {type: 'telemetry'}>;
	/** The latest deadline per account. */
	cooldowns: Map<string, SharedFact & {type: 'cooldown'}>;
	/** Everything else, in order. */
	facts: SharedFact[];
	requests: CompactRequest[];
	events: StoreEvent[];
	/** Savings increments by hash field (countSavings). */
	savings: Map<string, number>;
};

export const emptyBatch = (): OutgoingBatch => ({
	telemetry: new Map(), cooldowns: new Map(), facts: [], requests: [], events: [], savings: new Map(),
});

export function isEmpty(batch: OutgoingBatch): boolean {
	return batch.telemetry.size + batch.cooldowns.size + batch.facts.length + batch.requests.length + batch.events.length + batch.savings.size === 0;
}

/**
 * Others' logs get at most this many requests and events per batch: a flood must not grow memory
 * while Redis is slow, and a batch must stay well under maxMessageBytes (a request is ~400 bytes).
 */
export const maxLogPerBatch = 200;

export type BatchSender = {
	instanceId: string;
	instanceName: string;
	/** Our attempts get their member names here as they are written (and refunds find theirs). */
	burst: BurstLedger;
};

/**
 * Queues the batch on the pipeline. The telemetry writes come first and the cooldown scripts right
 * after them, one per account, in the batch's order: staggeredDeadlines reads their answers by position.
 */
export function writeBatch(pipeline: ChainableCommander, batch: OutgoingBatch, sender: BatchSender, now: number): void {
	const {instanceId, instanceName, burst} = sender;
	const announced: SharedFact[] = [];
	for (const fact of batch.telemetry.values()) {
		pipeline.set(keys.telemetry(fact.account), JSON.stringify(fact.telemetry), 'PX', telemetryTtlMs(fact.telemetry, now));
		announced.push(fact);
	}

	for (const fact of batch.cooldowns.values()) {
		queue(pipeline, setCooldown, [keys.cooldown(fact.account), keys.deadlines], [fact.account, fact.untilMs, fact.reason, fact.staggered ? 1 : 0, now, staggerMs, now + maxHorizonMs, keys.channel, instanceId, instanceName]);
	}

	const burstTouched = new Set<string>();
	for (const fact of batch.facts) {
		switch (fact.type) {
			case 'cooldown-cleared': {
				queue(pipeline, clearCooldown, [keys.cooldown(fact.account), keys.deadlines], [fact.account, fact.untilMs]);
				break;
			}

			case 'attempt': {
				pipeline.zadd(keys.burst(fact.account), fact.stampMs, burst.addOwn(fact.account, fact.stampMs));
				burstTouched.add(fact.account);
				break;
			}

			case 'refund': {
				const member = burst.removeOwn(fact.account, fact.stampMs);
				if (member) {
					pipeline.zrem(keys.burst(fact.account), member);
				}

				break;
			}

			case 'exclusion': {
				pipeline.hset(keys.exclusions(fact.account), fact.model, String(fact.untilMs));
				pipeline.pexpire(keys.exclusions(fact.account), Math.max(1, Math.min(fact.untilMs, now + maxHorizonMs) - now), 'GT');
				// A new hash has no expiry for GT to compare with.
				pipeline.pexpire(keys.exclusions(fact.account), Math.max(1, Math.min(fact.untilMs, now + maxHorizonMs) - now), 'NX');
				break;
			}

			case 'paused': {
				if (fact.paused) {
					pipeline.sadd(keys.paused, fact.account);
				} else {
					pipeline.srem(keys.paused, fact.account);
				}

				break;
			}

			case 'pin': {
				if (fact.account === null) {
					pipeline.del(keys.pin);
				} else {
					pipeline.set(keys.pin, fact.account);
				}

				break;
			}

			case 'telemetry':
			case 'cooldown': {
				break;
			}
		}

		announced.push(fact);
	}

	for (const account of burstTouched) {
		pipeline.zremrangebyscore(keys.burst(account), '-inf', now - burstWindowMs);
		pipeline.pexpire(keys.burst(account), burstTtlMs);
	}

	queueSavings(pipeline, instanceId, batch.savings);
	const message: PoolMessage = {v: 1, from: instanceId, name: instanceName};
	if (announced.length > 0) {
		message.facts = announced;
	}

	if (batch.requests.length > 0) {
		message.requests = batch.requests;
	}

	if (batch.events.length > 0) {
		message.events = batch.events;
	}

	if (message.facts ?? message.requests ?? message.events) {
		pipeline.publish(keys.channel, JSON.stringify(message));
	}
}

/**
 * The deadlines the pool's cooldown scripts answered, with the cooldowns that asked: the pool
 * staggers a deadline away from the others', so it can be later than the one we asked for.
 */
export function staggeredDeadlines(batch: OutgoingBatch, results: ReadonlyArray<[Error | null, unknown]> | null): Array<{fact: SharedFact & {type: 'cooldown'}; deadline: number}> {
	const answers: Array<{fact: SharedFact & {type: 'cooldown'}; deadline: number}> = [];
	let index = batch.telemetry.size;
	for (const fact of batch.cooldowns.values()) {
		const [error, value] = results?.[index++] ?? [null, undefined];
		const deadline = !error && Array.isArray(value) ? Number(value[0]) : Number.NaN;
		if (Number.isFinite(deadline)) {
			answers.push({fact, deadline});
		}
	}

	return answers;
}
