import type {Alerts} from '../../alerts/alerts.js';
import type {StateStore} from '../../state/store.js';
import type {AccountConfig, Credential, OAuthCredential} from '../types.js';
import {clockTime} from '../../util/clock-time.js';
import {MissingCredentialError, type AuthProvider, type UpstreamCredential} from '../auth-provider.js';
import {keychainPrefix} from './claude-code-import.js';
import {readSourcePair, readStoredPair, saveSourcePair, saveStoredPair, type TokenPair} from './stored-pairs.js';
import {TokenClient, TokenEndpointError} from './token-client.js';

export type OAuthAuthStore = Pick<StateStore, 'now' | 'setAuthFailed' | 'setCooldown' | 'clearCooldown' | 'addEvent' | 'fixHint' | 'accountState' | 'freshSnapshot'>;

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
};

type Slot = {
	name: string;
	credential: Credential;
	/** Imported login: a file path or keychain:<service>. */
	source?: string;
	inFlight?: Promise<void>;
	failures: number;
	/** No refresh before this (backoff). */
	retryAtMs: number;
	/** The refresh token that got invalid_grant: never sent again. */
	deadRefreshToken?: string;
	lastRefreshMs: number;
	/** The one forced refresh allowed within minRefreshGapMs of the last refresh has been used. */
	forcedInGap?: boolean;
};

/** Cooldowns a renewed token ends: ours while waiting to refresh, and the proxy's after a 401. */
const tokenCooldownReasons = new Set(['token refresh', '401']);

/**
 * Credentials for the proxy, keeping subscription logins alive. API keys pass through. OAuth
 * access tokens are refreshed shortly before they expire (when used, and by a background timer)
 * and after a 401. Refresh tokens rotate, so every refresh is single-flight per account, and the
 * new pair is saved (credentials.json, then an imported login's source) before anyone uses it.
 * The stored copies are re-read first: a newer pair written by someone else is adopted instead
 * of refreshing, and an older pair never overwrites a newer one. A dead refresh token
 * (invalid_grant) puts the account in `reauth` once, with the command that fixes it, and is never
 * sent again; transient failures back off exponentially.
 */
export class OAuthAuthProvider implements AuthProvider {
	readonly #slots = new Map<string, Slot>();
	readonly #options: OAuthAuthProviderOptions;
	readonly #store: OAuthAuthStore;
	readonly #tokens: TokenClient;
	readonly #marginMs: number;
	readonly #retryFirstMs: number;
	readonly #retryMaxMs: number;
	readonly #checkEveryMs: number;
	readonly #minGapMs: number;
	#timer: NodeJS.Timeout | undefined;
	#running = false;

