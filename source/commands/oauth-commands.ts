// `shunt add-account <name>` (browser login, PKCE paste flow) and `shunt import-claude-code [<name>]`.
// Both check everything before writing anything, write the secret first and the account second,
// and never print more of a token than redactSecret allows.
import process from 'node:process';
import {accountNameProblem} from '../accounts/account-name.js';
import {updateCredential} from '../accounts/credentials.js';
import {ClaudeCodeLoginError} from '../accounts/oauth/claude-code-file.js';
import {
	currentEnvironment, findClaudeCodeLogin, keychainPrefix, type ImportEnvironment,
} from '../accounts/oauth/claude-code-import.js';
import {tokenUrl} from '../accounts/oauth/constants.js';
import {parsePastedCode} from '../accounts/oauth/pasted-code.js';
import {startLogin} from '../accounts/oauth/pkce.js';
import {fetchProfileEmail} from '../accounts/oauth/profile.js';
import {TokenClient, TokenEndpointError} from '../accounts/oauth/token-client.js';
import type {ShuntPaths} from '../accounts/paths.js';
import type {AccountConfig, OAuthCredential} from '../accounts/types.js';
import {redactSecret} from '../util/redact.js';
import {terminalSafe} from '../util/terminal-safe.js';
import {openConfig, readCredentials} from '../accounts/open.js';
import {UserError} from '../util/user-error.js';
import {openBrowser} from './open-browser.js';
import {readLine} from './read-line.js';

export const defaultImportName = 'claude-code';

function checkName(name: string | undefined): string {
	const problem = accountNameProblem(name);
	if (problem) {
		throw new UserError(problem);
	}

	return name!;
}

function validity(expiresAt: number, now = Date.now()): string {
	const minutes = Math.round((expiresAt - now) / 60_000);
	if (minutes <= 0) {
		return 'access token expired; shunt renews it on first use';
	}

	return `access token valid for ${minutes >= 60 ? `${Math.floor(minutes / 60)}h ${minutes % 60}m` : `${minutes}m`}`;
}

/** Writes the secret, then the account; undoes the secret if the account cannot be written. */
function saveAccount(paths: ShuntPaths, account: AccountConfig, credential: OAuthCredential, replacing: boolean): void {
	const config = openConfig(paths);
	const previous = readCredentials(paths)[account.name];
	updateCredential(paths.credentialsFile, account.name, credential);
	try {
		if (replacing) {
			const {name: _name, ...changes} = account;
			// Only what we know: an unknown email must not erase the one on file.
			config.updateAccount(account.name, Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined)));
		} else {
			config.addAccount(account);
		}
	} catch (error) {
		updateCredential(paths.credentialsFile, account.name, previous);
		throw new UserError((error as Error).message);
	}
}

// ---------------------------------------------------------------- import-claude-code

export async function importClaudeCode(paths: ShuntPaths, nameArgument: string | undefined, environment: ImportEnvironment = currentEnvironment()): Promise<string> {
	const name = checkName(nameArgument ?? defaultImportName);
	const config = openConfig(paths);
	if (config.accounts.some(account => account.name === name)) {
		throw new UserError(`an account named "${name}" already exists (choose another name: shunt import-claude-code <name>, or remove it first: shunt remove-account ${name})`);
	}

	const stored = readCredentials(paths);
	let login;
	try {
		login = await findClaudeCodeLogin(environment);
	} catch (error) {
		if (error instanceof ClaudeCodeLoginError) {
			throw new UserError(error.message);
		}

		throw error;
	}

	// Two accounts on one refresh-token chain would rotate it out from under each other.
	const twin = Object.entries(stored).find(([, credential]) => credential.type === 'oauth' && (credential.refreshToken === login.refreshToken || credential.source === login.source));
	if (twin) {
		throw new UserError(`account "${twin[0]}" already uses this Claude Code login (${login.source}); one login can back only one account`);
	}

	const credential: OAuthCredential = {
		type: 'oauth',
		accessToken: login.accessToken,
		refreshToken: login.refreshToken,
		expiresAt: login.expiresAt,
		email: login.email,
		source: login.source,
	};
	saveAccount(paths, {
		name, kind: 'oauth', plan: login.subscriptionType, email: login.email, source: login.source,
	}, credential, false);
	// The plan and email come from Claude Code's file or the Keychain: printed cleaned.
	const details = terminalSafe([login.subscriptionType, login.email, `token ${redactSecret(login.accessToken)}`, validity(login.expiresAt)].filter(Boolean).join(', '));
	const sharing = login.source.startsWith(keychainPrefix)
		? 'shunt renews this login itself but cannot write the Keychain: after its first renewal, log in to Claude Code again (or give shunt its own login with `shunt add-account <name>`).'
		: `shunt renews this login itself and writes each new token back to ${login.source}, so Claude Code stays logged in.`;
	return `Imported Claude Code's login as "${name}" (${details}).\n${sharing}`;
}

