import {readFileSync} from 'node:fs';
import {writeFileAtomicSync} from '../util/atomic-write.js';
import type {Credential} from './types.js';

export type CredentialMap = Record<string, Credential>;

type CredentialsFile = {accounts: CredentialMap};

export class CredentialsError extends Error {}

function isCredential(value: unknown): value is Credential {
	if (typeof value !== 'object' || value === null) {
		return false;
	}

	const record = value as Record<string, unknown>;
	if (record['type'] === 'apikey') {
		return typeof record['key'] === 'string';
	}

	return record['type'] === 'oauth'
		&& typeof record['accessToken'] === 'string'
		&& typeof record['refreshToken'] === 'string'
		&& typeof record['expiresAt'] === 'number';
}

/**
 * Reads credentials.json. A missing file is an empty map; an unreadable or malformed one is an
 * error naming the file, and the file is left untouched so no secret is ever lost.
 */
export function loadCredentials(file: string): CredentialMap {
	let text: string;
	try {
		text = readFileSync(file, 'utf8');
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
			return {};
		}

		throw new CredentialsError(`cannot read ${file}: ${(error as Error).message}`);
	}

	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch (error) {
		throw new CredentialsError(`${file} is not valid JSON (${(error as Error).message}); fix it or move it aside — shunt will not overwrite it`);
	}

	const accounts = (parsed as Partial<CredentialsFile> | null)?.accounts;
	if (typeof accounts !== 'object' || accounts === null) {
		throw new CredentialsError(`${file} has no "accounts" object; fix it or move it aside`);
	}

	const result: CredentialMap = {};
	for (const [name, credential] of Object.entries(accounts)) {
		if (!isCredential(credential)) {
			throw new CredentialsError(`${file}: the entry for "${name}" is not a valid credential`);
		}

		result[name] = credential;
	}

	return result;
}

export function saveCredentials(file: string, credentials: CredentialMap): void {
	const body: CredentialsFile = {accounts: credentials};
	writeFileAtomicSync(file, `${JSON.stringify(body, null, '\t')}\n`, 0o600);
}

/**
 * Changes one entry. The file is re-read right before the write so a concurrent change to
 * another account (another shunt command) is not undone.
 */
export function updateCredential(file: string, name: string, credential: Credential | undefined): void {
	const credentials = loadCredentials(file);
	if (credential === undefined) {
		Reflect.deleteProperty(credentials, name);
	} else {
		credentials[name] = credential;
	}

	saveCredentials(file, credentials);
}
