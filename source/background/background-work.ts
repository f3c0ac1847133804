import type {Alerts} from '../alerts/alerts.js';
import {applyVerdict, countUnauthorized} from '../failover/apply-verdict.js';
import {classifyResponse} from '../failover/classify-response.js';
import type {FailurePolicy} from '../failover/failure-policy.js';
import type {CooldownEnded} from '../state/cooldown-watch.js';
import type {BackgroundStore} from '../state/ports.js';
import type {AccountConfig} from '../accounts/types.js';
import {isAnswer, type ProbeOutcome} from './probe-outcome.js';
import type {Prober} from './prober.js';

export type BackgroundOptions = {
	store: BackgroundStore;
	prober: Prober;
	alerts: Alerts;
	policy: FailurePolicy;
	/** Probe an account whose quota cooldown just ended, before real traffic lands on it. */
	strongResume: boolean;
	healthCheck: {
		enabled: boolean;
		firstAfterMs: number;
		intervalMs: number;
	};
	/** Telemetry older than this is refreshed (0 = never). */
	staleTelemetryMs: number;
	/** Team mode: may this instance probe the account now? One instance of the pool does, per interval. */
	lease?: (work: string, account: string, ttlMs: number) => Promise<boolean>;
};

/** Consecutive 5xx/network failures before an account is unhealthy. */
const unhealthyAfter = 2;
/** Backoff doubles per failure, up to 2^3 = 8× the interval. */
const maxBackoffExponent = 3;
/** Cooldowns this long end with a "back online" alert. */
const resumeAlertAfterMs = 5 * 60_000;
/** Cooldown reasons that mean the quota may still be spent: worth a probe before traffic returns. */
const quotaReasons = new Set(['quota', 'rate limit']);

/**
 * Strong resume, health checks and stale-telemetry refresh. Each is switchable off, runs on
 * unref'd timers (never keeps the process alive) and spends nothing it does not need to.
 */
export function startBackgroundWork(options: BackgroundOptions): {stop(): void} {
	const {store, prober, alerts, policy} = options;
	const lastHealthMs = new Map<string, number>();
	const lastStaleProbeMs = new Map<string, number>();
	let stopped = false;
	let timer: NodeJS.Timeout | undefined;
	const byName = (name: string) => store.accounts.find(account => account.name === name);
	const verdicts = {store, alerts, policy};
	const mine = async (work: string, account: string, ttlMs: number) => !options.lease || options.lease(work, account, ttlMs);

	/** Applies a telemetry probe's answer; returns true when the account was cooled again. */
	const absorbTelemetry = (account: AccountConfig, outcome: ProbeOutcome): boolean => {
		if (!isAnswer(outcome)) {
			return false;
		}

		const {telemetry} = outcome;
		if (telemetry) {
			store.recordTelemetry(account.name, telemetry);
		}

		if (outcome.status !== 429) {
			return false;
		}

		const verdict = classifyResponse({status: 429, retryAfterMs: outcome.retryAfterMs, telemetry, accountKind: account.kind, model: undefined, nowMs: store.now(), policy});
		if (verdict.kind !== 'failover' || !verdict.cooldown) {
			return false;
		}

		applyVerdict(verdicts, account.name, verdict, {note: 'still limited after its cooldown', quiet: true});
		return true;
	};

	const onCooldownEnded = (name: string, ended: CooldownEnded) => {
		const account = byName(name);
		if (!account || stopped) {
			return;
		}

		void (async () => {
			let recooled = false;
			// Every instance of a pool sees the cooldown end; one of them probes.
			if (options.strongResume && ended.reason && quotaReasons.has(ended.reason) && await mine('resume', name, 60_000)) {
				const outcome = await prober.telemetry(account);
				recooled = outcome ? absorbTelemetry(account, outcome) : false;
			}

			if (!recooled && ended.durationMs >= resumeAlertAfterMs) {
				alerts.raise('resumed', `${name} is back online after ${Math.round(ended.durationMs / 60_000)} minutes`, name);
			}
		})();
	};

	store.on('cooldown-ended', onCooldownEnded);

	const checkHealth = async (account: AccountConfig, now: number) => {
		const failures = store.healthFailures(account.name);
		const due = (lastHealthMs.get(account.name) ?? 0) + (options.healthCheck.intervalMs * (2 ** Math.min(failures, maxBackoffExponent)));
		if (now < due) {
			return;
		}

		lastHealthMs.set(account.name, now);
		if (!await mine('health', account.name, options.healthCheck.intervalMs)) {
			return;
		}

		const outcome = await prober.health(account);
		if (!outcome) {
			return;
		}

		if (isAnswer(outcome) && outcome.status === 401) {
			countUnauthorized(verdicts, account.name);
			return;
		}

		// 429 and other 4xx prove the upstream is there; only 5xx and network failures count against it.
		const healthy = isAnswer(outcome) && outcome.status < 500;
		store.recordHealth(account.name, healthy, unhealthyAfter);
	};

	const refreshStale = async (account: AccountConfig, now: number) => {
		if (options.staleTelemetryMs <= 0 || store.cooldownUntil(account.name) > now) {
			return;
		}

		const updated = store.telemetry(account.name)?.updatedMs ?? 0;
		const lastProbe = lastStaleProbeMs.get(account.name) ?? 0;
		if (now - updated < options.staleTelemetryMs || now - lastProbe < options.staleTelemetryMs) {
			return;
		}

		lastStaleProbeMs.set(account.name, now);
		if (!await mine('stale', account.name, options.staleTelemetryMs)) {
			return;
		}

		const outcome = await prober.telemetry(account);
		if (outcome) {
			absorbTelemetry(account, outcome);
		}
	};

	const tick = async () => {
		const now = store.now();
		await Promise.all(store.accounts.map(async account => {
			if (store.isPaused(account.name) || store.accountState(account.name, now) === 'reauth') {
				return;
			}

			if (options.healthCheck.enabled) {
				await checkHealth(account, now);
			}

			await refreshStale(account, now);
		}));
	};

	const schedule = (delayMs: number) => {
		if (stopped) {
			return;
		}

		timer = setTimeout(() => {
			void tick().finally(() => schedule(options.healthCheck.intervalMs));
		}, delayMs).unref();
	};

	if (options.healthCheck.enabled || options.staleTelemetryMs > 0) {
		schedule(options.healthCheck.firstAfterMs);
	}

	return {
		stop() {
			stopped = true;
			clearTimeout(timer);
			store.off('cooldown-ended', onCooldownEnded);
		},
	};
}
