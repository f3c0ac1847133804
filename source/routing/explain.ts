// Why a request went where it went: every account with whether routing could use it (and why
// not), its score under the strategy, and what decided. Pure, computed once per finished request
// from the snapshot its last decision was made on, for the detail view and the status document.
import {ineligibleReason, type IneligibleReason} from './route.js';
import {strategyScore} from './strategies.js';
import type {StrategyName} from './strategy-names.js';
import {requestFamily, spentWindow, windowLabel} from './windows.js';
import type {
	RouteDecision, RouteRequest, RoutingAccount, RoutingSnapshot,
} from './types.js';

export type DecidedBy = 'pin' | 'sticky' | 'strategy' | 'fallback' | 'only';

export type Candidate = {
	account: string;
	eligible: boolean;
	/** "chosen", "eligible", or why not: "cooling", "window spent", "burst limit", … */
	why: string;
	/** The strategy's score where it has one (higher is better), else null. */
	score: number | null;
	/** Until when the reason holds (epoch ms), where it says. */
	untilMs?: number;
};

export type Decision = {
	by: DecidedBy;
	strategy: StrategyName;
	candidates: Candidate[];
};

const reasons: Record<IneligibleReason, string> = {
	kind: 'not for this client',
	tried: 'already failed this request',
	paused: 'paused',
	reauth: 'needs a new login',
	cooling: 'cooling',
	exhausted: 'window spent',
	'model-window': 'window spent',
	unhealthy: 'unhealthy',
	'model-excluded': 'refuses this model',
	burst: 'burst limit',
	'key-limit': 'key bucket drained',
};

function until(account: RoutingAccount, reason: IneligibleReason, snapshot: RoutingSnapshot, request: RouteRequest): number | undefined {
	switch (reason) {
		case 'cooling': {
			return account.cooldownUntilMs;
		}

		case 'exhausted':
		case 'model-window': {
			const spent = spentWindow(account, requestFamily(request.model), snapshot.nowMs);
			return spent?.reset === undefined ? undefined : spent.reset * 1000;
		}

		case 'key-limit': {
			return account.keyBlockedUntilMs;
		}

		default: {
			return undefined;
		}
	}
}

/** Which window is spent, in words ("5h window spent", "weekly opus window spent"). */
function spentWhy(account: RoutingAccount, snapshot: RoutingSnapshot, request: RouteRequest): string {
	const spent = spentWindow(account, requestFamily(request.model), snapshot.nowMs);
	return spent ? `${windowLabel(spent.name)} window spent` : reasons.exhausted;
}

/** The decision a pick (or the lack of one) was, as the user should see it. */
export function explainDecision(snapshot: RoutingSnapshot, request: RouteRequest, decision: RouteDecision | undefined, fellBack: boolean): Decision {
	const candidates = snapshot.accounts.map((account): Candidate => {
		const reason = ineligibleReason(account, snapshot, request);
		const chosen = decision?.account === account.name;
		if (reason === undefined || chosen) {
			return {
				account: account.name, eligible: true, why: chosen ? 'chosen' : 'eligible', score: strategyScore(account, snapshot, request.model),
			};
		}

		let why: string;
		if (reason === 'cooling' && account.cooldownReason) {
			why = `cooling (${account.cooldownReason})`;
		} else if (reason === 'kind') {
			why = `${account.kind === 'oauth' ? 'subscription' : 'API key'}: ${reasons.kind}`;
		} else if (reason === 'exhausted' || reason === 'model-window') {
			why = spentWhy(account, snapshot, request);
		} else {
			why = reasons[reason];
		}

		const untilMs = until(account, reason, snapshot, request);
		return {
			account: account.name, eligible: false, why, score: null, ...(untilMs === undefined ? {} : {untilMs}),
		};
	});
	let by: DecidedBy = 'strategy';
	if (decision?.reason === 'pinned') {
		by = 'pin';
	} else if (decision?.reason === 'sticky') {
		by = 'sticky';
	} else if (fellBack) {
		by = 'fallback';
	} else if (decision && candidates.filter(candidate => candidate.eligible).length === 1) {
		by = 'only';
	}

	return {by, strategy: snapshot.strategy, candidates};
}
