// The request log as table data: one row per request or event, newest first.
import type {AccountView} from '../monitor/contract.js';
import type {RequestRecord, StoreEvent} from '../state/records.js';
import {formatClock, formatCountdown, formatRequestDuration, formatTokens, formatUsd, shortModel} from './format.js';
import type {Density} from './layout.js';
import type {LogItem} from './log-items.js';
import type {Segment} from './segments.js';
import type {Column, TableRow} from './table-layout.js';
import {colors, eventStyles, statusColor} from './theme.js';

export function logColumns(density: Density): Column[] {
	const wide = density === 'wide';
	const narrow = density === 'narrow';
	return [
		{key: 'time', header: 'time', width: 8},
		{key: 'account', header: 'account', minWidth: 4, maxWidth: wide ? 18 : 12},
		...(narrow ? [] : [{key: 'model', header: 'model', minWidth: 6, maxWidth: wide ? 24 : 16}]),
		{key: 'status', header: 'status', minWidth: 3},
		...(narrow ? [] : [
			{key: 'input', header: 'in', align: 'right' as const, dropPriority: 3},
			{key: 'output', header: 'out', align: 'right' as const, dropPriority: 3},
		]),
		...(wide ? [
			{key: 'cache', header: 'cache', align: 'right' as const, dropPriority: 5},
			{key: 'cost', header: 'cost', align: 'right' as const, dropPriority: 6},
		] : []),
		{key: 'duration', header: 'dur', align: 'right'},
		{key: 'route', header: 'failover', grow: true, minWidth: 0},
	];
}

const outcomeWords: Readonly<Record<RequestRecord['outcome'], {long: string; short: string; color: string} | undefined>> = {
	complete: undefined,
	truncated: {long: 'truncated', short: 'trunc', color: colors.warn},
	error: {long: 'error', short: 'err', color: colors.bad},
	'client-cancelled': {long: 'cancelled', short: 'cancel', color: colors.muted},
};

const statusText = (status: number) => (status === 0 ? 'ERR' : String(status));

/** `429 home → work`: each failed try with its status, then who answered. */
export function routeSegments(request: RequestRecord): Segment[] {
	if (request.attempts.length === 0) {
		return [];
	}

	const segments: Segment[] = [];
	for (const attempt of request.attempts) {
		segments.push(
			{text: `${statusText(attempt.status)} `, color: statusColor(attempt.status)},
			{text: attempt.account},
			{text: ' → ', color: colors.muted},
		);
	}

	const answered = request.status >= 200 && request.status < 300;
	segments.push({text: request.account ?? '✗', bold: true, color: answered ? colors.good : colors.bad});
	return segments;
}

function requestRow(key: string, request: RequestRecord, density: Density): TableRow {
	// Narrower screens abbreviate, so one odd outcome does not widen the column for every row.
	const words = outcomeWords[request.outcome];
	const outcome: Segment | undefined = words && {text: ` ${density === 'wide' ? words.long : words.short}`, color: words.color};
	return {
		key,
		cells: {
			time: formatClock(request.tsMs),
			account: request.account ?? {text: '—', color: colors.muted},
			model: shortModel(request.model),
			status: [{text: statusText(request.status), bold: true, color: statusColor(request.status)}, ...(outcome ? [outcome] : [])],
			input: formatTokens(request.inputTokens),
			output: formatTokens(request.outputTokens),
			cache: {text: formatTokens(request.cacheReadTokens + request.cacheWriteTokens), color: colors.muted},
			cost: {text: formatUsd(request.costUsd), color: colors.muted},
			duration: formatRequestDuration(request.durationMs),
			route: routeSegments(request),
		},
	};
}

function eventRow(key: string, event: StoreEvent, countdown: string | null): TableRow {
	const style = eventStyles[event.kind];
	const color = event.kind === 'info' ? colors.muted : style.color;
	// The store usually starts its messages with the account's name; bold it rather than repeat it.
	const named = event.account !== undefined && event.message.startsWith(event.account);
	const who: Segment[] = event.account ? [{text: named ? event.account : `${event.account} `, bold: true}] : [];
	const message: Segment = {text: named ? event.message.slice(event.account!.length) : event.message, color};
	return {
		key,
		cells: {time: {text: formatClock(event.tsMs), color: colors.muted}},
		span: {
			from: 'account',
			cell: [
				{text: `${style.symbol} `, bold: true, color: style.color},
				...who,
				message,
				...(countdown ? [{text: ` · resumes in ${countdown}`, bold: true, color: colors.warn}] : []),
			],
		},
	};
}

/** Events that start a cooldown; the newest one per cooling account shows the live countdown. */
const cooldownKinds: ReadonlySet<StoreEvent['kind']> = new Set(['cooldown', 'overloaded', 'forbidden']);

/**
 * Rows for the log. The newest cooldown event of an account that is still cooling gets a live
 * countdown, so staggered cooldowns can be watched running out one by one.
 */
export function buildLogRows(items: readonly LogItem[], accounts: readonly AccountView[], nowMs: number, density: Density): TableRow[] {
	const coolingUntil = new Map(accounts.filter(account => account.cooldownUntilMs > nowMs).map(account => [account.name, account.cooldownUntilMs]));
	const latestCooldown = new Set<string>();
	const seen = new Set<string>();
	for (const item of items) {
		if (seen.size === coolingUntil.size) {
			break;
		}

		if (item.type !== 'event') {
			continue;
		}

		const {account, kind} = item.event;
		if (account && cooldownKinds.has(kind) && coolingUntil.has(account) && !seen.has(account)) {
			seen.add(account);
			latestCooldown.add(item.key);
		}
	}

	return items.map(item => {
		if (item.type === 'request') {
			return requestRow(item.key, item.request, density);
		}

		const until = latestCooldown.has(item.key) ? coolingUntil.get(item.event.account!) : undefined;
		return eventRow(item.key, item.event, until === undefined ? null : formatCountdown(until, nowMs));
	});
}
