// The simulator's public surface: a fake Anthropic API for tests, the demo and the benchmark.
export {Simulator} from './server.js';
export {fingerprint} from './ids.js';
export {defaultModels} from './models.js';
export type {ArmedFault, SimAccount, SimFault, SimRequestLogEntry, SimulatorOptions} from './types.js';
export {simClientId} from './oauth-book.js';
export type {
	ArmedOAuthFault, SimAuthorizeRequest, SimLoginLimits, SimOAuthFault, SimOAuthLogin, SimOAuthLoginState, SimOAuthOptions, SimUsageShape,
} from './oauth-types.js';
