// Accounts as configured and their secrets. The kinds are a list, so the config schema and the
// CLI derive from it and a new kind is caught everywhere.

export const accountKinds = ['oauth', 'apikey'] as const;

export type AccountKind = (typeof accountKinds)[number];

/** An account as configured (config.json). Never holds a secret. */
export type AccountConfig = {
	name: string;
	kind: AccountKind;
	/** Display only: "pro", "max", "console", … */
	plan?: string;
	email?: string;
	/** Where an OAuth login came from: "login" (browser flow) or a file path it was imported from. */
	source?: string;
};

/** Secrets, stored in credentials.json (mode 0600). */
export type ApiKeyCredential = {type: 'apikey'; key: string};
export type OAuthCredential = {
	type: 'oauth';
	accessToken: string;
	refreshToken: string;
	/** Epoch milliseconds. */
	expiresAt: number;
	email?: string;
	source?: string;
};
export type Credential = ApiKeyCredential | OAuthCredential;
