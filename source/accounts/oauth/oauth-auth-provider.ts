import type {Alerts} from '../../alerts/alerts.js';
import type {AuthStore} from '../../state/ports.js';
import type {AccountConfig, Credential} from '../types.js';
import {
	MissingCredentialError, StaticAuthProvider, type AuthProvider, type UpstreamCredential,
} from '../auth-provider.js';
import {LoginRefresh, type LoginSlot} from './login-refresh.js';
import {PairStores} from './pair-stores.js';
import {
	isDead, isDue, mayForceRefresh, newSlot, type RefreshTimings,
} from './refresh-policy.js';
import {RefreshUpkeep} from './refresh-upkeep.js';
import type {SharedLogins} from './shared-logins.js';
import {TokenClient} from './token-client.js';

export type OAuthAuthStore = AuthStore;

export type OAuthAuthProviderOptions = {
	accounts: readonly AccountConfig[];
	/** As loaded at start-up. */
	credentials: Record<string, Credential>;
	/** Rotated pairs are saved here before they are used. */
	credentialsFile: string;
	store: OAuthAuthStore;
	alerts: Pick<Alerts, 'raise'>;
	tokens?: TokenClient;
	/** Refresh when the access token expires within this long. */
	refreshMarginMs?: number;
	/** Backoff after a failed (transient) refresh: first delay, doubling up to max. */
	retryFirstMs?: number;
	retryMaxMs?: number;
	/** The background check's longest sleep. */
	checkEveryMs?: number;
	/** A 401 this soon after a successful refresh does not start another one (no rotation loops). */
	minRefreshGapMs?: number;
	/** Team mode: the pool's instances share rotated pairs and take turns refreshing. */
	shared?: SharedLogins;
	/**
	 * An account in reauth whose refresh token is not known to be dead (a run of 401s put it there)
	 * tries a refresh this often: the 401s may have been the upstream's passing trouble.
	 */
	reauthRetryMs?: number;
};

/**
 * Credentials for the proxy, keeping subscription logins alive; API keys are served as they are,
 * by a StaticAuthProvider. OAuth access tokens are refreshed shortly before they expire (when
 * used, and by a background timer) and after a 401. Refresh tokens rotate, so every refresh is
 * single-flight per account, and the new pair is saved (credentials.json, then an imported login's
 * source) before anyone uses it. The stored copies are re-read first: a newer pair written by
 * someone else is adopted instead of refreshing, and an older pair never overwrites a newer one. A
 * dead refresh token (invalid_grant) puts the account in `reauth` once, with the command that
 * fixes it, and is never sent again; transient failures back off exponentially. An account put
 * in reauth by a run of 401s, its refresh token not known dead, tries a refresh every two minutes.
 * This class answers the proxy; when to refresh is decided in refresh-policy.ts, one refresh and
 * its outcome run in login-refresh.ts, the stores are kept in pair-stores.ts (over token-sync.ts),
 * and the background timer is refresh-upkeep.ts.
 */
export class OAuthAuthProvider implements AuthProvider {
	readonly #slots = new Map<string, LoginSlot>();
	readonly #apiKeys: StaticAuthProvider;
	readonly #store: OAuthAuthStore;
	readonly #timings: RefreshTimings;
	readonly #refresh: LoginRefresh;
	readonly #upkeep: RefreshUpkeep;

	constructor(options: OAuthAuthProviderOptions) {
		this.#store = options.store;
		const tokens = options.tokens ?? new TokenClient({now: () => options.store.now()});
		this.#timings = {
			marginMs: options.refreshMarginMs ?? 5 * 60_000,
			retryFirstMs: options.retryFirstMs ?? 30_000,
			retryMaxMs: options.retryMaxMs ?? 10 * 60_000,
			minGapMs: options.minRefreshGapMs ?? 10_000,
		};
		const apiKeys: Record<string, Credential> = {};
		for (const account of options.accounts) {
			const credential = options.credentials[account.name];
			if (credential?.type === 'oauth') {
				this.#slots.set(account.name, newSlot(account.name, credential, account.source ?? credential.source));
			} else if (credential) {
				apiKeys[account.name] = credential;
			}
		}

		this.#apiKeys = new StaticAuthProvider(options.accounts, apiKeys);
		const {store, alerts, shared} = options;
		const pairs = new PairStores({credentialsFile: options.credentialsFile, store, shared});
		this.#refresh = new LoginRefresh({
			store,
			alerts,
			tokens,
			timings: this.#timings,
			pairs,
			shared,
			// Every flight that ends may change when the next one is due.
			settled: () => {
				this.#upkeep.schedule();
			},
		});
		this.#upkeep = new RefreshUpkeep({
			slots: this.#slots,
			store,
			refresh: this.#refresh,
			pairs,
			timings: this.#timings,
			checkEveryMs: options.checkEveryMs ?? 60_000,
			reauthRetryMs: options.reauthRetryMs ?? 2 * 60_000,
		});
		shared?.onPair(account => {
			const slot = this.#slots.get(account);
			if (slot) {
				this.#refresh.adoptShared(slot);
			}
		});
	}

	/**
	 * Starts the background upkeep: tokens that expire soon are renewed before a request needs
	 * them, and an account left in reauth by an earlier run gets one recovery attempt.
	 */
	start(): void {
		this.#upkeep.start();
	}

	stop(): void {
		this.#upkeep.stop();
	}

	async credential(account: string): Promise<UpstreamCredential> {
		const slot = this.#slots.get(account);
		if (!slot) {
			// An API key, or no credential at all (which the static provider refuses the same way).
			return this.#apiKeys.credential(account);
		}

		if (isDue(slot, this.#store.now(), this.#timings)) {
			await this.#refresh.once(slot, {force: false});
		}

		if (isDead(slot) && slot.credential.expiresAt <= this.#store.now()) {
			throw new MissingCredentialError(`the login of "${account}" needs renewing: ${this.#store.fixHint(account)}`);
		}

		// While a transient failure backs off, an expired token is still the best there is; the
		// account is cooling meanwhile, so routing only lands here when nothing else is left.
		return {kind: 'oauth', secret: slot.credential.accessToken};
	}

	async refreshAfterUnauthorized(account: string, usedSecret: string): Promise<boolean> {
		const slot = this.#slots.get(account);
		if (!slot) {
			return this.#apiKeys.refreshAfterUnauthorized();
		}

		// Someone else's refresh may be running or may have finished: its result is the answer.
		await slot.inFlight;
		if (slot.credential.accessToken !== usedSecret) {
			return true;
		}

		const {allowed, forcedInGap} = mayForceRefresh(slot, this.#store.now(), this.#timings.minGapMs);
		slot.forcedInGap = forcedInGap;
		if (!allowed) {
			return false;
		}

		await this.#refresh.once(slot, {force: true});
		return slot.credential.accessToken !== usedSecret;
	}
}
