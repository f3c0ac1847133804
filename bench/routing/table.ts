// The routing benchmark's table: one row per run, the targets each run meets, and the pool.
import type {BenchConfig} from './config.js';
import type {RunResult} from './scenario.js';

export const targets = {
	/** Requests that reached the client as a 429 or error while some account could have served them. */
	failedWhileServable: 0,
	/** Share of the pool's capacity used before the first client-visible 429 or error. */
	capacityUsed: 0.98,
	/** Attempts sent to an account whose relevant window was already known spent. */
	sentToKnownSpent: 0,
} as const;

export type Verdicts = {failedWhileServable: boolean; capacityUsed: boolean; sentToKnownSpent: boolean};

/** No client-visible failure at all also meets the capacity target: the pool never turned a client away. */
export function verdicts(run: RunResult): Verdicts {
	const {metrics} = run;
	return {
		failedWhileServable: metrics.requests.failedWhileServable <= targets.failedWhileServable,
		capacityUsed: metrics.firstFailure === null || metrics.firstFailure.capacityUsed >= targets.capacityUsed,
		sentToKnownSpent: metrics.sentToKnownSpent.total <= targets.sentToKnownSpent,
	};
}

const percent = (fraction: number): string => `${(fraction * 100).toFixed(1)} %`;
const thousands = (tokens: number): string => (Math.abs(tokens) >= 10_000 ? `${Math.round(tokens / 1000)}k` : String(Math.round(tokens)));
const signed = (tokens: number): string => (tokens > 0 ? `+${thousands(tokens)}` : thousands(tokens));
const clock = (offsetMs: number): string => {
	const minutes = Math.floor(offsetMs / 60_000);
	return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}`;
};

type Column = {title: string[]; cell: (run: RunResult) => string};

function columns(neverMove: RunResult | undefined): Column[] {
	return [
		{title: ['run', ''], cell: run => run.name},
		{title: ['requests', 'sent'], cell: run => String(run.metrics.requests.total)},
		{title: ['served', ''], cell: run => String(run.metrics.requests.served)},
		{title: ['429/error', '(servable)'], cell: run => `${run.metrics.requests.failed} (${run.metrics.requests.failedWhileServable})`},
		{title: ['capacity used', 'at 1st 429'], cell: run => (run.metrics.firstFailure ? `${percent(run.metrics.firstFailure.capacityUsed)} @${clock(run.metrics.firstFailure.offsetMs)}` : 'no 429')},
		{title: ['fail-', 'overs'], cell: run => String(run.metrics.attempts.failovers)},
		{title: ['sent to spent', '(known spent)'], cell: run => `${run.metrics.sentToSpent.total} (${run.metrics.sentToKnownSpent.total})`},
		{title: ['Opus to spent', 'weekly Opus'], cell: run => String(run.metrics.sentToSpent.byWindow['7d_opus'] ?? 0)},
		{title: ['moves', '(forced)'], cell: run => `${run.metrics.cache.moves} (${run.metrics.cache.forcedMoves})`},
		{title: ['cache writes from moves', '(of never-move\'s writes)'], cell: run => `${signed(run.metrics.cache.moveWriteTokens)}${neverMove ? ` (${percent(run.metrics.cache.moveWriteTokens / neverMove.metrics.cache.writeTokens)})` : ''}`},
		{title: ['cache', 'hit rate'], cell: run => percent(run.metrics.cache.hitRate)},
		{title: ['7d spread', 'at end'], cell: run => percent(run.metrics.spread.sevenDay)},
		{title: ['fallback', 'served'], cell: run => String(run.metrics.requests.servedByFallback)},
		{title: ['holds', ''], cell: run => String(run.metrics.requests.held)},
	];
}

export function renderTable(config: BenchConfig, runs: readonly RunResult[]): string {
	const neverMove = runs.find(run => run.name === 'never-move');
	const cols = columns(neverMove);
	const rows = runs.map(run => cols.map(column => column.cell(run)));
	const widths = cols.map((column, index) => Math.max(...column.title.map(line => line.length), ...rows.map(row => row[index]!.length)));
	const line = (cells: string[]) => cells.map((cell, index) => (index === 0 ? cell.padEnd(widths[index]!) : cell.padStart(widths[index]!))).join('  ').trimEnd();
	const lines = [
		`Routing benchmark (${config.mode}): seed "${config.seed}", ${config.workload.sessions.length} sessions over ${Math.round(config.dayMs / 60_000)} simulated minutes from ${new Date(config.startMs).toISOString()}, ${config.pool.length} accounts`,
		'',
		line(cols.map(column => column.title[0]!)),
		line(cols.map(column => column.title[1]!)),
		line(widths.map(width => '-'.repeat(width))),
		...rows.map(row => line(row)),
		'',
		'Targets (shunt runs):',
	];
	const shunt = runs.filter(run => run.strategy !== null && run.name !== 'never-move');
	const meeting = (key: keyof Verdicts) => {
		const met = shunt.filter(run => verdicts(run)[key]).map(run => run.name);
		return met.length === shunt.length ? 'PASS (all)' : `MISS (met by: ${met.length === 0 ? 'none' : met.join(', ')})`;
	};

	lines.push(
		`  client 429s/errors while an account could serve = ${targets.failedWhileServable}: ${meeting('failedWhileServable')}`,
		`  capacity used before the first client 429 >= ${percent(targets.capacityUsed)}: ${meeting('capacityUsed')}`,
		`  requests sent to a window known spent = ${targets.sentToKnownSpent}: ${meeting('sentToKnownSpent')}`,
		'  cache writes from moves: lower is better; never-move\'s total cache writes are the floor a workload pays without moving',
		'',
		'Runs:',
		...runs.map(run => `  ${run.name.padEnd(widths[0]!)}  ${run.about}`),
		'',
		`Pool: ${config.pool.map(account => `${account.name} (${account.plan}, 5h ${percent(account.utilization5h)}, 7d ${percent(account.utilization7d)}${Object.entries(account.scoped).map(([scope, window]) => `, ${scope} ${percent(window.utilization)}`).join('')})`).join('; ')}`,
	);
	return lines.join('\n');
}
