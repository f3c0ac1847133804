// Keeps a login's pair in step with the two stores outside memory: shunt's credentials.json and,
// for an imported login, its source (Claude Code's file or Keychain item). Nothing here talks to
// the user: what was found and what failed is returned, and the provider decides what to say.
import type {OAuthCredential} from '../types.js';
import {newestPair, type OAuthSlot, type PairCandidate} from './refresh-policy.js';
import {readSourcePair, readStoredPair, saveSourcePair, saveStoredPair} from './stored-pairs.js';

/** A newer pair to take over, and where the login comes from from now on. */
export type Adoption = {credential: OAuthCredential; source: string | undefined};

export type SaveFailure = {
	/** credentials.json, or the imported login's source. */
	store: 'credentials' | 'source';
	/** The file (or keychain:<service>) that could not be written. */
	location: string;
	message: string;
};

/**
 * Re-reads credentials.json and the login's source, and returns the newest pair there (or among
 * `more`: the team's) if it is newer than ours (and not the dead one); undefined when there is
 * nothing to adopt.
 */
export async function findNewer(credentialsFile: string, slot: Readonly<OAuthSlot>, more: readonly PairCandidate[] = []): Promise<Adoption | undefined> {
	// source: where the login now comes from, when credentials.json says (a re-login replaces an import).
	const candidates: PairCandidate[] = [...more];
	try {
		const stored = readStoredPair(credentialsFile, slot.name);
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

	const newest = newestPair(slot, candidates);
	if (!newest) {
		return undefined;
	}

	const {pair, source} = newest;
	const current = slot.credential;
	return {
		credential: {...current, accessToken: pair.accessToken, refreshToken: pair.refreshToken, expiresAt: pair.expiresAt, source: source ?? current.source},
		// A fresh browser login is its own chain: never write it into Claude Code's file.
		source: source === undefined ? slot.source : (source === 'login' ? undefined : source),
	};
}

/**
 * Writes the pair to credentials.json and then to the login's source, each guarded against
 * overwriting something newer. Never rejects: what could not be written is returned.
 */
export async function savePair(credentialsFile: string, name: string, source: string | undefined, credential: OAuthCredential): Promise<SaveFailure[]> {
	const failures: SaveFailure[] = [];
	try {
		saveStoredPair(credentialsFile, name, credential);
	} catch (error) {
		failures.push({store: 'credentials', location: credentialsFile, message: (error as Error).message});
	}

	if (source) {
		try {
			await saveSourcePair(source, credential);
		} catch (error) {
			failures.push({store: 'source', location: source, message: (error as Error).message});
		}
	}

	return failures;
}
