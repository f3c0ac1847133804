// What a failed answer means for the account it came from, applied in one place for the proxy and
// for background checks alike: the run of 401s that puts an account in reauth, cooldowns with
// their event or alert, model exclusions.
import type {Alerts} from '../alerts/alerts.js';
import type {VerdictStore} from '../state/ports.js';
import {clockTime} from '../util/clock-time.js';
import {formatWhen} from '../util/duration.js';
import type {Verdict} from './classify-response.js';
import type {FailurePolicy} from './failure-policy.js';

export type VerdictContext = {
	store: VerdictStore;
	alerts: Pick<Alerts, 'raise'>;
	policy: FailurePolicy;
};

/** One more 401 from this account; enough of them in a row and it needs a new login (alerted once). */
export function countUnauthorized(context: VerdictContext, account: string): void {
	const {store, alerts, policy} = context;
	if (store.recordUnauthorized(account) >= policy.unauthorizedBeforeReauth) {
		store.setAuthFailed(account, true);
		alerts.raise('reauth', `${account} keeps answering 401; run: ${store.fixHint(account)}`, account);
	}
}

export type ApplyOptions = {
	/** Said before the cooldown, e.g. "still limited after its cooldown" for a probe. */
	note?: string;
	/** Record the cooldown as an event only, even where it would alert (the user heard it the first time). */
	quiet?: boolean;
};

export function applyVerdict(context: VerdictContext, account: string, verdict: Extract<Verdict, {kind: 'failover'}>, options: ApplyOptions = {}): void {
	const {store, alerts} = context;
	if (verdict.unauthorized) {
		countUnauthorized(context, account);
	}

	if (verdict.excludeModel) {
		store.excludeModel(account, verdict.excludeModel.model, verdict.excludeModel.untilMs);
		store.addEvent('rate-limited', `${account}: ${verdict.reason} for ${verdict.excludeModel.model}; other models still go there`, account);
	}

	if (verdict.cooldown) {
		const deadline = store.setCooldown(account, verdict.cooldown.untilMs, {reason: verdict.cooldown.reason, staggered: verdict.cooldown.staggered});
		const now = store.now();
		const what = options.note ? `${options.note} (${verdict.reason})` : verdict.reason;
		const message = `${account} ${what}: cooling, back ${formatWhen(deadline, now, clockTime)}`;
		if (verdict.alert && !options.quiet) {
			const spent = verdict.spentUntilMs && verdict.spentUntilMs > deadline ? `; quota back ${formatWhen(verdict.spentUntilMs, now, clockTime)}` : '';
			alerts.raise(verdict.alert, `${message}${spent}`, account);
		} else {
			store.addEvent(verdict.reason === 'overloaded' ? 'overloaded' : 'cooldown', message, account);
		}
	}
}
