import type {AddressInfo} from 'node:net';
import {type AuthProvider, StaticAuthProvider} from '../accounts/auth-provider.js';
import {OAuthAuthProvider} from '../accounts/oauth/oauth-auth-provider.js';
import type {Settings} from '../accounts/settings.js';
import {Alerts, terminalAlertSink} from '../alerts/alerts.js';
import {allSinks, desktopAlertSink} from '../alerts/desktop-notifier.js';
import {startBackgroundWork} from '../background/background-work.js';
import {UpstreamProber} from '../background/prober.js';
import {UsageClient} from '../background/usage-client.js';
import {startUsagePoller} from '../background/usage-poller.js';
import {defaultFailurePolicy} from '../failover/failure-policy.js';
import {StartupError, startProxy, type ProxyServer} from '../proxy/server.js';
import {snapshotStreams} from '../proxy/snapshot-stream.js';
import type {InstanceLock} from '../state/instance-lock.js';
import {HistoryTooNewError} from '../history/database.js';
import {defaultHistoryWindow} from '../monitor/contract.js';
import {StateFileError} from '../state/persisted-state.js';
import {StateStore} from '../state/store.js';
import type {AccountConfig, Credential} from '../accounts/types.js';
import type {StrategyName} from '../routing/strategies.js';
import type {TeamMode} from '../team/team.js';
import {version} from '../version.js';
import {terminalSafe} from '../util/terminal-safe.js';
import {UserError} from '../util/user-error.js';
import {takeLock} from './lock.js';
import {attachLogFile} from './log-file.js';

export type StartOptions = {
	host: string;
	port: number;
	upstream: string;
	strategy?: StrategyName;
	headless: boolean;
	clientKey?: string;
};

/** Everything a running shunt is made of; the demo builds one of these around its simulator. */
export type Runtime = {
	accounts: AccountConfig[];
	credentials: Record<string, Credential>;
	settings: Settings;
	/** Where state.json lives; its shunt.lock keeps a second shunt from sharing it. */
	dataDir: string;
	stateFile: string;
	/** history.db; unset: no history (the log and savings stay in memory and state.json). */
	historyFile?: string;
	/** credentials.json of real accounts: renewed OAuth tokens are saved there (unset: no renewal). */
	credentialsFile?: string;
	demo: boolean;
	auth?: AuthProvider;
	/** Called once the proxy listens (the demo starts its traffic here). */
	onListening?: (url: string, store: StateStore) => void;
	/** Called during shutdown, after state is flushed. */
	onShutdown?: () => Promise<void>;
	/** Team mode (SHUNT_REDIS_URL set): the environment it reads and where team.key may live. */
	team?: {env: Readonly<Record<string, string | undefined>>; configDir: string};
};

function openStore(runtime: Runtime, options: StartOptions): StateStore {
	try {
		return new StateStore({
			accounts: runtime.accounts,
			settings: {
				strategy: options.strategy ?? runtime.settings.strategy,
				burstRpmLimit: runtime.settings.burstRpmLimit,
				stickyTtlMs: runtime.settings.stickyTtlMinutes * 60_000,
				expirySoonSeconds: runtime.settings.expirySoonMinutes * 60,
				fallbackModel: runtime.settings.fallbackModel,
			},
			version,
			stateFile: runtime.stateFile,
			// historyRetentionDays 0: the user keeps no history; the ring lives in memory only.
			historyFile: runtime.settings.historyRetentionDays > 0 ? runtime.historyFile : undefined,
			historyRetentionDays: runtime.settings.historyRetentionDays,
			demo: runtime.demo,
		});
	} catch (error) {
		if (error instanceof StateFileError || error instanceof HistoryTooNewError) {
			throw new UserError(error.message);
		}

		throw error;
	}
}

export type Running = {
	store: StateStore;
	url: string;
	/**
	 * Stops accepting, lets in-flight requests finish (bounded), stops background work, flushes
	 * state. Resolves with the last line to show (where state was saved, or why it was not).
	 */
	stop(): Promise<Farewell>;
};

