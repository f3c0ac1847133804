// The façade the rest of shunt imports: StoreCore (store-core.ts) holds the parts, the effects
// and the subscribers; this adds every change the proxy, background work, the monitor's actions and
// the control API make, each saying its effect.
import {windowLabel} from '../routing/windows.js';
import {clockTime} from '../util/clock-time.js';
import {formatWhen} from '../util/duration.js';
import type {RateLimitTelemetry} from '../anthropic/telemetry.js';
import {historyWindows, type HistoryWindow, type MonitorStore} from '../monitor/contract.js';
import type {StrategyName} from '../routing/strategies.js';
import type {CooldownOptions} from './account-book.js';
import {save, show} from './effects.js';
import type {InFlightRequest} from './in-flight.js';
import type {Effort, Overrides} from './overrides.js';
import type {RequestRecord} from './records.js';
import {StoreCore, type LiveRequest} from './store-core.js';
import {windowCrossings} from './window-crossings.js';

export type {CooldownOptions} from './account-book.js';
export type {CooldownEnded} from './cooldown-watch.js';
export type {StoreSettings} from './views.js';
export {requestRingSize} from './usage-ledger.js';

export type {StateStoreOptions} from './store-files.js';
export type {StoreEvents} from './store-reads.js';

export type {LiveRequest} from './store-core.js';

/**
 * The one piece of state shared by the proxy and the monitor. The proxy reads it synchronously on
 * every request (routingSnapshot); the monitor reads immutable snapshots rebuilt at most every
 * notifyIntervalMs. Every change below goes through changed() with its effects.
 */
export class StateStore extends StoreCore implements MonitorStore {
	// ---------------------------------------------------------------- writes from the proxy and background work

	nextCarousel(): void {
		this.carousel++;
	}

	/** Binds a session to an account (in memory only; not saved, not shown). */
	setSticky(key: string, account: string): void {
		this.sticky.bind(key, account);
	}

	/** A request of a sticky conversation finished: how much of it is cached, how big it was. */
	noteSessionUsage(key: string, usage: {cachedTokens: number; inputTokens: number}): void {
		this.sticky.noteUsage(key, usage);
	}

	/**
	 * Called for every attempt routed to an account, before it is sent. Burst pacing counts
	 * message attempts only: Claude Code's connection warm-ups must not eat a subscription's
	 * budget. Returns the attempt's stamp (for refundAttempt).
	 */
	recordAttempt(name: string, countsForBurst: boolean): number {
		const stamp = this.parts.book.recordAttempt(name, countsForBurst, this.clock());
		this.changed(show);
		if (countsForBurst) {
			this.team?.shared({type: 'attempt', account: name, stampMs: stamp});
		}

		return stamp;
	}

	/**
	 * Gives back the burst slot of an attempt that the upstream refused for its token (a 401 that
	 * leads to a refresh): a refresh during a burst must not stall the burst's retries.
	 */
	refundAttempt(name: string, stampMs: number): void {
		if (this.parts.book.refundAttempt(name, stampMs)) {
			this.changed(show);
			this.team?.shared({type: 'refund', account: name, stampMs});
		}
	}

	/** A 2xx from this account: its run of 401s is over. */
	recordSuccess(name: string): void {
		this.parts.book.get(name).unauthorized = 0;
	}

	/** Returns how many 401s in a row this account has now given. */
	recordUnauthorized(name: string): number {
		return ++this.parts.book.get(name).unauthorized;
	}

	recordTelemetry(name: string, telemetry: RateLimitTelemetry): void {
		const before = this.parts.telemetry.get(name);
		this.parts.telemetry.record(name, telemetry);
		this.changed(save);
		this.team?.shared({type: 'telemetry', account: name, telemetry: this.parts.telemetry.get(name)!});
		const now = this.clock();
		for (const crossing of windowCrossings(before, this.parts.telemetry.get(name)!, now)) {
			const percent = Math.round(crossing.utilization * 100);
			this.addEvent('window', `${name}: ${windowLabel(crossing.window)} window at ${percent} %, resets ${formatWhen(crossing.resetMs, now, clockTime)}`, name);
		}
	}

