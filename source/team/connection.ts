// The two Redis connections of team mode (commands, and the pub/sub subscriber, which Redis keeps
// apart) and whether Redis can be reached. Losing Redis is normal: commands fail at once instead
// of queueing (the sync reconciles when Redis is back), every command has a timeout, and the
// clients reconnect forever, at most every two seconds. Credentials come from the URL only and
// appear in no message; rediss:// connects with TLS and verifies the server's certificate.
import {isIP} from 'node:net';
import type {ConnectionOptions} from 'node:tls';
import {Redis, type RedisOptions} from 'ioredis';
import type {TeamConfig} from './team-config.js';

export type RedisState = 'connected' | 'unreachable';

export type ConnectionOptionsOverrides = {
	/** Extra TLS options (a test's own CA); the system's CAs and NODE_EXTRA_CA_CERTS apply otherwise. */
	tls?: ConnectionOptions;
	commandTimeoutMs?: number;
	connectTimeoutMs?: number;
	/** Longest pause between reconnection attempts. */
	maxRetryDelayMs?: number;
};

/** The ioredis options for a target, exported so a test can check what reaches the client. */
export function redisOptions(config: Pick<TeamConfig, 'redis' | 'instanceName'>, overrides: ConnectionOptionsOverrides = {}): RedisOptions {
	const {redis} = config;
	const maxDelay = overrides.maxRetryDelayMs ?? 2000;
	return {
		host: redis.host,
		port: redis.port,
		db: redis.db,
		...(redis.username === undefined ? {} : {username: redis.username}),
		...(redis.password === undefined ? {} : {password: redis.password}),
		// SNI only for names: an IP address as servername is refused by TLS.
		...(redis.tls ? {tls: {...(isIP(redis.host) ? {} : {servername: redis.host}), ...overrides.tls}} : {}),
		connectionName: `shunt:${config.instanceName}`,
		lazyConnect: true,
		enableOfflineQueue: false,
		maxRetriesPerRequest: 1,
		autoResubscribe: false,
		connectTimeout: overrides.connectTimeoutMs ?? 3000,
		commandTimeout: overrides.commandTimeoutMs ?? 3000,
		retryStrategy: (times: number) => Math.min(100 * times, maxDelay),
	};
}

/** Short, secret-free text for why Redis is not reachable. */
export function describeRedisError(error: unknown): string {
	const text = error instanceof Error ? error.message : String(error);
	// ioredis messages carry host:port at most; cut them short for one log line anyway.
	return text.replaceAll(/\s+/g, ' ').slice(0, 160);
}

/**
 * Both connections, and one state for them: connected once the command client is ready and the
 * subscriber listens on the channel; unreachable as soon as either goes. onChange is told every
 * flip; onMessage every message on the channel.
 */
export class TeamConnection {
	readonly commands: Redis;
	readonly subscriber: Redis;
	readonly #channel: string;
	readonly #onChange: (state: RedisState, why?: string) => void;
	#state: RedisState = 'unreachable';
	#commandsReady = false;
	#subscribed = false;
	#closed = false;
	#lastError: string | undefined;

	constructor(options: RedisOptions, channel: string, handlers: {onChange: (state: RedisState, why?: string) => void; onMessage: (message: Buffer) => void}) {
		this.#channel = channel;
		this.#onChange = handlers.onChange;
		this.commands = new Redis(options);
		this.subscriber = new Redis(options);
		for (const client of [this.commands, this.subscriber]) {
			// Without a listener ioredis prints every failed reconnect; the state says it once.
			client.on('error', error => {
				this.#lastError = describeRedisError(error);
			});
		}

		this.commands.on('ready', () => {
			this.#commandsReady = true;
			this.#update();
		});
		this.commands.on('close', () => {
			this.#commandsReady = false;
			this.#update();
		});
		this.subscriber.on('ready', () => {
			this.subscriber.subscribe(this.#channel).then(() => {
				this.#subscribed = true;
				this.#update();
			}, (error: unknown) => {
				this.#lastError = describeRedisError(error);
			});
		});
		this.subscriber.on('close', () => {
			this.#subscribed = false;
			this.#update();
		});
		this.subscriber.on('messageBuffer', (channel: Buffer, message: Buffer) => {
			if (channel.toString() === this.#channel) {
				handlers.onMessage(message);
			}
		});
	}

	get state(): RedisState {
		return this.#state;
	}

	/** Starts connecting (and reconnecting for as long as this lives). */
	connect(): void {
		for (const client of [this.commands, this.subscriber]) {
			client.connect().catch((error: unknown) => {
				this.#lastError = describeRedisError(error);
			});
		}
	}

	/** Closes both connections: quit politely when connected, else just drop them. */
	async close(): Promise<void> {
		this.#closed = true;
		await Promise.all([this.commands, this.subscriber].map(async client => {
			if (client.status === 'ready') {
				await client.quit().catch(() => client.disconnect());
			} else {
				client.disconnect();
			}
		}));
	}

	#update(): void {
		if (this.#closed) {
			return;
		}

		const next: RedisState = this.#commandsReady && this.#subscribed ? 'connected' : 'unreachable';
		if (next !== this.#state) {
			this.#state = next;
			this.#onChange(next, next === 'unreachable' ? this.#lastError : undefined);
		}
	}
}
