// Team mode: a fact another instance reported, applied to this store's parts as if it had happened
// here, but told to nobody (no echo back to the pool, no event). The team (source/team/) decides
// whether a fact is news (newer telemetry, a later deadline); this only applies it, and says what
// the change means for state.json and the screen.
import type {AccountBook} from './account-book.js';
import type {CooldownWatch} from './cooldown-watch.js';
import {
	nothing, save, show, type Effect,
} from './effects.js';
import type {SharedFact} from './shared-facts.js';
import type {TelemetryBook} from './telemetry-book.js';

export type RemoteTarget = {
	book: AccountBook;
	telemetry: TelemetryBook;
	watch: CooldownWatch;
	hasAccount(name: string): boolean;
	setPinned(account: string | null): void;
};

export function applyRemoteFact(target: RemoteTarget, fact: SharedFact, nowMs: number): readonly Effect[] {
	const {book, telemetry, watch} = target;
	switch (fact.type) {
		case 'telemetry': {
			telemetry.record(fact.account, fact.telemetry);
			return save;
		}

		case 'cooldown': {
			if (!book.setCooldown(fact.account, fact.untilMs, {reason: fact.reason}, nowMs).changed) {
				return nothing;
			}

			watch.schedule();
			return save;
		}

		case 'cooldown-cleared': {
			// Only the cooldown that was ended: a later one set since stands.
			const record = book.get(fact.account);
			if (record.cooldownUntilMs > nowMs && record.cooldownUntilMs <= fact.untilMs && book.clearCooldown(fact.account, nowMs)) {
				watch.schedule();
			}

			return nothing;
		}

		case 'attempt': {
			// Stamps stay oldest first: burstCount drops expired ones from the front.
			book.get(fact.account).burst.insert(fact.stampMs);
			return show;
		}

		case 'refund': {
			return book.refundAttempt(fact.account, fact.stampMs) ? show : nothing;
		}

		case 'exclusion': {
			return book.excludeModel(fact.account, fact.model, fact.untilMs, nowMs) ? save : nothing;
		}

		case 'paused': {
			return book.setFlag(fact.account, 'paused', fact.paused) ? save : nothing;
		}

		case 'pin': {
			target.setPinned(fact.account !== null && target.hasAccount(fact.account) ? fact.account : null);
			return save;
		}
	}
}
