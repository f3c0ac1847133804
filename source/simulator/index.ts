// The simulator's public surface: a fake Anthropic API for tests, the demo and the benchmark.
export {Simulator} from './server.js';
export {fingerprint} from './ids.js';
export {defaultModels} from './models.js';
export type {ArmedFault, SimAccount, SimFault, SimRequestLogEntry, SimulatorOptions} from './types.js';
