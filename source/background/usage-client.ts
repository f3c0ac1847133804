import type {AuthProvider} from '../accounts/auth-provider.js';
import {oauthBeta} from '../anthropic/constants.js';
import {parseRetryAfterMs} from '../anthropic/rate-limit-headers.js';
import type {RateLimitTelemetry} from '../anthropic/telemetry.js';
import {version} from '../version.js';
import {parseUsageResponse} from '../anthropic/usage-endpoint.js';

export type UsageReading = (
	| {kind: 'ok'; telemetry: RateLimitTelemetry; atMs: number}
	/** The endpoint said not yet (429), or we are still waiting out its penalty or our backoff. */
	| {kind: 'throttled'; untilMs: number}
	/** 401/403: the token (or its scopes) is not accepted here; says nothing about /v1/messages. */
	| {kind: 'refused'; status: number; untilMs: number}
	| {kind: 'failed'; status?: number; message: string; untilMs: number}
) & {
	/** Answered from memory, without asking the endpoint. */
	fromMemory?: boolean;
};

export type UsageClientOptions = {
	upstream: string | URL;
	auth: Pick<AuthProvider, 'credential'>;
	now?: () => number;
	/** Never ask about one account more often than this, whoever asks. */
	minIntervalMs?: number;
	/** Longest backoff after failures (a retry-after longer than this is still honoured). */
	maxBackoffMs?: number;
	timeoutMs?: number;
	/**
	 * Team mode: may this instance ask about the account now? One instance of the pool polls an
	 * account per interval; the others learn its answer through the shared telemetry.
	 */
	lease?: (work: string, account: string, ttlMs: number) => Promise<boolean>;
};

type Memory = {
	last?: UsageReading & {kind: 'ok'};
	/** Earliest next request. */
	nextMs: number;
	failures: number;
	inFlight?: Promise<UsageReading>;
};

/**
 * The one door to GET /api/oauth/usage, shared by the poller and the prober. The endpoint
 * punishes polling with growing retry-after penalties, so this remembers per account when it may
 * ask again — honouring retry-after, backing off after failures — and answers from memory in
 * between. It spends no message tokens.
 */
export class UsageClient {
	readonly #url: URL;
	readonly #auth: UsageClientOptions['auth'];
	readonly #now: () => number;
	readonly #minIntervalMs: number;
	readonly #maxBackoffMs: number;
	readonly #timeoutMs: number;
	readonly #lease: UsageClientOptions['lease'];
	readonly #memory = new Map<string, Memory>();

	constructor(options: UsageClientOptions) {
		this.#url = new URL('/api/oauth/usage', options.upstream);
		this.#auth = options.auth;
		this.#now = options.now ?? Date.now;
		this.#minIntervalMs = options.minIntervalMs ?? 90_000;
		this.#maxBackoffMs = options.maxBackoffMs ?? 60 * 60_000;
		this.#timeoutMs = options.timeoutMs ?? 10_000;
		this.#lease = options.lease;
	}

	/** When the account may be asked about next (epoch ms). */
	nextAllowedMs(account: string): number {
		return this.#memory.get(account)?.nextMs ?? 0;
	}

	/**
	 * The account's usage: fetched when allowed, else the last good reading while it is recent,
	 * else why not. Concurrent callers share one request.
	 */
	async read(account: string): Promise<UsageReading> {
		const memory = this.#memory.get(account) ?? {nextMs: 0, failures: 0};
		this.#memory.set(account, memory);
		if (memory.inFlight) {
			return memory.inFlight;
		}

		const now = this.#now();
		if (now < memory.nextMs) {
			return memory.last && now - memory.last.atMs < this.#minIntervalMs ? {...memory.last, fromMemory: true} : {kind: 'throttled', untilMs: memory.nextMs, fromMemory: true};
		}

		memory.inFlight = this.#leasedFetch(account, memory).finally(() => {
			memory.inFlight = undefined;
		});
		return memory.inFlight;
	}

	/** Another instance of the pool has this interval's poll: wait it out as if throttled. */
	async #leasedFetch(account: string, memory: Memory): Promise<UsageReading> {
		if (this.#lease && !await this.#lease('usage', account, this.#minIntervalMs)) {
			memory.nextMs = this.#now() + this.#minIntervalMs;
			return {kind: 'throttled', untilMs: memory.nextMs, fromMemory: true};
		}

		return this.#fetch(account, memory);
	}

	#backoff(memory: Memory, atLeastMs = 0): number {
		memory.failures++;
		const backoff = Math.min(this.#maxBackoffMs, this.#minIntervalMs * (2 ** memory.failures));
		memory.nextMs = this.#now() + Math.max(backoff, atLeastMs);
		return memory.nextMs;
	}

	async #fetch(account: string, memory: Memory): Promise<UsageReading> {
		let response: Response;
		let body: unknown;
		try {
			const credential = await this.#auth.credential(account);
			response = await fetch(this.#url, {
				headers: {
					authorization: `Bearer ${credential.secret}`,
					'anthropic-beta': oauthBeta,
					accept: 'application/json',
					'user-agent': `shunt/${version} (usage)`,
				},
				redirect: 'error',
				signal: AbortSignal.timeout(this.#timeoutMs),
			});
			body = await response.json().catch(() => undefined);
		} catch (error) {
			const cause = (error as {cause?: {code?: string}}).cause?.code;
			return {kind: 'failed', message: cause ?? (error as Error).message, untilMs: this.#backoff(memory)};
		}

		const now = this.#now();
		if (response.status === 429) {
			const retryAfter = parseRetryAfterMs(response.headers.get('retry-after') ?? undefined, now) ?? 0;
			return {kind: 'throttled', untilMs: this.#backoff(memory, retryAfter)};
		}

		if (response.status === 401 || response.status === 403) {
			return {kind: 'refused', status: response.status, untilMs: this.#backoff(memory)};
		}

		const telemetry = response.ok ? parseUsageResponse(body, now) : undefined;
		if (!telemetry) {
			const message = response.ok ? 'unrecognised usage response' : `usage endpoint answered ${response.status}`;
			return {kind: 'failed', status: response.status, message, untilMs: this.#backoff(memory)};
		}

		memory.failures = 0;
		memory.nextMs = now + this.#minIntervalMs;
		memory.last = {kind: 'ok', telemetry, atMs: now};
		return memory.last;
	}
}
