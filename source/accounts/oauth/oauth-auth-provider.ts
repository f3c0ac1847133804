import type {Alerts} from '../../alerts/alerts.js';
import type {AuthStore} from '../../state/ports.js';
import type {AccountConfig, Credential, OAuthCredential} from '../types.js';
import {clockTime} from '../../util/clock-time.js';
import {MissingCredentialError, StaticAuthProvider, type AuthProvider, type UpstreamCredential} from '../auth-provider.js';
import {keychainPrefix} from './claude-code-import.js';
import {adoptionSuffices, backoffAfter, dueAt, isDead, isDue, mayForceRefresh, newSlot, type OAuthSlot, type RefreshTimings} from './refresh-policy.js';
import type {SharedLogins} from './shared-logins.js';
import {TokenClient, TokenEndpointError} from './token-client.js';
import {findNewer, savePair} from './token-sync.js';

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

type Slot = OAuthSlot & {
	inFlight?: Promise<void> | undefined;
	/** In reauth with a refresh token that may still work: the last refresh tried (or when that began). */
	reauthTriedMs?: number | undefined;
};

/** Cooldowns a renewed token ends: ours while waiting to refresh, and the proxy's after a 401. */
const tokenCooldownReasons = new Set(['token refresh', '401']);

/**
 * Credentials for the proxy, keeping subscription logins alive; API keys are served as they are,
 * by a StaticAuthProvider. OAuth access tokens are refreshed shortly before they expire (when
 * used, and by a background timer) and after a 401. Refresh tokens rotate, so every refresh is
 * single-flight per account, and the new pair is saved (credentials.json, then an imported login's
 * source) before anyone uses it. The stored copies are re-read first: a newer pair written by
 * someone else is adopted instead of refreshing, and an older pair never overwrites a newer one. A
 * dead refresh token (invalid_grant) puts the account in `reauth` once, with the command that
 * fixes it, and is never sent again; transient failures back off exponentially. An account put
 * in reauth by a run of 401s, its refresh token not known dead, tries a refresh every two minutes. When to refresh is
 * decided in refresh-policy.ts, the stores are read and written in token-sync.ts.
 */
export class OAuthAuthProvider implements AuthProvider {
	readonly #slots = new Map<string, Slot>();
	readonly #apiKeys: StaticAuthProvider;
	readonly #options: OAuthAuthProviderOptions;
	readonly #store: OAuthAuthStore;
	readonly #tokens: TokenClient;
	readonly #timings: RefreshTimings;
	readonly #checkEveryMs: number;
	readonly #reauthRetryMs: number;
	#timer: NodeJS.Timeout | undefined;
	#running = false;

