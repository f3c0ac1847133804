// Fixed values of Anthropic's API that more than one part of shunt sends.

/** Subscription (OAuth) requests need this beta next to the bearer token: messages, usage and profile alike. */
export const oauthBeta = 'oauth-2025-04-20';

/** The API version shunt's own requests (background checks) send; clients' requests carry their own. */
export const anthropicVersion = '2023-06-01';
