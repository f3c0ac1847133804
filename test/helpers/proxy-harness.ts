import type {AuthProvider} from '../../source/accounts/auth-provider.js';
import {StaticAuthProvider} from '../../source/accounts/auth-provider.js';
import {Alerts} from '../../source/alerts/alerts.js';
import {defaultFailurePolicy, type FailurePolicy} from '../../source/failover/failure-policy.js';
import type {OpenAiDoorOptions} from '../../source/openai/door.js';
import {startProxy, type ProxyServer, type ProxyServerOptions} from '../../source/proxy/server.js';
import {StateStore, type StoreSettings} from '../../source/state/store.js';
import type {AccountConfig, Credential} from '../../source/accounts/types.js';

export type Harness = {
	store: StateStore;
	proxy: ProxyServer;
	url: string;
	alerts: Array<{title: string; body: string}>;
	close(): Promise<void>;
	post(body: unknown, headers?: Record<string, string>, path?: string): Promise<Response>;
};

export type HarnessOptions = {
	upstream: string;
	accounts: Array<AccountConfig & {secret: string}>;
	settings?: Partial<StoreSettings>;
	policy?: Partial<FailurePolicy>;
	maxHoldMs?: number;
	firstByteTimeoutMs?: number;
	requestDeadlineMs?: number;
	nonStreamingTimeoutMs?: number;
	upstreamIdleTimeoutMs?: number;
	clientIdleTimeoutMs?: number;
	allowedOrigins?: string[];
	extraForwardedPaths?: string[];
	openai?: OpenAiDoorOptions;
	clientKey?: string;
	auth?: (accounts: AccountConfig[], credentials: Record<string, Credential>) => AuthProvider;
	stateFile?: string;
	/** history.db: with it the store keeps (and, restarted on the same file, starts from) a history. */
	historyFile?: string;
	/** The store's clock (default the wall's). */
	now?: () => number;
	/** Waits out holds (default a real timer). */
	sleep?: ProxyServerOptions['sleep'];
};

/** shunt's proxy in this process (real sockets on 127.0.0.1), so tests can read its store directly. */
export async function startHarness(options: HarnessOptions): Promise<Harness> {
	const accounts: AccountConfig[] = options.accounts.map(({secret: _secret, ...account}) => account);
	const credentials: Record<string, Credential> = {};
	for (const account of options.accounts) {
		credentials[account.name] = account.kind === 'apikey'
			? {type: 'apikey', key: account.secret}
			: {type: 'oauth', accessToken: account.secret, refreshToken: `${account.secret}-refresh`, expiresAt: Date.now() + 3_600_000};
	}

	const store = new StateStore({
		accounts,
		settings: {strategy: 'maximus', burstRpmLimit: 10, stickyTtlMs: 600_000, expirySoonSeconds: 1800, fallbackModel: null, ...options.settings},
		version: 'test',
		stateFile: options.stateFile,
		historyFile: options.historyFile,
		now: options.now,
		notifyIntervalMs: 10,
	});
	const alerts: Array<{title: string; body: string}> = [];
	const proxy = await startProxy({
		store,
		auth: options.auth ? options.auth(accounts, credentials) : new StaticAuthProvider(accounts, credentials),
		alerts: new Alerts(store, (title, body) => alerts.push({title, body})),
		upstream: options.upstream,
		host: '127.0.0.1',
		port: 0,
		policy: {...defaultFailurePolicy, ...options.policy},
		maxHoldMs: options.maxHoldMs ?? 240_000,
		sleep: options.sleep,
		firstByteTimeoutMs: options.firstByteTimeoutMs ?? 600_000,
		requestDeadlineMs: options.requestDeadlineMs,
		nonStreamingTimeoutMs: options.nonStreamingTimeoutMs,
		upstreamIdleTimeoutMs: options.upstreamIdleTimeoutMs,
		clientIdleTimeoutMs: options.clientIdleTimeoutMs,
		allowedOrigins: options.allowedOrigins,
		extraForwardedPaths: options.extraForwardedPaths,
		openai: options.openai,
		clientKey: options.clientKey,
	});
	return {
		store,
		proxy,
		url: proxy.url,
		alerts,
		async close() {
			await proxy.close(1000);
			store.close();
		},
		post(body, headers = {}, path = '/v1/messages') {
			return fetch(`${proxy.url}${path}`, {
				method: 'POST',
				headers: {'content-type': 'application/json', 'anthropic-version': '2023-06-01', ...headers},
				body: JSON.stringify(body),
			});
		},
	};
}

export function message(overrides: Record<string, unknown> = {}) {
	return {model: 'claude-sonnet-4-6', max_tokens: 32, messages: [{role: 'user', content: 'hello'}], ...overrides};
}
