// Team mode (SHUNT_REDIS_URL), put together: the connection, the sync of shared state, presence,
// pooled savings, shared logins and leases, attached to the local store. The runtime loads this
// file only when the variable is set. Requests never wait for Redis: the store stays the local
// copy routing reads, and Redis is told behind each request. Start-up waits a moment for the
// first reconcile so a new instance knows the pool before its first request, then carries on
// without Redis if it is not there.
import type {SharedLogins} from '../accounts/oauth/shared-logins.js';
import type {StateStore} from '../state/store.js';
import {TeamConnection, describeRedisError, type ConnectionOptionsOverrides, type RedisState, redisOptions} from './connection.js';
import {keys} from './keys.js';
import {Leases} from './leases.js';
import {Presence} from './presence.js';
import {PoolSavings} from './savings-sync.js';
import {PoolSync} from './sync.js';
import {teamConfig} from './team-config.js';
import {tokenKey} from './token-cipher.js';
import {TokenShare} from './token-share.js';

export type TeamStartOptions = {
	store: StateStore;
	env: Readonly<Record<string, string | undefined>>;
	configDir: string;
	dataDir: string;
	version: string;
	/** How long start-up waits for Redis before serving on local state. */
	connectWaitMs?: number;
	connection?: ConnectionOptionsOverrides;
	/** The refresh lease's time limit (tests shorten it). */
	refreshLeaseMs?: number;
};

/** Should this instance do `work` for `account` now (one instance per interval)? */
export type BackgroundLease = (work: string, account: string, ttlMs: number) => Promise<boolean>;

export type TeamMode = {
	logins: SharedLogins;
	lease: BackgroundLease;
	readonly name: string;
	readonly redis: RedisState;
	/** Leaves the pool: flushes what is queued (bounded), says bye, closes the connections. */
	stop(): Promise<void>;
};

export async function startTeam(options: TeamStartOptions): Promise<TeamMode> {
	const {store} = options;
	// Throws the UserError for a bad URL or a missing key before anything connects.
	const config = teamConfig(options.env, {configDir: options.configDir, dataDir: options.dataDir});
	const {instanceId, instanceName} = config;
	const oauthAccounts = store.accounts.filter(account => account.kind === 'oauth').map(account => account.name);
	let reconciled: Promise<void> = Promise.resolve();
	let firstReady: (() => void) | undefined;
	const ready = new Promise<void>(resolve => {
		firstReady = resolve;
	});
	let joined = false;
	let stopping = false;
	let savingsSoon: NodeJS.Timeout | undefined;
	let retryTimer: NodeJS.Timeout | undefined;
	let failedReconciles = 0;

	const connection: TeamConnection = new TeamConnection(redisOptions(config, options.connection), keys.channel, {
		onChange(state: RedisState, why?: string) {
			store.teamChanged();
			if (stopping) {
				return;
			}

			if (state === 'connected') {
				clearTimeout(retryTimer);
				failedReconciles = 0;
				reconciled = reconciled.then(reconcile, reconcile);
			} else {
				store.addEvent('info', `team: Redis at ${config.display} is unreachable${why ? ` (${why})` : ''}; serving on local state`);
			}
		},
		onMessage(bytes: Buffer) {
			const checked = sync.received(bytes);
			if (!checked) {
				return;
			}

			presence.heard(checked);
			if (checked.requests.length > 0) {
				// Their savings grew: read them soon rather than at the next heartbeat.
				savingsSoon ??= setTimeout(() => {
					savingsSoon = undefined;
					void savings.refresh().then(() => store.teamChanged(), () => undefined);
				}, 250).unref();
			}

			if (checked.token) {
				tokens.received(checked.token.account, checked.token.sealed, checked.name);
			}
		},
	});
	const leases = new Leases(connection, instanceId);
	const tokens = new TokenShare({
		connection,
		leases,
		key: tokenKey(config.key),
		instanceId,
		instanceName,
		accounts: oauthAccounts,
		warn: (message, account) => store.addEvent('auth', message, account),
		leaseMs: options.refreshLeaseMs,
	});
	const sync = new PoolSync({store, connection, instanceId, instanceName});
	const savings = new PoolSavings(connection, instanceId, store);
	const presence = new Presence({
		connection,
		instanceId,
		instanceName,
		version: options.version,
		startedMs: store.startedMs,
		onChange: () => store.teamChanged(),
		onBeat: () => {
			void savings.refresh().then(() => store.teamChanged(), () => undefined);
		},
	});

	async function reconcile(): Promise<void> {
		if (connection.state !== 'connected' || stopping) {
			return;
		}

		try {
			await sync.reconcile();
			// Read and cleared in one turn: increments already counted in the seed must not be sent again.
			sync.dropQueuedSavings();
			await savings.seed();
			await tokens.reconcile();
			await presence.hello();
			await savings.refresh();
			const others = presence.list().length - 1;
			store.addEvent('info', joined
				? `team: Redis at ${config.display} is back; state reconciled`
				: `team: joined the pool at ${config.display} as ${instanceName}${others > 0 ? ` with ${others} other instance${others === 1 ? '' : 's'}` : ''}`);
			joined = true;
			failedReconciles = 0;
		} catch (error) {
			// The connection may well stay up (a slow command, a key of the wrong type): try again
			// after a while, backing off to a minute, rather than waiting for a reconnection.
			const delayMs = Math.min(60_000, 1000 * (2 ** Math.min(failedReconciles++, 6)));
			store.addEvent('info', `team: reconciling with Redis at ${config.display} failed (${describeRedisError(error)}); retrying in ${Math.round(delayMs / 1000)}s`);
			clearTimeout(retryTimer);
			retryTimer = setTimeout(() => {
				reconciled = reconciled.then(reconcile, reconcile);
			}, delayMs).unref();
		} finally {
			store.teamChanged();
			firstReady?.();
			firstReady = undefined;
		}
	}

	store.attachTeam({
		shared: sync.shared,
		view: () => ({
			self: instanceName,
			instances: presence.list(),
			redis: connection.state,
			requests: sync.remoteRequests,
			events: sync.remoteEvents,
		}),
		poolSavings: local => savings.summary(local),
	});
	connection.connect();
	presence.start();
	const waitMs = options.connectWaitMs ?? 2000;
	let timer: NodeJS.Timeout | undefined;
	await Promise.race([ready, new Promise<void>(resolve => {
		timer = setTimeout(resolve, waitMs);
	})]);
	clearTimeout(timer);
	if (!joined && connection.state !== 'connected') {
		store.addEvent('info', `team: Redis at ${config.display} is not reachable yet; serving on local state until it is`);
	}

	return {
		logins: tokens,
		lease: leases.claim,
		name: instanceName,
		get redis() {
			return connection.state;
		},
		async stop() {
			stopping = true;
			clearTimeout(savingsSoon);
			clearTimeout(retryTimer);
			let flushTimer: NodeJS.Timeout | undefined;
			const bounded = async (work: Promise<unknown>) => Promise.race([work.catch(() => undefined), new Promise(resolve => {
				flushTimer = setTimeout(resolve, 1000);
			})]).finally(() => clearTimeout(flushTimer));
			await bounded(sync.flush());
			await bounded(presence.leave());
			sync.close();
			store.attachTeam(undefined);
			await connection.close();
		},
	};
}
