import type {BackgroundStore} from '../state/ports.js';
import type {UsageClient} from './usage-client.js';

export type UsagePollerStore = Pick<BackgroundStore, 'accounts' | 'now' | 'routingSnapshot' | 'recordTelemetry' | 'accountState' | 'telemetry'>;

export type UsagePollerOptions = {
	store: UsagePollerStore;
	client: Pick<UsageClient, 'read' | 'nextAllowedMs'>;
	/** Per account; the usage client enforces its own floor as well. Default 90 s. */
	intervalMs?: number;
	/** Up to this fraction of the interval is added at random, so accounts never poll in lockstep. */
	jitter?: number;
	/** The first round starts within this long (spread at random), so gauges fill in at start-up. */
	firstDelayMs?: number;
	random?: () => number;
};

/**
 * Keeps idle subscription accounts' gauges current from GET /api/oauth/usage, which spends no
 * tokens. An account that served a request within the interval is skipped: its response headers
 * are fresher than any poll. Polls are at least `intervalMs` apart plus jitter; a 429's retry-after
 * and the backoff after failures are honoured (the usage client remembers them).
 */
export function startUsagePoller(options: UsagePollerOptions): {stop(): void} {
	const {store, client} = options;
	const intervalMs = options.intervalMs ?? 90_000;
	const jitter = options.jitter ?? 0.2;
	const random = options.random ?? Math.random;
	const spread = () => random() * jitter * intervalMs;
	const dueMs = new Map<string, number>();
	const polling = new Set<string>();
	let timer: NodeJS.Timeout | undefined;
	let stopped = false;

	const oauthAccounts = () => store.accounts.filter(account => account.kind === 'oauth');
	const start = store.now();
	for (const account of oauthAccounts()) {
		// Telemetry saved by the previous run may still be fresh: no need to ask again yet.
		const updated = store.telemetry(account.name)?.updatedMs ?? 0;
		const fresh = updated > start - intervalMs;
		dueMs.set(account.name, fresh ? updated + intervalMs + spread() : start + (random() * (options.firstDelayMs ?? 3000)));
	}

	const poll = async (name: string) => {
		polling.add(name);
		try {
			const reading = await client.read(name);
			if (stopped) {
				return;
			}

			const now = store.now();
			if (reading.kind === 'ok') {
				// A reading from the client's memory was recorded when it was fetched.
				if (!reading.fromMemory) {
					store.recordTelemetry(name, reading.telemetry);
				}

				dueMs.set(name, Math.max(now + intervalMs, client.nextAllowedMs(name)) + spread());
			} else {
				dueMs.set(name, Math.max(reading.untilMs, now + intervalMs) + spread());
			}
		} finally {
			polling.delete(name);
			schedule();
		}
	};

	const tick = () => {
		const now = store.now();
		const lastUsed = new Map(store.routingSnapshot().accounts.map(account => [account.name, account.lastUsedMs]));
		for (const account of oauthAccounts()) {
			const {name} = account;
			if (polling.has(name) || (dueMs.get(name) ?? 0) > now) {
				continue;
			}

			const state = store.accountState(name, now);
			const used = lastUsed.get(name) ?? 0;
			if (state === 'paused' || state === 'reauth') {
				dueMs.set(name, now + intervalMs);
			} else if (used > now - intervalMs) {
				// Busy: real responses carry the same numbers in their headers.
				dueMs.set(name, used + intervalMs + spread());
			} else if (client.nextAllowedMs(name) > now) {
				dueMs.set(name, client.nextAllowedMs(name) + spread());
			} else {
				void poll(name);
			}
		}

		schedule();
	};

	function schedule(): void {
		if (stopped) {
			return;
		}

		const now = store.now();
		let next = Number.POSITIVE_INFINITY;
		for (const [name, due] of dueMs) {
			if (!polling.has(name)) {
				next = Math.min(next, due);
			}
		}

		clearTimeout(timer);
		timer = undefined;
		if (Number.isFinite(next)) {
			// Timers longer than ~24.8 days overflow; a retry-after is never that long anyway.
			timer = setTimeout(tick, Math.min(Math.max(10, next - now), 86_400_000)).unref();
		}
	}

	schedule();
	return {
		stop() {
			stopped = true;
			clearTimeout(timer);
		},
	};
}
