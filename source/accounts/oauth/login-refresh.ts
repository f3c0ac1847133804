// Refreshing one subscription login, and what follows from the outcome. Refresh tokens rotate, so
// a refresh is single-flight per account, and the new pair is saved before anyone uses it (the old
// refresh token is already dead upstream). A newer pair found elsewhere (credentials.json, the
// login's source, the pool) is adopted instead of refreshing; in team mode one instance of the pool
// refreshes at a time. A dead refresh token (invalid_grant) puts the account in reauth once, with
// the command that fixes it; transient failures back off exponentially. When to refresh is decided
// in refresh-policy.ts; the stores are read and written through pair-stores.ts.
import type {Alerts} from '../../alerts/alerts.js';
import type {AuthStore} from '../../state/ports.js';
import {clockTime} from '../../util/clock-time.js';
import type {OAuthCredential} from '../types.js';
import {keychainPrefix} from './claude-code-import.js';
import type {PairStores} from './pair-stores.js';
import {
	adoptionSuffices, backoffAfter, isDead, type OAuthSlot, type RefreshTimings,
} from './refresh-policy.js';
import type {SharedLogins} from './shared-logins.js';
import {TokenEndpointError, type TokenClient} from './token-client.js';

/** A login's refresh state, with what is under way for it. */
export type LoginSlot = OAuthSlot & {
	/** The refresh (or adoption) running now: everyone who needs its outcome awaits this one. */
	inFlight?: Promise<void> | undefined;
	/** In reauth with a refresh token that may still work: the last refresh tried (or when that began). */
	reauthTriedMs?: number | undefined;
};

export type LoginRefreshOptions = {
	store: AuthStore;
	alerts: Pick<Alerts, 'raise'>;
	tokens: TokenClient;
	timings: RefreshTimings;
	pairs: PairStores;
	/** Team mode: the pool's instances take turns refreshing. */
	shared?: SharedLogins | undefined;
	/** A refresh or an adoption ended: the background upkeep plans its next look. */
	settled: () => void;
};

/** Cooldowns a renewed token ends: ours while waiting to refresh, and the proxy's after a 401. */
const tokenCooldownReasons = new Set(['token refresh', '401']);

export class LoginRefresh {
	readonly #options: LoginRefreshOptions;
	readonly #store: AuthStore;
	readonly #pairs: PairStores;

	constructor(options: LoginRefreshOptions) {
		this.#options = options;
		this.#store = options.store;
		this.#pairs = options.pairs;
	}

	/** Single flight: every caller while a refresh runs awaits that one. */
	async once(slot: LoginSlot, options: {force: boolean}): Promise<void> {
		slot.inFlight ??= this.#refresh(slot, options).finally(() => {
			slot.inFlight = undefined;
			this.#options.settled();
		});
		return slot.inFlight;
	}

	/** Another instance published a newer pair: take it over now (unless a refresh of ours runs: it looks itself). */
	adoptShared(slot: LoginSlot): void {
		if (slot.inFlight) {
			return;
		}

		slot.inFlight = this.#pairs.adoptNewer(slot).then(adopted => {
			if (adopted) {
				this.#recovered(slot, 'picked up the pool\'s renewed login');
			}
		}, () => undefined).finally(() => {
			slot.inFlight = undefined;
			this.#options.settled();
		});
	}

	/** Waiting for the user: the fix is a new login written by `shunt add-account` or Claude Code. */
	watchForNewLogin(slot: LoginSlot): void {
		void this.#pairs.adoptNewer(slot).then(adopted => {
			if (adopted) {
				this.#recovered(slot, 'picked up a new login');
			}
		}, () => undefined);
	}

	/** Never rejects: whatever goes wrong becomes a failure with backoff, not a crash. */
	async #refresh(slot: LoginSlot, options: {force: boolean}): Promise<void> {
		try {
			await this.#tryRefresh(slot, options);
		} catch (error) {
			await this.#refreshFailed(slot, error instanceof TokenEndpointError ? error : new TokenEndpointError('other', (error as Error).message));
		}
	}

	async #tryRefresh(slot: LoginSlot, {force}: {force: boolean}): Promise<void> {
		const before = slot.credential;
		const {marginMs} = this.#options.timings;
		if (await this.#pairs.adoptNewer(slot) && adoptionSuffices(before, slot.credential, this.#store.now(), marginMs, force)) {
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
			if (await this.#pairs.adoptNewer(slot) && adoptionSuffices(before, slot.credential, this.#store.now(), marginMs, force)) {
				this.#recovered(slot, 'picked up the pool\'s renewed login');
				return;
			}

			await this.#refreshNow(slot);
		});
		if (outcome === 'elsewhere') {
			if (await this.#pairs.adoptNewer(slot) && adoptionSuffices(before, slot.credential, this.#store.now(), marginMs, force)) {
				this.#recovered(slot, 'picked up the pool\'s renewed login');
				return;
			}

			// Its refresh did not finish in time; sending our copy of the token could kill its result.
			throw new TokenEndpointError('transient', 'another instance of the pool is refreshing this login');
		}
	}

	/** Rotates the pair at the token endpoint; the new one is saved (and given to the pool) before use. */
	async #refreshNow(slot: LoginSlot): Promise<void> {
		const current = slot.credential;
		const fresh = await this.#options.tokens.refresh(current.refreshToken);
		const renewed: OAuthCredential = {
			...current, accessToken: fresh.accessToken, refreshToken: fresh.refreshToken, expiresAt: fresh.expiresAt,
		};
		// Saved before use: the old refresh token is already dead upstream.
		await this.#pairs.save(slot, renewed);
		slot.credential = renewed;
		slot.lastRefreshMs = this.#store.now();
		// Before the refresh lease is given back: whoever takes it next must find this pair.
		await this.#pairs.publish(slot.name, renewed);
		this.#recovered(slot, `token renewed, valid until ${clockTime(renewed.expiresAt)}`);
	}

	async #refreshFailed(slot: LoginSlot, error: TokenEndpointError): Promise<void> {
		const {name} = slot;
		if (error.kind === 'invalid_grant') {
			// Lost a rotation race? The winner (Claude Code, another shunt) saved the newer pair.
			if (await this.#pairs.adoptNewer(slot)) {
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
		const delay = backoffAfter(slot.failures, error, this.#options.timings);
		slot.retryAtMs = this.#store.now() + delay;
		if (slot.credential.expiresAt <= slot.retryAtMs) {
			this.#store.setCooldown(name, slot.retryAtMs, {reason: 'token refresh'});
		}

		this.#store.addEvent('auth', `${name}: token refresh failed (${error.message}); retrying in ${Math.round(delay / 1000)}s`, name);
	}

	/** A working pair again: forget failures, leave reauth, end cooldowns the old token caused. */
	#recovered(slot: LoginSlot, message: string): void {
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
}
