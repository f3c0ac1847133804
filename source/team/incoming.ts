// Another instance's facts, applied to the local store with applyRemote, which tells nobody, so
// nothing echoes back to the pool. A fact that would change nothing here is not applied: telemetry
// only when newer than ours, a pause or the pin only when it differs.
import type {SharedFact} from '../state/shared-facts.js';
import type {StateStore} from '../state/store.js';
import {remoteAttemptKey, type BurstLedger} from './burst-ledger.js';
import type {RemoteLog} from './remote-log.js';

export type IncomingContext = {
	store: Pick<StateStore, 'now' | 'telemetry' | 'isPaused' | 'pinnedAccount' | 'applyRemote' | 'teamChanged'>;
	/** The subscription accounts: burst pacing is for them only. */
	oauth: ReadonlySet<string>;
	burst: BurstLedger;
	log: RemoteLog;
};

/** One checked fact from the instance `from` (called fromName). */
export function applyIncoming(fact: SharedFact, from: string, fromName: string, context: IncomingContext): void {
	const {store, oauth, burst, log} = context;
	switch (fact.type) {
		case 'telemetry': {
			if (fact.telemetry.updatedMs > (store.telemetry(fact.account)?.updatedMs ?? 0)) {
				store.applyRemote(fact);
			}

			break;
		}

		case 'attempt': {
			if (!oauth.has(fact.account)) {
				break;
			}

			// Stamped on arrival: burst windows must not depend on how well two clocks agree.
			const now = store.now();
			burst.rememberRemote(remoteAttemptKey(from, fact.account, fact.stampMs), now);
			store.applyRemote({type: 'attempt', account: fact.account, stampMs: now});
			break;
		}

		case 'refund': {
			const localMs = burst.takeRemote(remoteAttemptKey(from, fact.account, fact.stampMs));
			if (localMs !== undefined) {
				store.applyRemote({type: 'refund', account: fact.account, stampMs: localMs});
			}

			break;
		}

		case 'paused': {
			if (store.isPaused(fact.account) !== fact.paused) {
				store.applyRemote(fact);
				log.note({
					tsMs: store.now(), kind: 'info', account: fact.account, message: `${fact.account} ${fact.paused ? 'paused' : 'resumed'}`, instance: fromName,
				});
				store.teamChanged();
			}

			break;
		}

		case 'pin': {
			if (store.pinnedAccount !== fact.account) {
				store.applyRemote(fact);
			}

			break;
		}

		default: {
			store.applyRemote(fact);
		}
	}
}