// ---------------------------------------------------------------- add-account (browser login)

export type LoginIo = {
	/** Instructions and the URL. */
	say(text: string): void;
	/** The pasted line; undefined when input ended. */
	readPaste(): Promise<string | undefined>;
	open(url: string): boolean;
};

const terminalIo: LoginIo = {
	say(text) {
		process.stdout.write(`${text}\n`);
	},
	readPaste: async () => readLine(process.stdin),
	open: url => openBrowser(url),
};

function exchangeProblem(error: TokenEndpointError, name: string): UserError {
	switch (error.kind) {
		case 'invalid_grant': {
			return new UserError(`the login code was refused (${error.message}): codes work once and expire within minutes. Run \`shunt add-account ${name}\` again and paste the new code. Nothing was saved.`);
		}

		case 'transient': {
			return new UserError(`${error.message}. Check your connection and run \`shunt add-account ${name}\` again. Nothing was saved.`);
		}

		default: {
			return new UserError(`${error.message}. Nothing was saved.`);
		}
	}
}

export type AddOAuthOptions = {
	env?: NodeJS.ProcessEnv;
	/** API base for the profile lookup (email), as for the proxy's --upstream. */
	upstream: string;
	io?: LoginIo;
};

/**
 * Claude subscription login, PKCE S256 with the paste flow: print (and where possible open) the
 * authorize URL, read the pasted `code#state`, check the state, exchange the code. Adding an
 * existing subscription account's name again renews its login (the fix for `reauth`).
 */
export async function addOAuthAccount(paths: ShuntPaths, nameArgument: string | undefined, options: AddOAuthOptions): Promise<string> {
	const name = checkName(nameArgument);
	const io = options.io ?? terminalIo;
	const existing = openConfig(paths).accounts.find(account => account.name === name);
	if (existing?.kind === 'apikey') {
		throw new UserError(`"${name}" is an API-key account; to turn it into a subscription login, remove it first: shunt remove-account ${name}`);
	}

	// Refuse an unreadable credentials.json before the user goes through the browser.
	readCredentials(paths);
	const login = startLogin();
	const opened = io.open(login.url);
	io.say([
		existing ? `Renewing the login of "${name}".` : `Adding Claude subscription account "${name}".`,
		opened ? 'Your browser should open; if it does not, open this URL:' : 'Open this URL in a browser and log in with the Claude account to add:',
		'',
		`  ${login.url}`,
		'',
		'After you approve, the page shows a code. Paste all of it here (it looks like code#state) and press Enter:',
	].join('\n'));

	const line = await io.readPaste();
	if (line === undefined || line.trim() === '') {
		throw new UserError('no code was pasted. Nothing was saved.');
	}

	const pasted = parsePastedCode(line);
	if (!pasted) {
		throw new UserError('that does not look like the code from the login page: paste the whole text it shows, of the form code#state. Nothing was saved.');
	}

	if (pasted.state !== login.state) {
		throw new UserError(`that code belongs to a different login attempt (state mismatch). Run \`shunt add-account ${name}\` again and use the URL it prints. Nothing was saved.`);
	}

	const client = new TokenClient({url: tokenUrl(options.env)});
	let tokens;
	try {
		tokens = await client.exchangeCode({code: pasted.code, state: pasted.state, verifier: login.verifier});
	} catch (error) {
		if (error instanceof TokenEndpointError) {
			throw exchangeProblem(error, name);
		}

		throw error;
	}

	const email = tokens.email ?? await fetchProfileEmail(options.upstream, tokens.accessToken);
	const credential: OAuthCredential = {
		type: 'oauth', accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, expiresAt: tokens.expiresAt, email, source: 'login',
	};
	saveAccount(paths, {
		name, kind: 'oauth', email, source: 'login', plan: existing?.plan,
	}, credential, existing !== undefined);
	// The email is the token endpoint's or the profile endpoint's: printed cleaned.
	const details = terminalSafe([email, `token ${redactSecret(tokens.accessToken)}`, validity(tokens.expiresAt)].filter(Boolean).join(', '));
	return existing
		? `Renewed the login of "${name}" (${details}). A running shunt picks it up within a minute.`
		: `Added subscription account "${name}" (${details}). Start shunt to use it: shunt`;
}
