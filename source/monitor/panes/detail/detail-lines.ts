// The detail view of one request as lines of styled text: what was asked and what was sent, what
// routing saw when it decided (every account, eligible or why not, and its score), each try and
// wait, timing, tokens and cost. The "why this account" that makes routing trustworthy.
import type {InFlightRequest} from '../../../state/in-flight.js';
import type {RequestRecord} from '../../../state/records.js';
import {formatClock, formatRequestDuration, formatTokens, formatUsd, formatWhen, shortModel} from '../../kit/format.js';
import type {Segment} from '../../kit/segments.js';
import {colors, statusColor} from '../../kit/theme.js';
import {padEndToWidth} from '../../kit/text-width.js';
import {routeSegments, shuntName} from '../log/log-rows.js';

export type DetailLine = {key: string; segments: Segment[]};

const label = (text: string): Segment => ({text: padEndToWidth(text, 12), color: colors.muted});
const line = (key: string, ...segments: Segment[]): DetailLine => ({key, segments});
const heading = (key: string, text: string): DetailLine => line(key, {text, bold: true, color: colors.brand});

const decidedBy: Record<string, string> = {
	pin: 'the pin (0 unpins)',
	sticky: 'the session\'s sticky account (its prompt cache is warm there)',
	strategy: 'the strategy',
	fallback: 'the strategy, after falling back to another model',
	only: 'the only account that could serve it',
};

/** When a reason routing saw ends: the countdown while it holds, the clock once it has passed. */
function untilSegment(untilMs: number, nowMs: number): Segment {
	return {text: untilMs > nowMs ? ` · back ${formatWhen(untilMs, nowMs)}` : ` · until ${formatClock(untilMs)}`, color: colors.muted};
}

function decisionLines(request: RequestRecord, nowMs: number): DetailLine[] {
	const {decision} = request;
	if (!decision) {
		return [line('no-decision', {text: 'no routing decision (answered before routing)', color: colors.muted})];
	}

	const nameWidth = Math.max(7, ...decision.candidates.map(candidate => candidate.account.length));
	return [
		line('by', label('decided by'), {text: decidedBy[decision.by] ?? decision.by}, {text: `  strategy ${decision.strategy}`, color: colors.muted}),
		...decision.candidates.map(candidate => line(
			`candidate:${candidate.account}`,
			{text: candidate.why === 'chosen' ? '▸ ' : '  ', bold: true, color: colors.accent},
			{text: padEndToWidth(candidate.account, nameWidth + 2), bold: candidate.why === 'chosen'},
			{text: candidate.eligible ? '✓ ' : '✗ ', color: candidate.eligible ? colors.good : colors.bad},
			{text: candidate.why, color: candidate.eligible ? undefined : colors.warn},
			...(candidate.untilMs ? [untilSegment(candidate.untilMs, nowMs)] : []),
			...(candidate.score === null ? [] : [{text: `  score ${candidate.score.toFixed(3)}`, color: colors.muted}]),
		)),
	];
}

function tryLines(request: RequestRecord): DetailLine[] {
	const lines: DetailLine[] = [];
	const holds = request.holds ?? [];
	for (const [index, attempt] of request.attempts.entries()) {
		for (const [holdIndex, hold] of holds.filter(entry => entry.afterAttempts === index).entries()) {
			lines.push(line(`hold:${index}:${holdIndex}`, {text: '⏸ held ', color: colors.warn}, {text: `${formatRequestDuration(hold.ms)}: ${hold.reason}`}));
		}

		lines.push(line(`try:${index}`, {text: `${attempt.status === 0 ? 'ERR' : attempt.status} `, bold: true, color: statusColor(attempt.status)}, {text: attempt.account, bold: true}, {text: `  ${attempt.reason ?? ''}`, color: colors.muted}));
	}

	for (const [holdIndex, hold] of holds.filter(entry => entry.afterAttempts === request.attempts.length).entries()) {
		lines.push(line(`hold:end:${holdIndex}`, {text: '⏸ held ', color: colors.warn}, {text: `${formatRequestDuration(hold.ms)}: ${hold.reason}`}));
	}

	lines.push(line('answer', {text: `${request.status} `, bold: true, color: statusColor(request.status)}, {text: request.account ?? shuntName, bold: true}, {text: `  ${request.shuntReason ?? request.outcome}`, color: colors.muted}));
	return lines;
}

