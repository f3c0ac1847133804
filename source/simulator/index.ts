// The simulator's public surface: a fake Anthropic API for tests, the demo and the benchmark.
export {Simulator} from './server.js';
export {fingerprint} from './ids.js';
export {defaultModels} from './models.js';
export {simClientId} from './oauth-book.js';
export type {
	ArmedFault, ArmedOAuthFault, SimAccount, SimAuthorizeRequest, SimFault, SimLoginLimits, SimOAuthFault, SimOAuthLogin, SimOAuthLoginState, SimOAuthOptions,
	SimRequestLogEntry, SimScopedWindow, SimulatorOptions, SimUsage, SimUsageShape, SimUtilization,
} from './sim-types.js';