export type Farewell = {
	line: string;
	/** False when state could not be written: the exit code says so too. */
	saved: boolean;
};

/**
 * Starts everything but the screen: the store, the proxy, token upkeep and background work. The
 * monitor runs this in a worker thread (so drawing never delays a request); headless mode runs it
 * on the main thread.
 */
export async function startRuntime(runtime: Runtime, options: StartOptions): Promise<Running> {
	let lock: InstanceLock | undefined;
	let store: StateStore;
	try {
		// Before state.json is read: a second shunt on it would overwrite the first one's state.
		lock = takeLock(runtime.dataDir, options.host);
		store = openStore(runtime, options);
	} catch (error) {
		lock?.release();
		await runtime.onShutdown?.();
		throw error;
	}

	const heldLock = lock;
	// First, so the load warning below is in the file too.
	const logFile = attachLogFile(store, {
		directory: runtime.dataDir,
		retentionDays: runtime.settings.logRetentionDays,
		onError(message) {
			store.addEvent('info', message);
		},
	});

	if (store.loadWarning) {
		store.addEvent('info', `warning: ${store.loadWarning}`);
	}

	for (const account of runtime.accounts) {
		if (!runtime.credentials[account.name]) {
			store.setAuthFailed(account.name, true);
		}
	}

	let team: TeamMode | undefined;
	if (runtime.team) {
		try {
			// Loaded only in team mode: without SHUNT_REDIS_URL no Redis client is even imported.
			const {startTeam} = await import('../team/team.js');
			team = await startTeam({
				store, env: runtime.team.env, configDir: runtime.team.configDir, dataDir: runtime.dataDir, version,
			});
		} catch (error) {
			store.close();
			await logFile.close();
			heldLock.release();
			await runtime.onShutdown?.();
			throw error;
		}
	}

	// Attached monitors (`shunt monitor`) read the store through these streams and ring on its alerts.
	const streams = snapshotStreams(store);
	// Alerts reach the desktop in every mode (headless and a service have no terminal to ring),
	// the monitor's terminal when it has one, and every attached monitor's terminal.
	// The demo's rate limits are staged every minute: no pop-ups for those.
	const desktop = runtime.settings.desktopNotifications && !runtime.demo ? desktopAlertSink() : undefined;
	const alerts = new Alerts(store, allSinks(desktop, options.headless ? undefined : terminalAlertSink(), streams.alert));
	// Subscription logins are kept alive (refresh, rotation, reauth) whenever their tokens can be saved.
	const oauth = !runtime.auth && runtime.credentialsFile
		? new OAuthAuthProvider({
			accounts: runtime.accounts, credentials: runtime.credentials, credentialsFile: runtime.credentialsFile, store, alerts, shared: team?.logins,
		})
		: undefined;
	const auth = runtime.auth ?? oauth ?? new StaticAuthProvider(runtime.accounts, runtime.credentials);
	let proxy: ProxyServer;
	try {
		proxy = await startProxy({
			store,
			auth,
			alerts,
			upstream: options.upstream,
			host: options.host,
			port: options.port,
			clientKey: options.clientKey,
			maxHoldMs: runtime.settings.maxHoldSeconds * 1000,
			firstByteTimeoutMs: runtime.settings.firstByteTimeoutSeconds * 1000,
			requestDeadlineMs: runtime.settings.requestDeadlineSeconds * 1000,
			nonStreamingTimeoutMs: runtime.settings.nonStreamingTimeoutSeconds * 1000,
			upstreamIdleTimeoutMs: runtime.settings.upstreamIdleTimeoutSeconds * 1000,
			clientIdleTimeoutMs: runtime.settings.clientIdleTimeoutSeconds * 1000,
			allowedOrigins: runtime.settings.allowedOrigins,
			extraForwardedPaths: runtime.settings.extraForwardedPaths,
			streams,
			openai: {modelMap: runtime.settings.openaiModelMap, allowSubscriptions: runtime.settings.openaiAllowSubscriptions},
		});
	} catch (error) {
		await team?.stop();
		store.close();
		await logFile.close();
		heldLock.release();
		await runtime.onShutdown?.();
		if (error instanceof StartupError) {
			throw new UserError(error.message);
		}

		const message = listenErrorMessage(error as NodeJS.ErrnoException, options.host, options.port);
		if (message) {
			throw new UserError(message);
		}

		throw error;
	}

	heldLock.setAddress(proxy.url, (proxy.server.address() as AddressInfo).port);
	oauth?.start();
	const {settings} = runtime;
	// One usage client for the poller and the prober: one memory of the endpoint's penalties.
	const usage = new UsageClient({upstream: options.upstream, auth, lease: team?.lease});
	const usagePoller = startUsagePoller({store, client: usage});
	const background = startBackgroundWork({
		store,
		prober: new UpstreamProber(options.upstream, auth, undefined, usage),
		alerts,
		policy: defaultFailurePolicy,
		strongResume: settings.strongResumeEnabled,
		healthCheck: {
			enabled: settings.healthCheckEnabled,
			firstAfterMs: settings.healthCheckFirstAfterSeconds * 1000,
			intervalMs: settings.healthCheckIntervalSeconds * 1000,
		},
		staleTelemetryMs: settings.staleTelemetryMinutes * 60_000,
		lease: team?.lease,
	});
	// The history pane has data from the start when there is a screen to draw it on.
	if (!options.headless) {
		store.setHistoryWindow(defaultHistoryWindow);
	}

	runtime.onListening?.(proxy.url, store);

	let stopping: Promise<Farewell> | undefined;
	return {
		store,
		url: proxy.url,
		async stop() {
			stopping ??= (async () => {
				background.stop();
				usagePoller.stop();
				oauth?.stop();
				await proxy.close(10_000);
				// What the last requests changed still reaches the pool; then this instance leaves it.
				await team?.stop();
				// State is flushed before the runtime's own teardown: the demo deletes its directory there.
				const farewell = closeStore(store, runtime);
				await logFile.close();
				heldLock.release();
				await runtime.onShutdown?.();
				return farewell;
			})();
			return stopping;
		},
	};
}

