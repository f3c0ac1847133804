import type {StoreSnapshot} from '../monitor/contract.js';

/** The /_shunt/status document (CONTRACT), built from an up-to-date snapshot. */
export function statusDocument(snapshot: StoreSnapshot) {
	return {
		version: snapshot.version,
		startedMs: snapshot.startedMs,
		listenUrl: snapshot.listenUrl,
		strategy: snapshot.strategy,
		strategyOverridden: snapshot.strategyOverridden,
		pinnedAccount: snapshot.pinnedAccount,
		alertsMuted: snapshot.overrides.alertsMuted,
		modelOverride: snapshot.overrides.model,
		effortOverride: snapshot.overrides.effort,
		fallbackModel: snapshot.overrides.fallbackModel,
		burstRpmLimit: snapshot.burstRpmLimit,
		heldRequests: snapshot.heldRequests,
		inFlight: snapshot.inFlight,
		inFlightRequests: snapshot.inFlightRequests.map(request => ({
			id: request.id,
			account: request.account,
			model: request.model,
			startedMs: request.startedMs,
			state: request.state,
			heldUntilMs: request.heldUntilMs,
			heldReason: request.heldReason,
			firstByteMs: request.firstByteMs,
			outputTokens: request.outputTokens,
			stream: request.stream,
		})),
		requestsPerMinute: snapshot.requestsPerMinute,
		accounts: snapshot.accounts.map(account => ({
			name: account.name,
			kind: account.kind,
			state: account.state,
			cooldownUntilMs: account.cooldownUntilMs,
			cooldownReason: account.cooldownReason ?? null,
			utilization5h: account.utilization5h,
			utilization7d: account.utilization7d,
			reset5h: account.reset5h,
			reset7d: account.reset7d,
			status5h: account.status5h ?? null,
			status7d: account.status7d ?? null,
			requestsRemaining: account.requestsRemaining ?? null,
			requestsLimit: account.requestsLimit ?? null,
			windowTokens: account.windowTokens,
			cacheHitRate: account.cacheHitRate,
			scopedWindows: account.scopedWindows,
			pinned: account.pinned,
			active: account.active,
			email: account.email ?? null,
			plan: account.plan ?? null,
			fixHint: account.fixHint ?? null,
			backAtMs: account.backAtMs,
			burst: account.burst,
			easing: account.easing,
			excludedModels: account.excludedModels,
			keyHeadroom: account.keyHeadroom,
			keyBlockedUntilMs: account.keyBlockedUntilMs,
		})),
		recentRequests: snapshot.requests,
		events: snapshot.events,
		// CONTRACT: null without SHUNT_REDIS_URL; instances counts this one.
		team: snapshot.team
			? {
				instances: snapshot.team.instances.length,
				redis: snapshot.team.redis,
				name: snapshot.team.self,
				members: snapshot.team.instances.map(instance => instance.name),
			}
			: null,
		savings: {
			todayUsd: snapshot.savings.today.usd,
			weekUsd: snapshot.savings.week.usd,
			allTimeUsd: snapshot.savings.allTime.usd,
			today: snapshot.savings.today,
			week: snapshot.savings.week,
			allTime: snapshot.savings.allTime,
		},
	};
}

export type StatusDocument = ReturnType<typeof statusDocument>;
