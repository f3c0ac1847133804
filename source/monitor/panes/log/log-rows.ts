// The request log as table data: one row per request (live while in flight, then finished in
// the same place) or event, newest first. Column widths come from what can appear in them (the
// account names, the widest status), never from the rows in view, so nothing shifts while the log
// scrolls or new rows arrive.
import type {InFlightRequest} from '../../../state/in-flight.js';
import type {RequestRecord, StoreEvent} from '../../../state/records.js';
import {
	formatClock, formatDuration, formatRequestDuration, formatTokens, formatUsd, formatWhen, shortModel,
} from '../../kit/format.js';
import type {Density} from '../../layout.js';
import type {Segment} from '../../kit/segments.js';
import type {Column, TableRow} from '../../kit/table-layout.js';
import {colors, eventStyles, statusColor} from '../../kit/theme.js';
import {displayWidth} from '../../kit/text-width.js';
import type {LogItem} from './log-items.js';

/** Who answered a request shunt answered itself. */
export const shuntName = 'shunt';

export function logColumns(density: Density, accountNames: readonly string[]): Column[] {
	const wide = density === 'wide';
	const narrow = density === 'narrow';
	const accountWidth = Math.min(wide ? 18 : 12, Math.max(displayWidth('account'), displayWidth(shuntName), ...accountNames.map(name => displayWidth(name))));
	return [
		{key: 'mark', header: ' ', width: 1},
		{key: 'time', header: 'time', width: 8},
		{key: 'account', header: 'account', width: accountWidth},
		...(narrow ? [] : [{key: 'model', header: 'model', width: wide ? 16 : 10}]),
		// Wide enough for `200 trunc`, `held`, `▸ streaming` (`200 cancelled` where there is room).
		{key: 'status', header: 'status', width: wide ? 13 : 10},
		...(narrow
			? []
			: [
				{
					key: 'input', header: 'in', align: 'right' as const, width: 5, dropPriority: 3,
				},
				{
					key: 'output', header: 'out', align: 'right' as const, width: 5, dropPriority: 3,
				},
			]),
		...(wide
			? [
				{
					key: 'cache', header: 'cache', align: 'right' as const, width: 6, dropPriority: 5,
				},
				{
					key: 'cost', header: 'cost', align: 'right' as const, width: 7, dropPriority: 6,
				},
			]
			: []),
		{
			key: 'duration', header: 'dur', align: 'right', width: 5,
		},
		// A failover chain needs room; token columns give way first.
		{
			key: 'route', header: 'failover · why', grow: true, minWidth: narrow ? 0 : (wide ? 24 : 26),
		},
	];
}

const outcomeWords: Readonly<Record<RequestRecord['outcome'], {long: string; short: string; color: string} | undefined>> = {
	complete: undefined,
	truncated: {long: 'truncated', short: 'trunc', color: colors.warn},
	error: {long: 'error', short: 'err', color: colors.bad},
	'client-cancelled': {long: 'cancelled', short: 'cancel', color: colors.muted},
};

const statusText = (status: number) => (status === 0 ? 'ERR' : String(status));
const arrow: Segment = {text: ' → ', color: colors.muted};

/**
 * `429 home → work`: each failed try with its status, the waits between them (`⏸ 6s`), then who
 * answered; for shunt's own answers, why nobody could. A retry of the same account after a wait
 * shows the wait, never `work → work`.
 */
export function routeSegments(request: RequestRecord): Segment[] {
	const holds = request.holds ?? [];
	if (request.attempts.length === 0 && holds.length === 0) {
		return request.shuntReason ? [{text: request.shuntReason, color: colors.warn}] : [];
	}

	const segments: Segment[] = [];
	const holdAt = (index: number) => {
		for (const hold of holds.filter(entry => entry.afterAttempts === index)) {
			segments.push({text: `⏸ ${formatDuration(hold.ms, 'up')}`, color: colors.warn}, arrow);
		}
	};

	// The upstream's own refusal passed on to the client (a 529, a 429 without limits) is the last
	// try itself: `529 work`, not `529 work → work`.
	const last = request.attempts.at(-1);
	const passedOn = last?.account === request.account && last.status === request.status
		&& !holds.some(hold => hold.afterAttempts === request.attempts.length);
	for (const [index, attempt] of request.attempts.entries()) {
		holdAt(index);
		const answer = passedOn && index === request.attempts.length - 1;
		segments.push({text: `${statusText(attempt.status)} `, color: statusColor(attempt.status)}, answer ? {text: attempt.account, bold: true, color: colors.bad} : {text: attempt.account});
		if (!answer) {
			segments.push(arrow);
		}
	}

	if (passedOn) {
		return segments;
	}

	holdAt(request.attempts.length);
	const answered = request.status >= 200 && request.status < 300;
	if (request.account === null) {
		segments.push({text: shuntName, bold: true, color: colors.bad}, ...(request.shuntReason ? [{text: `: ${request.shuntReason}`, color: colors.warn}] : []));
	} else {
		segments.push({text: request.account, bold: true, color: answered ? colors.good : colors.bad});
	}

	return segments;
}

/** Another instance's traffic (team mode): its rows say where they happened. */
const instanceOf = (item: RequestRecord | StoreEvent): string | undefined => ('instance' in item && typeof item.instance === 'string' ? item.instance : undefined);
/** `on desktop`, and the separator only when something follows it. */
const onInstance = (instance: string, more: boolean): Segment => ({text: `on ${instance}${more ? ' · ' : ''}`, color: colors.accent});

