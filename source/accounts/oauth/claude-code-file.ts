// Claude Code's stored login: {"claudeAiOauth": {accessToken, refreshToken, expiresAt (epoch ms),
// scopes, subscriptionType, …}, …other keys such as mcpOAuth}. The same JSON lives in
// ~/.claude/.credentials.json (or $CLAUDE_CONFIG_DIR/.credentials.json) and in the macOS Keychain.
import {readFileSync, realpathSync, statSync} from 'node:fs';
import {writeFileAtomic} from '../../util/atomic-write.js';
import {asRecord} from '../../util/json.js';

export type ClaudeCodeLogin = {
	accessToken: string;
	refreshToken: string;
	/** Epoch milliseconds. */
	expiresAt: number;
	subscriptionType?: string;
};

/** A problem with Claude Code's login that the user can act on; the message says how. */
export class ClaudeCodeLoginError extends Error {}

/** Parses the JSON; `where` names the file or Keychain item in messages. Never echoes the content. */
export function parseClaudeCodeLogin(text: string, where: string): ClaudeCodeLogin {
	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch {
		throw new ClaudeCodeLoginError(`${where} is not valid JSON; log in to Claude Code again (\`claude\`, then /login) to rewrite it`);
	}

	const oauth = asRecord(asRecord(parsed)?.['claudeAiOauth']);
	if (!oauth) {
		throw new ClaudeCodeLoginError(`${where} has no "claudeAiOauth" login — Claude Code may be using an API key; log in with a Claude subscription (\`claude\`, then /login), or use \`shunt add-account <name>\``);
	}

	const {accessToken, refreshToken, expiresAt, subscriptionType} = oauth;
	if (typeof accessToken !== 'string' || accessToken === '') {
		throw new ClaudeCodeLoginError(`${where}: claudeAiOauth has no accessToken`);
	}

	if (typeof refreshToken !== 'string' || refreshToken === '') {
		throw new ClaudeCodeLoginError(`${where}: claudeAiOauth has no refreshToken, so shunt could not keep the login alive (a \`claude setup-token\` token cannot be imported); use \`shunt add-account <name>\``);
	}

	if (typeof expiresAt !== 'number' || !Number.isFinite(expiresAt)) {
		throw new ClaudeCodeLoginError(`${where}: claudeAiOauth has no numeric expiresAt`);
	}

	return {
		accessToken, refreshToken, expiresAt, subscriptionType: typeof subscriptionType === 'string' ? subscriptionType : undefined,
	};
}

/** Reads and parses a credentials file, with a clear message for each way that can fail. */
export function readClaudeCodeFile(file: string): ClaudeCodeLogin {
	let text: string;
	try {
		text = readFileSync(file, 'utf8');
	} catch (error) {
		const {code} = (error as NodeJS.ErrnoException);
		if (code === 'ENOENT') {
			throw new ClaudeCodeLoginError(`no Claude Code login found: ${file} does not exist (log in with \`claude\` first, or point CLAUDE_CONFIG_DIR at its config directory)`);
		}

		throw new ClaudeCodeLoginError(`cannot read ${file}: ${code ?? (error as Error).message}`);
	}

	return parseClaudeCodeLogin(text, file);
}

export type WriteBackResult = 'written' | 'newer-there';

/**
 * Puts a rotated pair into Claude Code's file so Claude Code's own login keeps working. The file
 * is re-read first: every other key (mcpOAuth, scopes, subscriptionType, …) is kept, its mode is
 * kept, and a pair at least as new as ours is never overwritten. Atomic (temp file + rename, on
 * the symlink's target so a linked file stays linked).
 */
export async function writeBackClaudeCodeLogin(file: string, pair: Omit<ClaudeCodeLogin, 'subscriptionType'>): Promise<WriteBackResult> {
	const target = realpathSync(file);
	const text = readFileSync(target, 'utf8');
	const mode = statSync(target).mode & 0o777;
	const data = asRecord(JSON.parse(text));
	const oauth = asRecord(data?.['claudeAiOauth']);
	if (!data || !oauth) {
		throw new Error(`${file} no longer holds a claudeAiOauth login`);
	}

	const theirs = oauth['expiresAt'];
	if (typeof theirs === 'number' && theirs >= pair.expiresAt) {
		return 'newer-there';
	}

	data['claudeAiOauth'] = {
		...oauth, accessToken: pair.accessToken, refreshToken: pair.refreshToken, expiresAt: pair.expiresAt,
	};
	// Keep the file's layout: Claude Code writes it compact.
	const serialized = text.includes('\n') ? `${JSON.stringify(data, null, 2)}\n` : JSON.stringify(data);
	await writeFileAtomic(target, serialized, mode);
	return 'written';
}
