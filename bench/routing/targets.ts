// Where the workload's requests go: shunt's real proxy in this process (its store and its holds on
// the virtual clock), or the round-robin baseline, a bench-only client that sends each request
// straight to the simulator with the next account's credential in turn and retries nothing.
import {StaticAuthProvider} from '../../source/accounts/auth-provider.js';
import {defaultSettings} from '../../source/accounts/settings.js';
import type {AccountConfig, Credential} from '../../source/accounts/types.js';
import {Alerts} from '../../source/alerts/alerts.js';
import {defaultFailurePolicy} from '../../source/failover/failure-policy.js';
import {startProxy} from '../../source/proxy/server.js';
import type {StrategyName} from '../../source/routing/strategy-names.js';
import {StateStore, type StoreSettings} from '../../source/state/store.js';
import {HttpClient, type Answer} from './client.js';
import {credentialOf, type PoolAccount} from './config.js';
import type {VirtualClock} from './virtual-clock.js';

export type Target = {
	send(body: Record<string, unknown>, requestId: string): Promise<Answer>;
	close(): Promise<void>;
};

/** What Claude Code sends besides its body (no credential: shunt adds the account's). */
const clientHeaders = (requestId: string): Record<string, string> => ({
	'anthropic-version': '2023-06-01',
	'anthropic-beta': 'claude-code-20250219,oauth-2025-04-20',
	'user-agent': 'claude-cli/2.1.0 (external, cli)',
	'x-app': 'cli',
	'x-request-id': requestId,
});

const sixtyDaysMs = 60 * 86_400_000;

export type ShuntOptions = {
	upstream: string;
	pool: PoolAccount[];
	strategy: StrategyName;
	stickyTtlMs: number;
	burstRpmLimit: number;
	clock: VirtualClock;
};

/** shunt with the settings' defaults except those given, on the virtual clock, with no background work. */
export async function startShunt(options: ShuntOptions): Promise<Target> {
	const accounts: AccountConfig[] = options.pool.map(account => ({name: account.name, kind: 'oauth', plan: account.plan}));
	const credentials: Record<string, Credential> = {};
	for (const account of options.pool) {
		credentials[account.name] = {type: 'oauth', accessToken: credentialOf(account), refreshToken: `${credentialOf(account)}-refresh`, expiresAt: options.clock.now() + sixtyDaysMs};
	}

	const settings: StoreSettings = {
		strategy: options.strategy,
		burstRpmLimit: options.burstRpmLimit,
		stickyTtlMs: options.stickyTtlMs,
		expirySoonSeconds: defaultSettings.expirySoonMinutes * 60,
		fallbackModel: defaultSettings.fallbackModel,
	};
	const store = new StateStore({accounts, settings, version: 'routing-bench', now: options.clock.now, notifyIntervalMs: 1000});
	const proxy = await startProxy({
		store,
		auth: new StaticAuthProvider(accounts, credentials),
		alerts: new Alerts(store),
		upstream: options.upstream,
		host: '127.0.0.1',
		port: 0,
		policy: defaultFailurePolicy,
		maxHoldMs: defaultSettings.maxHoldSeconds * 1000,
		sleep: options.clock.hold,
		firstByteTimeoutMs: defaultSettings.firstByteTimeoutSeconds * 1000,
		requestDeadlineMs: defaultSettings.requestDeadlineSeconds * 1000,
		nonStreamingTimeoutMs: defaultSettings.nonStreamingTimeoutSeconds * 1000,
		upstreamIdleTimeoutMs: defaultSettings.upstreamIdleTimeoutSeconds * 1000,
		clientIdleTimeoutMs: defaultSettings.clientIdleTimeoutSeconds * 1000,
	});
	const client = new HttpClient();
	return {
		async send(body, requestId) {
			return client.post(`${proxy.url}/v1/messages`, body, clientHeaders(requestId));
		},
		async close() {
			client.close();
			await proxy.close(1000);
			store.close();
		},
	};
}

/** The naive baseline: account 1, 2, 3, 4, 1, … whatever their windows say, and whatever comes back goes to the client. */
export function roundRobin(upstream: string, pool: PoolAccount[]): Target {
	const client = new HttpClient();
	let next = 0;
	return {
		async send(body, requestId) {
			const account = pool[next++ % pool.length]!;
			const answer = await client.post(`${upstream}/v1/messages`, body, {...clientHeaders(requestId), authorization: `Bearer ${credentialOf(account)}`});
			// shunt names the account that served; the baseline says it the same way.
			return {status: answer.status, headers: {...answer.headers, 'x-shunt-account': account.name}};
		},
		async close() {
			client.close();
		},
	};
}
