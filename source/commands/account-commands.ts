import {accountNameProblem} from '../accounts/account-name.js';
import {updateCredential} from '../accounts/credentials.js';
import {openConfig, readCredentials} from '../accounts/open.js';
import type {ShuntPaths} from '../accounts/paths.js';
import {redactSecret} from '../util/redact.js';
import {terminalSafe, terminalSafeJson} from '../util/terminal-safe.js';
import {UserError} from '../util/user-error.js';
import {readStdin} from './read-stdin.js';

export async function addApiKeyAccount(paths: ShuntPaths, name: string | undefined, keyArgument: string): Promise<string> {
	const problem = accountNameProblem(name);
	if (problem) {
		throw new UserError(problem);
	}

	const config = openConfig(paths);
	if (config.accounts.some(account => account.name === name)) {
		throw new UserError(`an account named "${name}" already exists (remove it first with: shunt remove-account ${name})`);
	}

	const key = (keyArgument === '-' ? await readStdin() : keyArgument).trim();
	if (key.length === 0) {
		throw new UserError('the API key is empty');
	}

	if (/\s/.test(key)) {
		throw new UserError('the API key contains whitespace; paste only the key');
	}

	// Fail on an unreadable credentials file before anything is written.
	readCredentials(paths);
	updateCredential(paths.credentialsFile, name!, {type: 'apikey', key});
	try {
		config.addAccount({name: name!, kind: 'apikey', plan: 'console'});
	} catch (error) {
		// Keep the two files consistent: no orphaned secret.
		updateCredential(paths.credentialsFile, name!, undefined);
		throw new UserError((error as Error).message);
	}

	return `Added API-key account "${name}" (key ${redactSecret(key)}).`;
}

export function removeAccount(paths: ShuntPaths, name: string | undefined): string {
	if (!name) {
		throw new UserError('usage: shunt remove-account <name>');
	}

	const config = openConfig(paths);
	if (!config.accounts.some(account => account.name === name)) {
		const known = config.accounts.map(account => account.name).join(', ');
		throw new UserError(`no account named "${name}"${known ? ` (accounts: ${known})` : ''}`);
	}

	const stored = readCredentials(paths);
	if (stored[name]) {
		updateCredential(paths.credentialsFile, name, undefined);
	}

	config.removeAccount(name);
	return `Removed account "${name}" and its credentials.`;
}

export function listAccounts(paths: ShuntPaths, json: boolean): string {
	const config = openConfig(paths);
	const stored = readCredentials(paths);
	const rows = config.accounts.map(account => {
		const credential = stored[account.name];
		return {
			name: account.name,
			kind: account.kind,
			plan: account.plan ?? null,
			email: account.email ?? null,
			source: account.source ?? null,
			hasCredential: credential !== undefined,
			expiresAt: credential?.type === 'oauth' ? credential.expiresAt : null,
		};
	});
	if (json) {
		return terminalSafeJson(JSON.stringify(rows, null, 2));
	}

	if (rows.length === 0) {
		return 'No accounts yet. Add one with `shunt add-account <name> --api-key -` or `shunt import-claude-code`, or try `shunt --demo`.';
	}

	const width = Math.max(...rows.map(row => row.name.length), 4);
	const lines = rows.map((row, index) => {
		const detail = [row.kind === 'oauth' ? 'subscription (OAuth)' : 'API key', row.plan, row.email].filter(Boolean).join(' · ');
		const warning = row.hasCredential ? '' : '  ✗ no credential stored';
		// plan and email came from a login's profile and config.json, which anything may have edited.
		return `${String(index + 1).padStart(2)}  ${row.name.padEnd(width)}  ${terminalSafe(detail)}${warning}`;
	});
	return lines.join('\n');
}
