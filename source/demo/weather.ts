import type {ArmedFault, Simulator} from '../simulator/index.js';

/**
 * The demo's bad weather: now and then one account gets a transient upstream problem (a
 * windowless 429, an overload, a short quota 429), so failover and staggered cooldowns happen
 * on screen within the first minute instead of only when a window runs out.
 */
export function startWeather(simulator: Simulator, credentials: readonly string[], options: {everyMs: number; random?: () => number}): () => void {
	const random = options.random ?? Math.random;
	const faults: Array<() => ArmedFault> = [
		() => ({type: 'windowless_429'}),
		() => ({type: 'overloaded'}),
		() => ({type: 'quota_429', window: '5h', resetInSeconds: 20 + Math.floor(random() * 25)}),
	];
	const timer = setInterval(() => {
		const credential = credentials[Math.floor(random() * credentials.length)]!;
		simulator.arm(credential, faults[Math.floor(random() * faults.length)]!());
	}, options.everyMs);
	timer.unref();
	return () => {
		clearInterval(timer);
	};
}
