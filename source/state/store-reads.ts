// The store's read side: what the proxy, background work, the control API and the CLI ask of it.
// Reads decide nothing and change nothing (sticky entries expire as they are read); StateStore
// adds the writes and the one place that decides what a change means.
import {EventEmitter} from 'node:events';
import type {AccountConfig} from '../accounts/types.js';
import type {RateLimitTelemetry} from '../anthropic/telemetry.js';
import type {AccountState} from '../monitor/contract.js';
import type {StrategyName} from '../routing/strategies.js';
import type {RoutingSnapshot, StickyView} from '../routing/types.js';
import type {CooldownEnded} from './cooldown-watch.js';
import type {Overrides} from './overrides.js';
import type {RequestRecord, StoreEvent} from './records.js';
import {InFlightRequests} from './in-flight.js';
import type {StickySessions} from './sticky-sessions.js';
import {accountState, effectiveBurstLimit, effectiveFallbackModel, effectiveStrategy, routingSnapshot, type StoreSettings, type ViewParts} from './views.js';

export type StoreEvents = {
	request: [RequestRecord];
	event: [StoreEvent];
	/** An account's cooldown just ended (strong resume hooks in here). */
	'cooldown-ended': [string, CooldownEnded];
};

export abstract class StoreReads extends EventEmitter<StoreEvents> {
	protected abstract readonly parts: ViewParts;
	protected abstract readonly sticky: StickySessions;
	protected abstract readonly clock: () => number;
	protected readonly inFlight = new InFlightRequests();
	protected carousel = 0;

	get accounts(): readonly AccountConfig[] {
		return this.parts.accounts;
	}

	get settings(): Readonly<StoreSettings> {
		return this.parts.settings;
	}

	get overrides(): Readonly<Overrides> {
		return this.parts.overrides;
	}

	get pinnedAccount(): string | null {
		return this.parts.pinned;
	}

	get heldRequests(): number {
		return this.inFlight.list().filter(request => request.state === 'held').length;
	}

	/** Requests being served right now. */
	get inFlightCount(): number {
		return this.inFlight.size;
	}

	now(): number {
		return this.clock();
	}

	hasAccount(name: string): boolean {
		return this.parts.accounts.some(account => account.name === name);
	}

	effectiveStrategy(): StrategyName {
		return effectiveStrategy(this.parts);
	}

	effectiveBurstLimit(): number {
		return effectiveBurstLimit(this.parts);
	}

	effectiveFallbackModel(): string | null {
		return effectiveFallbackModel(this.parts);
	}

	telemetry(name: string): RateLimitTelemetry | undefined {
		return this.parts.telemetry.get(name);
	}

	isPaused(name: string): boolean {
		return this.parts.book.get(name).paused;
	}

	cooldownUntil(name: string): number {
		return this.parts.book.get(name).cooldownUntilMs;
	}

	cooldownReason(name: string): string | undefined {
		return this.parts.book.cooldownReason(name, this.clock());
	}

	healthFailures(name: string): number {
		return this.parts.book.get(name).healthFailures;
	}

	accountState(name: string, now = this.clock()): AccountState {
		return accountState(this.parts.book.get(name), this.parts.telemetry.get(name), now);
	}

	/** Everything routing needs, taken at one instant. */
	routingSnapshot(): RoutingSnapshot {
		return routingSnapshot(this.parts, this.clock());
	}

	/** The command that fixes an account that needs re-authentication. */
	fixHint(name: string): string {
		const account = this.parts.accounts.find(candidate => candidate.name === name);
		return account ? this.parts.fixHint(account) : `shunt add-account ${name}`;
	}

	stickyAccount(key: string): string | undefined {
		return this.sticky.account(key);
	}

	/** A live sticky binding with what is known about its conversation (for rebalancing). */
	stickySession(key: string): StickyView | undefined {
		return this.sticky.view(key);
	}

	/** Carousel's process-wide counter: read it for a decision, advance it when carousel picked. */
	peekCarousel(): number {
		return this.carousel;
	}
}
