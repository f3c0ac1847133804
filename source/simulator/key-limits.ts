// The Console API-key rate-limit model: token buckets for requests, input tokens and output
// tokens, refilled continuously over a minute, reported in the anthropic-ratelimit-* family.

const minuteMs = 60_000;
const headerPrefix = 'anthropic-ratelimit-';

class Bucket {
	level: number;
	#lastMs: number;

	constructor(readonly limit: number, nowMs: number) {
		this.level = limit;
		this.#lastMs = nowMs;
	}

	refill(nowMs: number): void {
		const elapsed = Math.max(0, nowMs - this.#lastMs);
		this.level = Math.min(this.limit, this.level + (elapsed * this.limit / minuteMs));
		this.#lastMs = nowMs;
	}

	/** Ms until `amount` fits (an amount above the limit only waits for a full bucket). */
	msUntil(amount: number): number {
		const missing = Math.min(amount, this.limit) - this.level;
		return missing <= 0 ? 0 : missing * minuteMs / this.limit;
	}

	/** Epoch ms when the bucket will be full again. */
	fullAt(nowMs: number): number {
		return nowMs + this.msUntil(this.limit);
	}
}

export type KeyLimits = {rpm: number; itpm: number; otpm: number};

/** RFC 3339 UTC at whole seconds, rounded up so "reset" never claims too early. */
const rfc3339 = (ms: number): string => new Date(Math.ceil(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

const thousands = (tokens: number): number => Math.floor(Math.max(0, tokens) / 1000) * 1000;

export class KeyLimiter {
	readonly #requests: Bucket;
	readonly #input: Bucket;
	readonly #output: Bucket;

	constructor(limits: KeyLimits, nowMs: number) {
		this.#requests = new Bucket(limits.rpm, nowMs);
		this.#input = new Bucket(limits.itpm, nowMs);
		this.#output = new Bucket(limits.otpm, nowMs);
	}

	/** Undefined when the request may pass; otherwise whole seconds until it could. */
	retryAfter(nowMs: number, inputTokens: number): number | undefined {
		this.#refillAll(nowMs);
		const waitMs = Math.max(this.#requests.msUntil(1), this.#input.msUntil(inputTokens), this.#output.msUntil(1));
		return waitMs > 0 ? Math.max(1, Math.ceil(waitMs / 1000)) : undefined;
	}

	/** Buckets may go negative: a big answer is paid for by waiting longer afterwards. */
	charge(inputTokens: number, outputTokens: number): void {
		this.#requests.level -= 1;
		this.#input.level -= inputTokens;
		this.#output.level -= outputTokens;
	}

	/** exhaustRequestsFor: render the requests bucket as empty for that many seconds (the quota_429 fault). */
	headers(nowMs: number, exhaustRequestsFor?: number): Record<string, string> {
		this.#refillAll(nowMs);
		const requestsRemaining = exhaustRequestsFor === undefined ? Math.floor(Math.max(0, this.#requests.level)) : 0;
		const requestsReset = exhaustRequestsFor === undefined ? this.#requests.fullAt(nowMs) : nowMs + (exhaustRequestsFor * 1000);
		return {
			[`${headerPrefix}requests-limit`]: String(this.#requests.limit),
			[`${headerPrefix}requests-remaining`]: String(requestsRemaining),
			[`${headerPrefix}requests-reset`]: rfc3339(requestsReset),
			// No separate combined limit is modelled, so "tokens" is input + output together.
			[`${headerPrefix}tokens-limit`]: String(this.#input.limit + this.#output.limit),
			[`${headerPrefix}tokens-remaining`]: String(thousands(Math.max(0, this.#input.level) + Math.max(0, this.#output.level))),
			[`${headerPrefix}tokens-reset`]: rfc3339(Math.max(this.#input.fullAt(nowMs), this.#output.fullAt(nowMs))),
			[`${headerPrefix}input-tokens-limit`]: String(this.#input.limit),
			[`${headerPrefix}input-tokens-remaining`]: String(thousands(this.#input.level)),
			[`${headerPrefix}input-tokens-reset`]: rfc3339(this.#input.fullAt(nowMs)),
			[`${headerPrefix}output-tokens-limit`]: String(this.#output.limit),
			[`${headerPrefix}output-tokens-remaining`]: String(thousands(this.#output.level)),
			[`${headerPrefix}output-tokens-reset`]: rfc3339(this.#output.fullAt(nowMs)),
		};
	}

	#refillAll(nowMs: number): void {
		this.#requests.refill(nowMs);
		this.#input.refill(nowMs);
		this.#output.refill(nowMs);
	}
}
