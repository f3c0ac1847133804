// Where a login's pair lives besides memory: shunt's credentials.json, an imported login's source
// (token-sync.ts reads and writes those two), and in team mode the pool. Adopting a newer pair
// found in any of them saves it to the files first and offers it to the pool, so every copy ends
// up with the newest pair; a store that cannot be written is reported as an event, never thrown.
import type {AuthStore} from '../../state/ports.js';
import type {OAuthCredential} from '../types.js';
import type {OAuthSlot} from './refresh-policy.js';
import type {SharedLogins} from './shared-logins.js';
import {findNewer, savePair} from './token-sync.js';

export type PairStoresOptions = {
	credentialsFile: string;
	store: Pick<AuthStore, 'addEvent'>;
	/** Team mode: the pool's newest pairs. */
	shared?: SharedLogins | undefined;
};

export class PairStores {
	readonly #credentialsFile: string;
	readonly #store: Pick<AuthStore, 'addEvent'>;
	readonly #shared: SharedLogins | undefined;

	constructor(options: PairStoresOptions) {
		this.#credentialsFile = options.credentialsFile;
		this.#store = options.store;
		this.#shared = options.shared;
	}

	/** Takes over a newer pair from credentials.json, the login's source or the pool, saved to both files first. True when adopted. */
	async adoptNewer(slot: OAuthSlot): Promise<boolean> {
		const pooled = this.#shared?.newest(slot.name);
		const newer = await findNewer(this.#credentialsFile, slot, pooled ? [{pair: pooled}] : []);
		if (!newer) {
			return false;
		}

		slot.source = newer.source;
		await this.save(slot, newer.credential);
		slot.credential = newer.credential;
		// A login renewed outside shunt (Claude Code, a new add-account) is news to the pool too.
		await this.publish(slot.name, newer.credential);
		return true;
	}

	/** A store that cannot be written is reported; the pair is kept in memory either way. */
	async save(slot: Pick<OAuthSlot, 'name' | 'source'>, credential: OAuthCredential): Promise<void> {
		for (const {store, location, message} of await savePair(this.#credentialsFile, slot.name, slot.source, credential)) {
			this.#store.addEvent('auth', store === 'credentials'
				? `${slot.name}: could not save the renewed token to ${location} (${message}); it is kept in memory`
				: `${slot.name}: could not write the renewed token back to ${location} (${message})`, slot.name);
		}
	}

	/** Offers the pair to the pool (team mode; kept there only where it is newer). Never rejects. */
	publish(account: string, credential: OAuthCredential): Promise<void> | undefined {
		return this.#shared?.publish(account, credential);
	}
}
