// One run of the workload through one target, in virtual time: a fresh simulator with the pool, a
// fresh shunt (or the round-robin client), the same seeded workload, then the numbers.
import {defaultSettings} from '../../source/accounts/settings.js';
import {strategyNames, type StrategyName} from '../../source/routing/strategy-names.js';
import {Simulator} from '../../source/simulator/index.js';
import {text} from './conversation.js';
import {simAccount, type BenchConfig} from './config.js';
import {Driver} from './driver.js';
import {GroundTruth} from './ground-truth.js';
import {runMetrics, type ClientRecord, type RunMetrics} from './metrics.js';
import {Random} from './prng.js';
import {roundRobin, startShunt, type Target} from './targets.js';
import {VirtualClock} from './virtual-clock.js';
import {Workload} from './workload.js';

export type Scenario =
	| {name: string; kind: 'shunt'; strategy: StrategyName; stickyTtlMs: number; burstRpmLimit: number; about: string}
	| {name: string; kind: 'round-robin'; about: string};

const weekMs = 7 * 86_400_000;

/** Every strategy as shunt runs it by default, the never-move baseline, and round-robin. */
export const scenarios: readonly Scenario[] = [
	...strategyNames.map((strategy): Scenario => ({
		name: strategy,
		kind: 'shunt',
		strategy,
		stickyTtlMs: defaultSettings.stickyTtlMinutes * 60_000,
		burstRpmLimit: defaultSettings.burstRpmLimit,
		about: `shunt, strategy ${strategy}, default settings`,
	})),
	{
		name: 'never-move',
		kind: 'shunt',
		strategy: 'maximus',
		stickyTtlMs: weekMs,
		burstRpmLimit: 0,
		about: 'shunt, maximus, sticky sessions for a week and no burst limit: a conversation leaves its account only when that account refuses it',
	},
	{name: 'round-robin', kind: 'round-robin', about: 'no shunt: a client that sends each request to the next account in turn, straight to the simulator, and retries nothing'},
];

export type RunResult = {
	name: string;
	about: string;
	strategy: StrategyName | null;
	stickyTtlMs: number | null;
	burstRpmLimit: number | null;
	/** Real time the run took. */
	elapsedMs: number;
	metrics: RunMetrics;
};

export async function runScenario(scenario: Scenario, config: BenchConfig): Promise<RunResult> {
	const started = performance.now();
	const clock = new VirtualClock(config.startMs);
	// The log ring is not needed: every entry is read as it is logged.
	const simulator = new Simulator({now: clock.now, replyText: text('Done', config.replyBytes), logLimit: 1});
	await simulator.listen();
	for (const account of config.pool) {
		simulator.addAccount(simAccount(account, config.startMs));
	}

	const threads = new Map<string, string>();
	const truth = new GroundTruth(simulator, config.pool, id => threads.get(id));
	let target: Target | undefined;
	try {
		target = scenario.kind === 'shunt'
			? await startShunt({upstream: simulator.url, pool: config.pool, strategy: scenario.strategy, stickyTtlMs: scenario.stickyTtlMs, burstRpmLimit: scenario.burstRpmLimit, clock})
			: roundRobin(simulator.url, config.pool);
		const driver = new Driver(clock);
		const workload = new Workload(new Random(config.seed), config.workload, config.startMs);
		const records: ClientRecord[] = [];
		let counter = 0;
		const to = target;
		await driver.run(async () => workload.run({
			now: clock.now,
			sleep: clock.sleep,
			async send({body, thread, model}) {
				const id = `${scenario.name}-${++counter}`;
				threads.set(id, thread);
				const atMs = clock.now();
				const answer = await driver.request(async () => to.send(body, id));
				const account = answer.headers['x-shunt-account'];
				const record: ClientRecord = {id, thread, model, atMs, doneAtMs: clock.now(), status: answer.status, account: typeof account === 'string' ? account : undefined};
				if (answer.status !== 200) {
					record.pool = truth.headroomAt(clock.now(), model);
				}

				records.push(record);
				return answer.status === 200;
			},
		}));
		const endUtilization = truth.utilizationAt(clock.now());
		// Closing both ends logs every attempt still being written.
		await target.close();
		target = undefined;
		await simulator.close();
		return {
			name: scenario.name,
			about: scenario.about,
			strategy: scenario.kind === 'shunt' ? scenario.strategy : null,
			stickyTtlMs: scenario.kind === 'shunt' ? scenario.stickyTtlMs : null,
			burstRpmLimit: scenario.kind === 'shunt' ? scenario.burstRpmLimit : null,
			elapsedMs: Math.round(performance.now() - started),
			metrics: runMetrics({startMs: config.startMs, records, attempts: truth.attempts, endUtilization, holds: {count: clock.holds, virtualMs: clock.heldMs}}),
		};
	} finally {
		await target?.close();
		await simulator.close();
	}
}
