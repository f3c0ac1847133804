import {oauthBeta} from '../../anthropic/constants.js';

/** The login's email from GET /api/oauth/profile, or undefined; a profile is nice to have, never required. */
export async function fetchProfileEmail(upstream: string, accessToken: string, timeoutMs = 8000): Promise<string | undefined> {
	try {
		const response = await fetch(new URL('/api/oauth/profile', upstream), {
			headers: {authorization: `Bearer ${accessToken}`, 'anthropic-beta': oauthBeta, accept: 'application/json'},
			redirect: 'error',
			signal: AbortSignal.timeout(timeoutMs),
		});
		if (!response.ok) {
			return undefined;
		}

		const body = await response.json() as {account?: {email?: unknown; email_address?: unknown}};
		const email = body.account?.email ?? body.account?.email_address;
		return typeof email === 'string' && email !== '' ? email : undefined;
	} catch {
		return undefined;
	}
}