	constructor(options: OAuthAuthProviderOptions) {
		this.#options = options;
		this.#store = options.store;
		this.#tokens = options.tokens ?? new TokenClient({now: () => options.store.now()});
		this.#marginMs = options.refreshMarginMs ?? 5 * 60_000;
		this.#retryFirstMs = options.retryFirstMs ?? 30_000;
		this.#retryMaxMs = options.retryMaxMs ?? 10 * 60_000;
		this.#checkEveryMs = options.checkEveryMs ?? 60_000;
		this.#minGapMs = options.minRefreshGapMs ?? 10_000;
		for (const account of options.accounts) {
			const credential = options.credentials[account.name];
			if (credential) {
				const source = account.source ?? (credential.type === 'oauth' ? credential.source : undefined);
				this.#slots.set(account.name, {
					name: account.name,
					credential,
					source: source && source !== 'login' ? source : undefined,
					failures: 0,
					retryAtMs: 0,
					lastRefreshMs: 0,
				});
			}
		}
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
		for (const slot of this.#oauthSlots()) {
			if (this.#store.accountState(slot.name) === 'reauth') {
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
			throw new MissingCredentialError(`no credential stored for account "${account}"`);
		}

		if (slot.credential.type === 'apikey') {
			return {kind: 'apikey', secret: slot.credential.key};
		}

		if (this.#due(slot)) {
			await this.#refreshOnce(slot, {force: false});
		}

		const credential = slot.credential as OAuthCredential;
		if (this.#dead(slot) && credential.expiresAt <= this.#store.now()) {
			throw new MissingCredentialError(`the login of "${account}" needs renewing: ${this.#store.fixHint(account)}`);
		}

		// While a transient failure backs off, an expired token is still the best there is; the
		// account is cooling meanwhile, so routing only lands here when nothing else is left.
		return {kind: 'oauth', secret: credential.accessToken};
	}

	async refreshAfterUnauthorized(account: string, usedSecret: string): Promise<boolean> {
		const slot = this.#slots.get(account);
		if (slot?.credential.type !== 'oauth') {
			return false;
		}

		// Someone else's refresh may be running or may have finished: its result is the answer.
		await slot.inFlight;
		if (this.#access(slot) !== usedSecret) {
			return true;
		}

		const now = this.#store.now();
		if (now < slot.retryAtMs) {
			return false;
		}

		// A token refused again right after a refresh may have been revoked again (a second login
		// elsewhere): one more forced refresh is allowed inside the gap, never a loop of them.
		if (now - slot.lastRefreshMs < this.#minGapMs) {
			if (slot.forcedInGap) {
				return false;
			}

			slot.forcedInGap = true;
		} else {
			slot.forcedInGap = false;
		}

		await this.#refreshOnce(slot, {force: true});
		return this.#access(slot) !== usedSecret;
	}

	// ---------------------------------------------------------------- refresh

	#oauthSlots(): Slot[] {
		return [...this.#slots.values()].filter(slot => slot.credential.type === 'oauth');
	}

	#access(slot: Slot): string {
		return (slot.credential as OAuthCredential).accessToken;
	}

	/** Dead refresh token, or in reauth for another reason: only a new login helps. */
	#waitingForUser(slot: Slot): boolean {
		return this.#dead(slot) || this.#store.accountState(slot.name) === 'reauth';
	}

	#dead(slot: Slot): boolean {
		return slot.deadRefreshToken !== undefined && slot.deadRefreshToken === (slot.credential as OAuthCredential).refreshToken;
	}

	/**
	 * Expiring within the margin, not dead, not backing off. The gap after a refresh keeps a token
	 * that lives shorter than the margin from being rotated in a loop.
	 */
	#due(slot: Slot): boolean {
		return slot.credential.type === 'oauth' && !this.#dead(slot) && this.#store.now() >= this.#dueAt(slot);
	}

	#dueAt(slot: Slot): number {
		const {expiresAt} = slot.credential as OAuthCredential;
		return Math.max(expiresAt - this.#marginMs, slot.retryAtMs, slot.lastRefreshMs + this.#minGapMs);
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
		const before = slot.credential as OAuthCredential;
		if (await this.#adoptNewer(slot)) {
			const adopted = slot.credential as OAuthCredential;
			// A newer pair from elsewhere is enough unless it is about to expire as well.
			if (adopted.expiresAt - this.#store.now() > this.#marginMs || (force && adopted.accessToken !== before.accessToken)) {
				this.#recovered(slot, 'picked up a newer login');
				return;
			}
		}

		if (this.#dead(slot)) {
			return;
		}

		const current = slot.credential as OAuthCredential;
		const fresh = await this.#tokens.refresh(current.refreshToken);
		const renewed: OAuthCredential = {...current, accessToken: fresh.accessToken, refreshToken: fresh.refreshToken, expiresAt: fresh.expiresAt};
		// Saved before use: the old refresh token is already dead upstream.
		await this.#save(slot, renewed);
		slot.credential = renewed;
		slot.lastRefreshMs = this.#store.now();
		this.#recovered(slot, `token renewed, valid until ${clockTime(renewed.expiresAt)}`);
	}

	async #refreshFailed(slot: Slot, error: TokenEndpointError): Promise<void> {
		const {name} = slot;
		if (error.kind === 'invalid_grant') {
			// Lost a rotation race? The winner (Claude Code, another shunt) saved the newer pair.
			if (await this.#adoptNewer(slot)) {
				this.#recovered(slot, 'picked up a newer login');
				return;
			}

			slot.deadRefreshToken = (slot.credential as OAuthCredential).refreshToken;
			this.#store.setAuthFailed(name, true);
			const claudeCode = slot.source && !slot.source.startsWith(keychainPrefix)
				? ` (or log in to Claude Code again: shunt picks the new login up from ${slot.source})`
				: '';
			this.#options.alerts.raise('reauth', `${name}: its login was revoked or replaced (${error.message}); run: ${this.#store.fixHint(name)}${claudeCode}`, name);
			return;
		}

		slot.failures++;
		const now = this.#store.now();
		let delay = Math.min(this.#retryMaxMs, this.#retryFirstMs * (2 ** (slot.failures - 1)));
		if (error.retryAfterMs !== undefined) {
			delay = Math.max(delay, Math.min(error.retryAfterMs, this.#retryMaxMs));
		}

		if (error.kind === 'other') {
			// Not a dead token, but not going to fix itself in seconds either (a moved endpoint).
			delay = this.#retryMaxMs;
		}

		slot.retryAtMs = now + delay;
		const credential = slot.credential as OAuthCredential;
		if (credential.expiresAt <= slot.retryAtMs) {
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
		this.#store.setAuthFailed(name, false);
		const view = this.#store.freshSnapshot().accounts.find(account => account.name === name);
		if (view?.cooldownReason && tokenCooldownReasons.has(view.cooldownReason)) {
			this.#store.clearCooldown(name);
		}

		this.#store.addEvent(wasReauth ? 'recovered' : 'info', `${name}: ${message}`, name);
	}

	/**
	 * Re-reads credentials.json and the login's source; adopts the newest pair if it is newer than
	 * ours (and not the dead one), and brings the older store up to date. True when adopted.
	 */
	async #adoptNewer(slot: Slot): Promise<boolean> {
		const current = slot.credential as OAuthCredential;
		// source: where the login now comes from, when credentials.json says (a re-login replaces an import).
		const candidates: Array<{pair: TokenPair; source?: string | undefined}> = [];
		try {
			const stored = readStoredPair(this.#options.credentialsFile, slot.name);
			if (stored) {
				candidates.push({pair: stored, source: stored.source});
			}
		} catch {
			// An unreadable credentials.json is reported when we try to save; nothing to adopt from it.
		}

		const fromSource = await readSourcePair(slot.source);
		if (fromSource) {
			candidates.push({pair: fromSource, source: slot.source});
		}

		const newest = candidates
			.filter(({pair}) => pair.expiresAt > current.expiresAt && pair.refreshToken !== slot.deadRefreshToken && pair.accessToken !== current.accessToken)
			.sort((a, b) => b.pair.expiresAt - a.pair.expiresAt)[0];
		if (!newest) {
			return false;
		}

		const {pair} = newest;
		if (newest.source !== undefined) {
			// A fresh browser login is its own chain: never write it into Claude Code's file.
			slot.source = newest.source === 'login' ? undefined : newest.source;
		}

		const adopted: OAuthCredential = {...current, accessToken: pair.accessToken, refreshToken: pair.refreshToken, expiresAt: pair.expiresAt, source: newest.source ?? current.source};
		await this.#save(slot, adopted);
		slot.credential = adopted;
		return true;
	}

	/** Both stores, each guarded against overwriting something newer. Failures are reported, not thrown. */
	async #save(slot: Slot, credential: OAuthCredential): Promise<void> {
		try {
			saveStoredPair(this.#options.credentialsFile, slot.name, credential);
		} catch (error) {
			this.#store.addEvent('auth', `${slot.name}: could not save the renewed token to ${this.#options.credentialsFile} (${(error as Error).message}); it is kept in memory`, slot.name);
		}

		if (slot.source) {
			try {
				await saveSourcePair(slot.source, credential);
			} catch (error) {
				this.#store.addEvent('auth', `${slot.name}: could not write the renewed token back to ${slot.source} (${(error as Error).message})`, slot.name);
			}
		}
	}

	// ---------------------------------------------------------------- background upkeep

	#tick(): void {
		if (!this.#running) {
			return;
		}

		for (const slot of this.#oauthSlots()) {
			if (slot.inFlight) {
				continue;
			}

			if (this.#waitingForUser(slot)) {
				// The fix is a new login written by `shunt add-account` or Claude Code: watch for it.
				void this.#adoptNewer(slot).then(adopted => {
					if (adopted) {
						this.#recovered(slot, 'picked up a new login');
					}
				}, () => undefined);
			} else if (this.#due(slot)) {
				void this.#refreshOnce(slot, {force: false});
			}
		}

		this.#schedule();
	}

	/** Sleeps until the next token comes due or a backoff ends, at most checkEveryMs. */
	#schedule(): void {
		if (!this.#running) {
			return;
		}

		const now = this.#store.now();
		let next = now + this.#checkEveryMs;
		for (const slot of this.#oauthSlots()) {
			// Accounts waiting for the user are only looked at every checkEveryMs.
			if (!this.#waitingForUser(slot) && !slot.inFlight) {
				next = Math.min(next, this.#dueAt(slot));
			}
		}

		clearTimeout(this.#timer);
		this.#timer = setTimeout(() => {
			this.#tick();
		}, Math.max(50, next - now)).unref();
	}
}
