import type {AccountConfig, AccountKind, Credential} from './types.js';

export type UpstreamCredential = {kind: AccountKind; secret: string};

export class MissingCredentialError extends Error {}

/**
 * Supplies each account's upstream credential. The proxy never reads credentials.json itself; the
 * OAuth implementation refreshes tokens here (single-flight per account, rotation-safe).
 */
export type AuthProvider = {
	/** The credential to send now. Rejects with MissingCredentialError when the account has none. */
	credential(account: string): Promise<UpstreamCredential>;
	/**
	 * The upstream answered 401 to usedSecret. Resolves true when a different, fresh credential is
	 * ready to try once more; false when nothing can be done without the user.
	 */
	refreshAfterUnauthorized(account: string, usedSecret: string): Promise<boolean>;
};

/** Credentials as loaded at start-up, with no refresh: API keys, and OAuth tokens used as they are. */
export class StaticAuthProvider implements AuthProvider {
	readonly #credentials: Map<string, Credential>;

	constructor(accounts: readonly AccountConfig[], credentials: Record<string, Credential>) {
		this.#credentials = new Map();
		for (const account of accounts) {
			const credential = credentials[account.name];
			if (credential) {
				this.#credentials.set(account.name, credential);
			}
		}
	}

	async credential(account: string): Promise<UpstreamCredential> {
		const credential = this.#credentials.get(account);
		if (!credential) {
			throw new MissingCredentialError(`no credential stored for account "${account}"`);
		}

		return credential.type === 'apikey'
			? {kind: 'apikey', secret: credential.key}
			: {kind: 'oauth', secret: credential.accessToken};
	}

	async refreshAfterUnauthorized(): Promise<boolean> {
		return false;
	}
}
