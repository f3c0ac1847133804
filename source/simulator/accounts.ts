// The simulator's accounts: configuration plus live state (limits, prompt cache), looked up
// by credential.
import {fingerprint, uuidFrom} from './ids.js';
import {KeyLimiter} from './key-limits.js';
import {PromptCache} from './prompt-cache.js';
import type {SimAccount} from './sim-types.js';
import {rejectedWindow, UnifiedLimiter, type UnifiedView, unifiedHeaders} from './unified-limits.js';

export type Consumption = {
	/** Model-scoped windows count only their family's requests. */
	model: string;
	/** Uncached input + cache writes: what counts against input buckets. */
	inputTokens: number;
	outputTokens: number;
	/** Weighted tokens charged to the unified windows. */
	weighted: number;
};

export class AccountState {
	readonly label: string;
	readonly orgId: string;
	readonly cache = new PromptCache();
	readonly unified?: UnifiedLimiter;
	readonly keys?: KeyLimiter;

	constructor(readonly config: SimAccount, nowMs: number) {
		this.label = config.name ?? `${config.kind}-${fingerprint(config.credential).slice(0, 8)}`;
		this.orgId = uuidFrom(`org:${config.credential}`);
		if (config.kind === 'oauth') {
			this.unified = new UnifiedLimiter({
				budget5h: config.budget5h ?? 2_000_000,
				budget7d: config.budget7d ?? 20_000_000,
				utilization5h: config.utilization5h ?? 0,
				utilization7d: config.utilization7d ?? 0,
				window5hMs: config.window5hMs,
				reset5hAtMs: config.reset5hAtMs,
				reset7dAtMs: config.reset7dAtMs,
				scoped: config.scoped,
			}, nowMs);
		} else {
			this.keys = new KeyLimiter({rpm: config.rpm ?? 4000, itpm: config.itpm ?? 2_000_000, otpm: config.otpm ?? 400_000}, nowMs);
		}
	}

	get kind(): SimAccount['kind'] {
		return this.config.kind;
	}

	charge(use: Consumption): void {
		this.unified?.charge(use.weighted, use.model);
		this.keys?.charge(use.inputTokens, use.outputTokens);
	}

	/** The account's rate-limit header family as it stands now, for a request for model (when known). */
	rateHeaders(nowMs: number, model?: string): Record<string, string> {
		if (this.unified) {
			return unifiedHeaders(this.unified.view(nowMs), undefined, model);
		}

		return this.keys?.headers(nowMs) ?? {};
	}

	/**
	 * The unified window that refuses a request for model right now ("5h", "7d", "7d_opus"), or
	 * undefined when the account's subscription windows admit it (API keys have none).
	 */
	spentWindow(nowMs: number, model?: string): string | undefined {
		return this.unified ? rejectedWindow(this.unified.view(nowMs), model) : undefined;
	}

	/** The unified windows as they stand now (oauth only), for faults that render an altered copy. */
	unifiedView(nowMs: number): UnifiedView | undefined {
		return this.unified?.view(nowMs);
	}
}

export class AccountRegistry {
	readonly #byCredential = new Map<string, AccountState>();
	/** Per-token expiry where it differs from the account's config (rotated or force-expired tokens). */
	readonly #expiry = new Map<string, number>();

	/** Adding a credential again replaces the account and its state. */
	add(account: SimAccount, nowMs: number): AccountState {
		const state = new AccountState(account, nowMs);
		this.#byCredential.set(account.credential, state);
		this.#expiry.delete(account.credential);
		return state;
	}

	get(credential: string): AccountState | undefined {
		return this.#byCredential.get(credential);
	}

	/**
	 * Another token for an existing account, as an OAuth refresh issues: same limits, same cache,
	 * so utilization carries over. Faults stay armed under the account's original credential.
	 */
	alias(credential: string, state: AccountState, expiresAtMs: number | undefined): void {
		this.#byCredential.set(credential, state);
		if (expiresAtMs === undefined) {
			this.#expiry.delete(credential);
		} else {
			this.#expiry.set(credential, expiresAtMs);
		}
	}

	/** When this token stops working (epoch ms), or undefined for never. */
	tokenExpiresAt(credential: string): number | undefined {
		return this.#expiry.get(credential) ?? this.#byCredential.get(credential)?.config.tokenExpiresAtMs;
	}

	/** Makes one token expire at atMs (tests force an expiry the holder does not know about). */
	expireToken(credential: string, atMs: number): void {
		if (!this.#byCredential.has(credential)) {
			throw new Error('expireToken: no account has that credential');
		}

		this.#expiry.set(credential, atMs);
	}
}