function withInstance(item: RequestRecord | StoreEvent, rest: Segment[]): Segment[] {
	const instance = instanceOf(item);
	return instance === undefined ? rest : [onInstance(instance, rest.length > 0), ...rest];
}

function requestRow(key: string, request: RequestRecord, density: Density): TableRow {
	// Narrower screens abbreviate, so one odd outcome fits the fixed status column.
	const words = outcomeWords[request.outcome];
	const outcome: Segment | undefined = words && {text: ` ${density === 'wide' ? words.long : words.short}`, color: words.color};
	const cache = request.cacheReadTokens + request.cacheWriteTokens;
	return {
		key,
		cells: {
			time: formatClock(request.startedMs),
			account: request.account ?? {text: shuntName, color: colors.muted},
			// oa: came through the OpenAI front door; * the model sent is not the one asked for.
			model: [
				...(request.frontDoor === 'openai' ? [{text: 'oa:', color: colors.muted}] : []),
				{text: shortModel(request.model)},
				...(request.requestedModel ? [{text: '*', color: colors.warn}] : []),
			],
			status: [{text: statusText(request.status), bold: true, color: statusColor(request.status)} satisfies Segment, ...(outcome ? [outcome] : [])],
			input: request.account === null ? '' : formatTokens(request.inputTokens),
			output: request.account === null ? '' : formatTokens(request.outputTokens),
			cache: {text: cache > 0 ? formatTokens(cache) : '', color: colors.muted},
			cost: {text: request.costUsd > 0 ? formatUsd(request.costUsd) : '', color: colors.muted},
			duration: formatRequestDuration(request.durationMs),
			route: withInstance(request, routeSegments(request)),
		},
	};
}

/** A request still being served: where it is, for how long, how far it got. */
function liveRow(key: string, live: InFlightRequest, nowMs: number): TableRow {
	let status: Segment[];
	let route: Segment[];
	const elapsed = formatRequestDuration(Math.max(0, nowMs - live.startedMs));
	let span: TableRow['span'];
	if (live.state === 'held') {
		status = [{text: 'held', bold: true, color: colors.warn}];
		route = [{text: `⏸ ${live.heldReason ?? 'waiting'}`, color: colors.warn}, ...(live.heldUntilMs ? [{text: ` · retry ${formatWhen(live.heldUntilMs, nowMs)}`, color: colors.muted}] : [])];
		// A held request has no tokens yet: why and when take the room of the empty columns, so
		// the time it is tried again is not cut off where the failover column is narrow. Where the
		// token columns are not shown (80 columns), the duration's: the span says how long so far.
		span = {from: ['input', 'duration'], cell: [...route, {text: ` · ${elapsed} so far`, color: colors.muted}]};
	} else if (live.firstByteMs === null) {
		status = [{text: '…', bold: true, color: colors.accent}];
		route = [{text: live.account ? 'waiting for the first byte' : 'choosing an account', color: colors.muted}];
	} else {
		status = [{text: live.stream ? '▸ stream' : '▸ answer', color: colors.accent}];
		route = [{text: `first token after ${formatRequestDuration(live.firstByteMs - live.startedMs)}`, color: colors.muted}];
	}

	return {
		key,
		cells: {
			time: formatClock(live.startedMs),
			account: live.account ?? {text: '…', color: colors.muted},
			model: shortModel(live.model),
			status,
			input: '',
			output: {text: live.outputTokens > 0 ? `~${formatTokens(live.outputTokens)}` : '', color: colors.accent},
			cache: '',
			cost: '',
			duration: {text: elapsed, color: colors.accent},
			route,
		},
		...(span ? {span} : {}),
	};
}

/** An event as it happened: its line never changes afterwards. */
function eventRow(key: string, event: StoreEvent): TableRow {
	const style = eventStyles[event.kind];
	const color = event.kind === 'info' ? colors.muted : style.color;
	// The store usually starts its messages with the account's name; bold it rather than repeat it.
	const named = event.account !== undefined && event.message.startsWith(event.account);
	const who: Segment[] = event.account ? [{text: named ? event.account : `${event.account} `, bold: true}] : [];
	const message: Segment = {text: named ? event.message.slice(event.account!.length) : event.message, color};
	return {
		key,
		cells: {time: {text: formatClock(event.tsMs), color: colors.muted}},
		span: {from: 'account', cell: [{text: `${style.symbol} `, bold: true, color: style.color} satisfies Segment, ...withInstance(event, [...who, message])]},
	};
}

function itemRow(item: LogItem, nowMs: number, density: Density): TableRow {
	switch (item.type) {
		case 'live': {
			return liveRow(item.key, item.live, nowMs);
		}

		case 'request': {
			return requestRow(item.key, item.request, density);
		}

		case 'event': {
			return eventRow(item.key, item.event);
		}
	}
}

/** Rows for the log; the selected one (when the log has the focus) is marked ▸. */
export function buildLogRows(items: readonly LogItem[], nowMs: number, density: Density, selected: string | null = null): TableRow[] {
	return items.map(item => {
		const row = itemRow(item, nowMs, density);
		return item.key === selected ? {...row, cells: {...row.cells, mark: {text: '▸', bold: true, color: colors.accent} satisfies Segment}} : row;
	});
}
