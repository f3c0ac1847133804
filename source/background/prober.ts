import {Buffer} from 'node:buffer';
import type {AuthProvider} from '../accounts/auth-provider.js';
import {describeConnectionError, readSmallBody, sendUpstream} from '../anthropic/upstream-client.js';
import type {AccountConfig} from '../accounts/types.js';
import {version} from '../version.js';
import {parseRateLimitHeaders, parseRetryAfterMs} from '../anthropic/rate-limit-headers.js';
import {anthropicVersion} from '../anthropic/constants.js';
import type {ProbeOutcome} from './probe-outcome.js';
import {UsageClient} from './usage-client.js';
import {healthOutcome, telemetryOutcome} from './usage-probe.js';

/**
 * Background checks that are not client traffic. A subscription (OAuth) account must only ever
 * carry genuine client requests, so it is never sent a made-up prompt: its telemetry and health
 * come from the usage endpoint (GET /api/oauth/usage, no tokens spent). Probers return undefined
 * for what they cannot check without breaking that rule.
 */
export type Prober = {
	/** Fresh rate-limit headers for an idle or just-recovered account. */
	telemetry(account: AccountConfig): Promise<ProbeOutcome | undefined>;
	/** Is the account's upstream answering at all? */
	health(account: AccountConfig): Promise<ProbeOutcome | undefined>;
};

/** The smallest request that returns a Console key's rate-limit headers: one output token of Haiku. */
const telemetryProbeBody = Buffer.from(JSON.stringify({
	model: 'claude-haiku-4-5-20251001',
	max_tokens: 1,
	messages: [{role: 'user', content: 'ping'}],
}));

export class UpstreamProber implements Prober {
	readonly #upstream: URL;
	readonly #auth: AuthProvider;
	readonly #timeoutMs: number;
	readonly #usage: UsageClient;

	/** Pass the usage client the poller uses, so both respect one memory of the endpoint's penalties. */
	constructor(upstream: string, auth: AuthProvider, timeoutMs = 10_000, usage?: UsageClient) {
		this.#upstream = new URL(upstream);
		this.#auth = auth;
		this.#timeoutMs = timeoutMs;
		this.#usage = usage ?? new UsageClient({upstream, auth, timeoutMs});
	}

	async telemetry(account: AccountConfig): Promise<ProbeOutcome | undefined> {
		if (account.kind === 'oauth') {
			return telemetryOutcome(await this.#usage.read(account.name), Date.now());
		}

		return this.#send(account, 'POST', '/v1/messages', telemetryProbeBody);
	}

	async health(account: AccountConfig): Promise<ProbeOutcome | undefined> {
		if (account.kind === 'oauth') {
			return healthOutcome(await this.#usage.read(account.name));
		}

		// Listing models spends no tokens and still proves the key and the upstream work.
		return this.#send(account, 'GET', '/v1/models?limit=1', undefined);
	}

	async #send(account: AccountConfig, method: string, path: string, body: Buffer | undefined): Promise<ProbeOutcome> {
		try {
			const credential = await this.#auth.credential(account.name);
			const response = await sendUpstream({
				url: new URL(path, this.#upstream),
				method,
				headers: {
					'content-type': 'application/json',
					'anthropic-version': anthropicVersion,
					'user-agent': `shunt/${version} (background check)`,
					'x-api-key': credential.secret,
				},
				body,
				firstByteTimeoutMs: this.#timeoutMs,
			});
			await readSmallBody(response.body);
			const now = Date.now();
			const retryAfter = response.headers['retry-after'] as string | string[] | undefined;
			return {status: response.status, telemetry: parseRateLimitHeaders(response.headers, now), retryAfterMs: parseRetryAfterMs(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter, now)};
		} catch (error) {
			return {error: describeConnectionError(error)};
		}
	}
}