	constructor(options: OAuthAuthProviderOptions) {
		this.#options = options;
		this.#store = options.store;
		this.#tokens = options.tokens ?? new TokenClient({now: () => options.store.now()});
		this.#timings = {
			marginMs: options.refreshMarginMs ?? 5 * 60_000,
			retryFirstMs: options.retryFirstMs ?? 30_000,
			retryMaxMs: options.retryMaxMs ?? 10 * 60_000,
			minGapMs: options.minRefreshGapMs ?? 10_000,
		};
		this.#checkEveryMs = options.checkEveryMs ?? 60_000;
		this.#reauthRetryMs = options.reauthRetryMs ?? 2 * 60_000;
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
		options.shared?.onPair(account => {
			this.#adoptShared(account);
		});
	}

	/**
	 * Starts the background upkeep: tokens that expire soon are renewed before a request needs
	 * them, and an account left in reauth by an earlier run gets one recovery attempt.
	 */
	start(): void {
		if (this.#running) {
			return;
		}

		this.#running = true;
		for (const slot of this.#slots.values()) {
			// The pool keeps the newest pair it has been offered: ours may be news to it.
			void this.#options.shared?.publish(slot.name, slot.credential);
			if (this.#store.accountState(slot.name) === 'reauth') {
				slot.reauthTriedMs = this.#store.now();
				void this.#refreshOnce(slot, {force: true});
			}
		}

		this.#tick();
	}

	stop(): void {
		this.#running = false;
		clearTimeout(this.#timer);
		this.#timer = undefined;
	}

	async credential(account: string): Promise<UpstreamCredential> {
		const slot = this.#slots.get(account);
		if (!slot) {
			// An API key, or no credential at all (which the static provider refuses the same way).
			return this.#apiKeys.credential(account);
		}

		if (isDue(slot, this.#store.now(), this.#timings)) {
			await this.#refreshOnce(slot, {force: false});
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

		await this.#refreshOnce(slot, {force: true});
		return slot.credential.accessToken !== usedSecret;
	}

	// ---------------------------------------------------------------- refresh

	/** Dead refresh token, or in reauth for another reason: only a new login helps. */
	#waitingForUser(slot: Slot): boolean {
		return isDead(slot) || this.#store.accountState(slot.name) === 'reauth';
	}

	/** Single flight: every caller while a refresh runs awaits that one. */
	async #refreshOnce(slot: Slot, options: {force: boolean}): Promise<void> {
		slot.inFlight ??= this.#refresh(slot, options).finally(() => {
			slot.inFlight = undefined;
			this.#schedule();
		});
		return slot.inFlight;
	}

	/** Never rejects: whatever goes wrong becomes a failure with backoff, not a crash. */
	async #refresh(slot: Slot, options: {force: boolean}): Promise<void> {
		try {
			await this.#tryRefresh(slot, options);
		} catch (error) {
			await this.#refreshFailed(slot, error instanceof TokenEndpointError ? error : new TokenEndpointError('other', (error as Error).message));
		}
	}

	async #tryRefresh(slot: Slot, {force}: {force: boolean}): Promise<void> {
		const before = slot.credential;
		if (await this.#adoptNewer(slot) && adoptionSuffices(before, slot.credential, this.#store.now(), this.#timings.marginMs, force)) {
			this.#recovered(slot, 'picked up a newer login');
			return;
		}

		if (isDead(slot)) {
			return;
		}

		const {shared} = this.#options;
		if (!shared) {
			await this.#refreshNow(slot);
			return;
		}

		// One instance of the pool refreshes at a time; the others take the pair it publishes.
		const outcome = await shared.exclusive(slot.name, async () => {
			if (await this.#adoptNewer(slot) && adoptionSuffices(before, slot.credential, this.#store.now(), this.#timings.marginMs, force)) {
				this.#recovered(slot, 'picked up the pool\'s renewed login');
				return;
			}

			await this.#refreshNow(slot);
		});
		if (outcome === 'elsewhere') {
			if (await this.#adoptNewer(slot) && adoptionSuffices(before, slot.credential, this.#store.now(), this.#timings.marginMs, force)) {
				this.#recovered(slot, 'picked up the pool\'s renewed login');
				return;
			}

			// Its refresh did not finish in time; sending our copy of the token could kill its result.
			throw new TokenEndpointError('transient', 'another instance of the pool is refreshing this login');
		}
	}

	/** Rotates the pair at the token endpoint; the new one is saved (and given to the pool) before use. */
	async #refreshNow(slot: Slot): Promise<void> {
		const current = slot.credential;
		const fresh = await this.#tokens.refresh(current.refreshToken);
		const renewed: OAuthCredential = {...current, accessToken: fresh.accessToken, refreshToken: fresh.refreshToken, expiresAt: fresh.expiresAt};
		// Saved before use: the old refresh token is already dead upstream.
		await this.#save(slot, renewed);
		slot.credential = renewed;
		slot.lastRefreshMs = this.#store.now();
		// Before the refresh lease is given back: whoever takes it next must find this pair.
		await this.#options.shared?.publish(slot.name, renewed);
		this.#recovered(slot, `token renewed, valid until ${clockTime(renewed.expiresAt)}`);
	}

	/** Another instance published a newer pair: take it over now (unless a refresh of ours runs: it looks itself). */
	#adoptShared(account: string): void {
		const slot = this.#slots.get(account);
		if (!slot || slot.inFlight) {
			return;
		}

		slot.inFlight = this.#adoptNewer(slot).then(adopted => {
			if (adopted) {
				this.#recovered(slot, 'picked up the pool\'s renewed login');
			}
		}, () => undefined).finally(() => {
			slot.inFlight = undefined;
			this.#schedule();
		});
	}

	async #refreshFailed(slot: Slot, error: TokenEndpointError): Promise<void> {
		const {name} = slot;
		if (error.kind === 'invalid_grant') {
			// Lost a rotation race? The winner (Claude Code, another shunt) saved the newer pair.
			if (await this.#adoptNewer(slot)) {
				this.#recovered(slot, 'picked up a newer login');
				return;
			}

			slot.deadRefreshToken = slot.credential.refreshToken;
			this.#store.setAuthFailed(name, true);
			const claudeCode = slot.source && !slot.source.startsWith(keychainPrefix)
				? ` (or log in to Claude Code again: shunt picks the new login up from ${slot.source})`
				: '';
			this.#options.alerts.raise('reauth', `${name}: its login was revoked or replaced (${error.message}); run: ${this.#store.fixHint(name)}${claudeCode}`, name);
			return;
		}

		slot.failures++;
		const delay = backoffAfter(slot.failures, error, this.#timings);
		slot.retryAtMs = this.#store.now() + delay;
		if (slot.credential.expiresAt <= slot.retryAtMs) {
			this.#store.setCooldown(name, slot.retryAtMs, {reason: 'token refresh'});
		}

		this.#store.addEvent('auth', `${name}: token refresh failed (${error.message}); retrying in ${Math.round(delay / 1000)}s`, name);
	}

	/** A working pair again: forget failures, leave reauth, end cooldowns the old token caused. */
	#recovered(slot: Slot, message: string): void {
		const {name} = slot;
		const wasReauth = this.#store.accountState(name) === 'reauth';
		slot.failures = 0;
		slot.retryAtMs = 0;
		slot.deadRefreshToken = undefined;
		slot.reauthTriedMs = undefined;
		this.#store.setAuthFailed(name, false);
		const reason = this.#store.cooldownReason(name);
		if (reason !== undefined && tokenCooldownReasons.has(reason)) {
			this.#store.clearCooldown(name);
		}

		this.#store.addEvent(wasReauth ? 'recovered' : 'info', `${name}: ${message}`, name);
	}

	/** Takes over a newer pair from credentials.json or the login's source, saved to both first. True when adopted. */
	async #adoptNewer(slot: Slot): Promise<boolean> {
		const pooled = this.#options.shared?.newest(slot.name);
		const newer = await findNewer(this.#options.credentialsFile, slot, pooled ? [{pair: pooled}] : []);
		if (!newer) {
			return false;
		}

		slot.source = newer.source;
		await this.#save(slot, newer.credential);
		slot.credential = newer.credential;
		// A login renewed outside shunt (Claude Code, a new add-account) is news to the pool too.
		await this.#options.shared?.publish(slot.name, newer.credential);
		return true;
	}

	/** A store that cannot be written is reported; the pair is kept in memory either way. */
	async #save(slot: Slot, credential: OAuthCredential): Promise<void> {
		for (const {store, location, message} of await savePair(this.#options.credentialsFile, slot.name, slot.source, credential)) {
			this.#store.addEvent('auth', store === 'credentials'
				? `${slot.name}: could not save the renewed token to ${location} (${message}); it is kept in memory`
				: `${slot.name}: could not write the renewed token back to ${location} (${message})`, slot.name);
		}
	}

	// ---------------------------------------------------------------- background upkeep

	#tick(): void {
		if (!this.#running) {
			return;
		}

		for (const slot of this.#slots.values()) {
			if (slot.inFlight) {
				continue;
			}

			if (this.#mayRetryReauth(slot)) {
				slot.reauthTriedMs = this.#store.now();
				void this.#refreshOnce(slot, {force: true});
			} else if (this.#waitingForUser(slot)) {
				// The fix is a new login written by `shunt add-account` or Claude Code: watch for it.
				void this.#adoptNewer(slot).then(adopted => {
					if (adopted) {
						this.#recovered(slot, 'picked up a new login');
					}
				}, () => undefined);
			} else if (isDue(slot, this.#store.now(), this.#timings)) {
				void this.#refreshOnce(slot, {force: false});
			}
		}

		this.#schedule();
	}

	/**
	 * In reauth because of 401s, not a dead refresh token, and reauthRetryMs since the last try
	 * (counted from when this was first seen): one more forced refresh. A dead token never qualifies.
	 */
	#mayRetryReauth(slot: Slot): boolean {
		if (isDead(slot) || this.#store.accountState(slot.name) !== 'reauth') {
			slot.reauthTriedMs = undefined;
			return false;
		}

		const now = this.#store.now();
		slot.reauthTriedMs ??= now;
		return now - slot.reauthTriedMs >= this.#reauthRetryMs;
	}

	/** Sleeps until the next token comes due or a backoff ends, at most checkEveryMs. */
	#schedule(): void {
		if (!this.#running) {
			return;
		}

		const now = this.#store.now();
		let next = now + this.#checkEveryMs;
		for (const slot of this.#slots.values()) {
			// Accounts waiting for the user are looked at every checkEveryMs, or at their next retry.
			if (slot.inFlight) {
				continue;
			}

			if (!this.#waitingForUser(slot)) {
				next = Math.min(next, dueAt(slot, this.#timings));
			} else if (slot.reauthTriedMs !== undefined && !isDead(slot)) {
				next = Math.min(next, slot.reauthTriedMs + this.#reauthRetryMs);
			}
		}

		clearTimeout(this.#timer);
		this.#timer = setTimeout(() => {
			this.#tick();
		}, Math.max(50, next - now)).unref();
	}
}
