// Finding Claude Code's login for `shunt import-claude-code`: $CLAUDE_CONFIG_DIR/.credentials.json,
// else ~/.claude/.credentials.json, else (macOS only) the Keychain item "Claude Code-credentials".
import process from 'node:process';
import {execFile} from 'node:child_process';
import {createHash} from 'node:crypto';
import {existsSync, readFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
	ClaudeCodeLoginError, parseClaudeCodeLogin, readClaudeCodeFile, type ClaudeCodeLogin,
} from './claude-code-file.js';

export type FoundLogin = ClaudeCodeLogin & {
	/** An absolute file path, or "keychain:<service>". Remembered so refreshed tokens can go back. */
	source: string;
	email?: string;
};

export const keychainPrefix = 'keychain:';
const keychainService = 'Claude Code-credentials';

export type ImportEnvironment = {
	env: NodeJS.ProcessEnv;
	platform: NodeJS.Platform;
	homedir: string;
};

export const currentEnvironment = (): ImportEnvironment => ({env: process.env, platform: process.platform, homedir: os.homedir()});

function configDir(environment: ImportEnvironment): string {
	return environment.env['CLAUDE_CONFIG_DIR'] || path.join(environment.homedir, '.claude');
}

export function credentialsFilePath(environment: ImportEnvironment): string {
	return path.resolve(configDir(environment), '.credentials.json');
}

/** Claude Code keeps the account's email in its global config (.claude.json), not with the tokens. */
function emailFromConfig(environment: ImportEnvironment): string | undefined {
	const dir = environment.env['CLAUDE_CONFIG_DIR'];
	const file = dir ? path.join(dir, '.claude.json') : path.join(environment.homedir, '.claude.json');
	try {
		const parsed = JSON.parse(readFileSync(file, 'utf8')) as {oauthAccount?: {emailAddress?: unknown}};
		const email = parsed.oauthAccount?.emailAddress;
		return typeof email === 'string' && email !== '' ? email : undefined;
	} catch {
		return undefined;
	}
}

/** Keychain service names to try: with CLAUDE_CONFIG_DIR set, Claude Code suffixes a hash of it. */
function keychainServices(environment: ImportEnvironment): string[] {
	const dir = environment.env['CLAUDE_CONFIG_DIR'];
	if (!dir) {
		return [keychainService];
	}

	const hash = createHash('sha256').update(dir).digest('hex').slice(0, 8);
	return [`${keychainService}-${hash}`, keychainService];
}

/** The secret of a generic-password item, or undefined when there is no such item. */
async function findGenericPassword(service: string): Promise<string | undefined> {
	return new Promise(resolve => {
		// execFile, not a shell: the service name never meets shell parsing. -w prints only the secret.
		execFile('security', ['find-generic-password', '-s', service, '-w'], {timeout: 10_000, encoding: 'utf8'}, (error, stdout) => {
			resolve(error ? undefined : stdout.trim() || undefined);
		});
	});
}

export async function readKeychainLogin(service: string): Promise<ClaudeCodeLogin | undefined> {
	const secret = await findGenericPassword(service);
	return secret === undefined ? undefined : parseClaudeCodeLogin(secret, `the Keychain item "${service}"`);
}

/** Finds the login to import, or throws ClaudeCodeLoginError saying what is wrong and what to do. */
export async function findClaudeCodeLogin(environment: ImportEnvironment = currentEnvironment()): Promise<FoundLogin> {
	const file = credentialsFilePath(environment);
	const email = emailFromConfig(environment);
	if (existsSync(file) || environment.platform !== 'darwin') {
		return {...readClaudeCodeFile(file), source: file, email};
	}

	for (const service of keychainServices(environment)) {
		// eslint-disable-next-line no-await-in-loop
		const login = await readKeychainLogin(service);
		if (login) {
			return {...login, source: `${keychainPrefix}${service}`, email};
		}
	}

	throw new ClaudeCodeLoginError(`no Claude Code login found: neither ${file} nor the Keychain item "${keychainService}" exists (log in with \`claude\` first)`);
}
