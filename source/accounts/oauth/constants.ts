// The Claude subscription OAuth client shunt acts as: Claude Code's public client, its paste-flow
// redirect and the scopes a subscription login needs. The token URL moved once already
// (console.anthropic.com → platform.claude.com), so it can be overridden.
import process from 'node:process';

export const clientId = '9d1c250a-e61b-44d9-88ed-5944d1962f5e';

export const authorizeUrl = 'https://claude.ai/oauth/authorize';

/** The page that shows `code#state` for the user to paste back. */
export const redirectUri = 'https://platform.claude.com/oauth/code/callback';

export const scopes = ['user:inference', 'user:profile', 'user:file_upload', 'user:mcp_servers', 'user:sessions:claude_code'];

export const defaultTokenUrl = 'https://platform.claude.com/v1/oauth/token';

export function tokenUrl(env: NodeJS.ProcessEnv = process.env): string {
	return env['SHUNT_OAUTH_TOKEN_URL'] || defaultTokenUrl;
}