/** Flushes and closes the store; says where state went, or why it could not be saved. */
function closeStore(store: StateStore, runtime: Runtime): Farewell {
	const file = terminalSafe(runtime.stateFile);
	try {
		store.close();
	} catch (error) {
		return {line: `shunt stopped; state could not be saved to ${file}: ${terminalSafe((error as Error).message)}`, saved: false};
	}

	return {line: runtime.demo ? 'shunt stopped; the demo keeps no state' : `shunt stopped; state saved to ${file}`, saved: true};
}

/** Why listening failed, for the errors a user can fix; undefined for any other. */
export function listenErrorMessage(error: NodeJS.ErrnoException, host: string, port: number): string | undefined {
	const address = `${host.includes(':') ? `[${host}]` : host}:${port}`;
	switch (error.code) {
		case 'EADDRINUSE': {
			return `port ${port} on ${host} is already in use — is another shunt running? (\`shunt status\`, or start this one with --port)`;
		}

		case 'EACCES': {
			return port < 1024
				? `cannot listen on ${address}: permission denied (ports below 1024 need privileges); use --port with a higher port`
				: `cannot listen on ${address}: permission denied; use another --port or --host`;
		}

		case 'EADDRNOTAVAIL': {
			return `cannot listen on ${address}: this machine has no such address; use --host with one of its own addresses (default 127.0.0.1)`;
		}

		case 'ENOTFOUND':
		case 'EAI_AGAIN': {
			return `cannot listen on ${address}: no such host; use --host with an address of this machine (default 127.0.0.1)`;
		}

		default: {
			return undefined;
		}
	}
}