/** The failover chain, or for a request served on its first try, who served it. */
function routeOf(request: RequestRecord): Segment[] {
	const chain = routeSegments(request);
	return chain.length > 0 ? chain : [{text: request.account ?? shuntName, bold: true}, {text: '  on the first try', color: colors.muted}];
}

export function requestDetailLines(request: RequestRecord, nowMs: number): DetailLine[] {
	const cacheWrite = request.cacheWrite5mTokens !== undefined || request.cacheWrite1hTokens !== undefined
		? ` (5m ${formatTokens(request.cacheWrite5mTokens ?? 0)} · 1h ${formatTokens(request.cacheWrite1hTokens ?? 0)})`
		: '';
	return [
		line('title', {text: `request ${request.id}`, bold: true}, {text: `  ${request.path}`, color: colors.muted}),
		line('when', label('arrived'), {text: formatClock(request.startedMs)}, {text: `  finished ${formatClock(request.tsMs)}`, color: colors.muted}),
		line('model', label('model'), {text: request.model, bold: true}, ...(request.requestedModel ? [{text: `  (asked for ${request.requestedModel}; an override or fallback changed it)`, color: colors.warn}] : [])),
		...(request.removedFields ? [line('removed', label('removed'), {text: `${request.removedFields.join(', ')} (${shortModel(request.model)} refuses them)`, color: colors.warn})] : []),
		line('route', label('route'), ...routeOf(request)),
		line('timing', label('timing'), {text: `${formatRequestDuration(request.durationMs)} in all`}, {text: request.ttftMs === null ? '' : `  · first byte after ${formatRequestDuration(request.ttftMs)}`, color: colors.muted}, {text: request.stream ? '  · stream' : '', color: colors.muted}),
		line('tokens', label('tokens'), {text: `in ${formatTokens(request.inputTokens)} · out ${formatTokens(request.outputTokens)} · cache read ${formatTokens(request.cacheReadTokens)} · cache write ${formatTokens(request.cacheWriteTokens)}${cacheWrite}`}),
		line('cost', label('cost'), {text: formatUsd(request.costUsd)}, {text: '  at public API prices', color: colors.muted}),
		line('gap-1', {text: ''}),
		heading('routing', 'why this account'),
		...decisionLines(request, nowMs),
		line('gap-2', {text: ''}),
		heading('tries', 'tries'),
		...tryLines(request),
	];
}

export function liveDetailLines(live: InFlightRequest, nowMs: number): DetailLine[] {
	return [
		line('title', {text: `request ${live.id}`, bold: true}, {text: '  in flight', color: colors.accent}),
		line('when', label('arrived'), {text: formatClock(live.startedMs)}, {text: `  ${formatRequestDuration(nowMs - live.startedMs)} ago`, color: colors.muted}),
		line('model', label('model'), {text: live.model, bold: true}),
		line('state', label('state'), {text: live.state, bold: true, color: colors.accent}, {text: live.account ? ` on ${live.account}` : ''}, ...(live.heldUntilMs ? [{text: ` · ${live.heldReason ?? ''}, tries again ${formatWhen(live.heldUntilMs, nowMs)}`, color: colors.warn}] : [])),
		line('timing', label('first byte'), {text: live.firstByteMs === null ? 'not yet' : `after ${formatRequestDuration(live.firstByteMs - live.startedMs)}`}),
		line('tokens', label('output'), {text: `~${formatTokens(live.outputTokens)} so far`}),
		line('gap', {text: ''}),
		line('note', {text: 'The routing decision and the tries show here once it finishes.', color: colors.muted}),
	];
}