	/**
	 * Cools an account until untilMs (optionally staggered away from other accounts). A new
	 * cooldown never shortens a running one. Returns the deadline in force afterwards.
	 */
	setCooldown(name: string, untilMs: number, options: CooldownOptions): number {
		const {deadline, changed} = this.parts.book.setCooldown(name, untilMs, options, this.clock());
		if (changed) {
			this.watch.schedule();
			this.changed(save);
			this.team?.shared({
				type: 'cooldown', account: name, untilMs: deadline, reason: options.reason, staggered: options.staggered ?? false,
			});
		}

		return deadline;
	}

	/** Ends a cooldown early (for example when fresh telemetry shows the window has reset). */
	clearCooldown(name: string): void {
		const ended = this.parts.book.get(name).cooldownUntilMs;
		if (this.parts.book.clearCooldown(name, this.clock())) {
			this.watch.schedule();
			this.team?.shared({type: 'cooldown-cleared', account: name, untilMs: ended});
		}
	}

	excludeModel(name: string, model: string, untilMs: number): void {
		if (this.parts.book.excludeModel(name, model, untilMs, this.clock())) {
			this.changed(save);
			this.team?.shared({
				type: 'exclusion', account: name, model, untilMs,
			});
		}
	}

	setAuthFailed(name: string, failed: boolean): void {
		if (this.parts.book.setFlag(name, 'authFailed', failed)) {
			this.changed(save);
		}
	}

	/** Health-check bookkeeping: returns the consecutive failure count after this result. */
	recordHealth(name: string, healthy: boolean, unhealthyAfter: number): number {
		const {failures, flipped} = this.parts.book.recordHealth(name, healthy, unhealthyAfter);
		if (flipped) {
			this.changed(save);
			this.addEvent('health', `${name} is ${healthy ? 'healthy again' : 'unhealthy'}`, name);
		}

		return failures;
	}

	/** A client request arrived: it shows as a live row until end(). */
	beginRequest(request: Pick<InFlightRequest, 'id' | 'startedMs'>): LiveRequest {
		const entry: InFlightRequest = {
			model: '', account: null, state: 'waiting', heldUntilMs: null, heldReason: null, firstByteMs: null, outputTokens: 0, stream: false, ...request,
		};
		this.inFlight.add(entry);
		this.changed(show);
		return {
			update: change => {
				this.inFlight.update(entry, change);
				this.changed(show);
			},
			end: () => {
				this.inFlight.delete(entry.id);
				this.changed(show);
			},
		};
	}

	/** A finished client request: the ring, the local window, savings, last used. */
	recordRequest(record: RequestRecord): void {
		this.parts.ledger.record(record);
		this.changed(save);
		this.emit('request', record);
	}

	// ---------------------------------------------------------------- actions (monitor, control API)

	pin = (account: string | null): void => {
		if (account !== null && !this.hasAccount(account)) {
			throw new Error(`unknown account "${account}"`);
		}

		this.parts.pinned = account;
		this.changed(save);
		this.team?.shared({type: 'pin', account});
	};

	setStrategy = (strategy: StrategyName | null): void => {
		this.#override({strategy});
	};

	setAlertsMuted = (muted: boolean): void => {
		this.#override({alertsMuted: muted});
	};

	setModelOverride = (model: string | null): void => {
		this.#override({model});
	};

	setEffortOverride = (effort: Effort | null): void => {
		this.#override({effort});
	};

	setBurstRpmLimit = (limit: number | null): void => {
		this.#override({burstRpmLimit: limit});
	};

	setFallbackModel = (model: string | null): void => {
		this.#override({fallbackModel: model});
	};

	setPaused = (account: string, paused: boolean): void => {
		if (!this.hasAccount(account)) {
			throw new Error(`unknown account "${account}"`);
		}

		if (this.parts.book.setFlag(account, 'paused', paused)) {
			this.changed(save);
			this.addEvent('info', `${account} ${paused ? 'paused' : 'resumed'}`, account);
			this.team?.shared({type: 'paused', account, paused});
		}
	};

	/** The span the history pane shows (null: none); without a history there is nothing to show. */
	setHistoryWindow = (window: HistoryWindow | null): void => {
		if (window !== null && !historyWindows.includes(window)) {
			throw new Error(`unknown history window "${String(window)}"`);
		}

		this.history?.select(window);
	};

	/** Overrides last until shunt restarts: shown, never saved. */
	#override(change: Partial<Overrides>): void {
		this.parts.overrides = {...this.parts.overrides, ...change};
		this.changed(show);
	}
}
