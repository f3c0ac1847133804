// The route table. New surfaces (the OAuth token and usage endpoints) slot in as more rows.
import type {Route, RouteHandler} from './context.js';
import {
	getRequests, postAccounts, postArm, postClearFaults, postClock, postUtilization,
} from './control.js';
import {
	handleCountTokens, handleGetModel, handleHello, handleListModels,
} from './endpoints.js';
import {handleMessages} from './messages.js';
import {
	handleAuthorize, handleOAuthToken, handleProfile, handleUsage,
} from './oauth-endpoints.js';

const exact = (path: string) => (pathname: string) => (pathname === path ? {} : undefined);

const route = (methods: string[], match: Route['match'], handle: RouteHandler): Route => ({methods, match, handle});

export const routes: readonly Route[] = [
	route(['POST'], exact('/v1/messages'), handleMessages),
	route(['POST'], exact('/v1/messages/count_tokens'), handleCountTokens),
	route(['GET'], exact('/v1/models'), handleListModels),
	route(['GET'], pathname => {
		const match = /^\/v1\/models\/([^/]+)$/.exec(pathname);
		return match?.[1] === undefined ? undefined : {id: decodeURIComponent(match[1])};
	}, handleGetModel),
	route(['HEAD', 'GET'], exact('/api/hello'), handleHello),
	route(['POST'], exact('/v1/oauth/token'), handleOAuthToken),
	route(['GET'], exact('/oauth/authorize'), handleAuthorize),
	route(['GET'], exact('/api/oauth/usage'), handleUsage),
	route(['GET'], exact('/api/oauth/profile'), handleProfile),
	route(['POST'], exact('/__fake/accounts'), postAccounts),
	route(['POST'], exact('/__fake/arm'), postArm),
	route(['POST'], exact('/__fake/clear-faults'), postClearFaults),
	route(['POST'], exact('/__fake/utilization'), postUtilization),
	route(['POST'], exact('/__fake/clock'), postClock),
	route(['GET'], exact('/__fake/requests'), getRequests),
];

export function findRoute(method: string, pathname: string): {route: Route; params: Record<string, string>} | undefined {
	for (const candidate of routes) {
		const parameters = candidate.methods.includes(method) ? candidate.match(pathname) : undefined;
		if (parameters) {
			return {route: candidate, params: parameters};
		}
	}

	return undefined;
}

/** Control traffic stays out of the request log, so tests counting API requests see only those. */
export const isControlPath = (pathname: string): boolean => pathname.startsWith('/__fake/');
