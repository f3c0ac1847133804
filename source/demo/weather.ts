import type {ArmedFault, Simulator} from '../simulator/index.js';

/**
 * The demo's bad weather: now and then one account gets a transient upstream problem (a
 * windowless 429, an overload) or runs out of its 5-hour window at once (as a burst of work
 * elsewhere would spend it), so failover and staggered cooldowns happen on screen within the
 * first minute. Running out is real in the simulator, not a faked answer, so every later answer
 * agrees with the 429 until the window resets.
 */
export function startWeather(simulator: Simulator, credentials: readonly string[], options: {everyMs: number; random?: () => number}): () => void {
	const random = options.random ?? Math.random;
	const arm = (fault: ArmedFault) => (credential: string) => {
		simulator.arm(credential, fault);
	};

	const weather: Array<(credential: string) => void> = [
		arm({type: 'windowless_429'}),
		arm({type: 'overloaded'}),
		credential => {
			simulator.setUtilization(credential, {fiveHour: 1});
		},
	];
	const timer = setInterval(() => {
		const credential = credentials[Math.floor(random() * credentials.length)]!;
		weather[Math.floor(random() * weather.length)]!(credential);
	}, options.everyMs);
	timer.unref();
	return () => {
		clearInterval(timer);
	};
}
