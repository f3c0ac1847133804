// Where an OAuth pair lives outside memory: shunt's credentials.json and, for an imported login,
// the source it came from (Claude Code's file or Keychain item). Every read is fresh, because
// another process (Claude Code, another shunt command) may have rotated the pair meanwhile.
import process from 'node:process';
import {existsSync} from 'node:fs';
import {loadCredentials, saveCredentials} from '../credentials.js';
import type {OAuthCredential} from '../types.js';
import {readClaudeCodeFile, writeBackClaudeCodeLogin} from './claude-code-file.js';
import {keychainPrefix, readKeychainLogin} from './claude-code-import.js';

export type TokenPair = Pick<OAuthCredential, 'accessToken' | 'refreshToken' | 'expiresAt'>;

export type SaveResult = 'written' | 'newer-there' | 'gone' | 'read-only';

/** The account's pair in credentials.json now; undefined when absent. Throws on an unreadable file. */
export function readStoredPair(credentialsFile: string, name: string): OAuthCredential | undefined {
	const entry = loadCredentials(credentialsFile)[name];
	return entry?.type === 'oauth' ? entry : undefined;
}

/**
 * Writes the pair into credentials.json (re-read first, atomic, 0600), unless the file holds a
 * pair at least as new, or the account was removed or re-added as an API key meanwhile.
 */
export function saveStoredPair(credentialsFile: string, name: string, credential: OAuthCredential): SaveResult {
	const all = loadCredentials(credentialsFile);
	const entry = all[name];
	// Removed (or replaced by an API key) meanwhile: that decision stands.
	if (entry?.type !== 'oauth') {
		return 'gone';
	}

	if (entry.expiresAt >= credential.expiresAt && entry.accessToken !== credential.accessToken) {
		return 'newer-there';
	}

	all[name] = credential;
	saveCredentials(credentialsFile, all);
	return 'written';
}

/** The pair at an imported login's source now; undefined when unreadable or not a login any more. */
export async function readSourcePair(source: string | undefined): Promise<TokenPair | undefined> {
	try {
		if (source?.startsWith(keychainPrefix)) {
			return process.platform === 'darwin' ? await readKeychainLogin(source.slice(keychainPrefix.length)) : undefined;
		}

		return source && existsSync(source) ? readClaudeCodeFile(source) : undefined;
	} catch {
		return undefined;
	}
}

/**
 * Writes a rotated pair back to the source file so the tool it came from keeps working. A Keychain
 * source is left alone: writing it would put the secret on a command line.
 */
export async function saveSourcePair(source: string, pair: TokenPair): Promise<SaveResult> {
	if (source.startsWith(keychainPrefix)) {
		return 'read-only';
	}

	if (!existsSync(source)) {
		return 'gone';
	}

	return writeBackClaudeCodeLogin(source, pair);
}
