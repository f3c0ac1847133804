// The header's content as lines of segments: who we are, where we listen, what routing is set to.
// Settings are packed greedily into as many lines as they need so nothing is cut off at 80 columns.
import type {StoreSnapshot} from '../../contract.js';
import {
	formatBurst, formatDuration, formatWhen, shortModel,
} from '../../kit/format.js';
import type {Density} from '../../layout.js';
import {joinSegments, type Segment} from '../../kit/segments.js';
import {colors} from '../../kit/theme.js';
import {terminalSafe} from '../../../util/terminal-safe.js';
import {displayWidth, truncateToWidth} from '../../kit/text-width.js';

export type HeaderLine = {key: string; left: Segment[]; right?: Segment[]};

const separator: Segment = {text: ' · ', color: colors.muted};
const label = (text: string): Segment => ({text: `${text} `, color: colors.muted});
const widthOf = (segments: readonly Segment[]) => displayWidth(segments.map(segment => segment.text).join(''));

// Long names are capped so one setting cannot push the others off the header.
const valueWidth = 24;

function settingItems(snapshot: StoreSnapshot, density: Density): Segment[][] {
	const {overrides} = snapshot;
	// Cleaned before it is cut and measured: the model override is whatever a control client sent.
	const cap = (text: string) => truncateToWidth(terminalSafe(text), valueWidth);
	const items: Segment[][] = [
		[
			label('strategy'),
			{text: snapshot.strategy, bold: true, color: snapshot.strategyOverridden ? colors.warn : undefined},
			...(snapshot.strategyOverridden ? [{text: density === 'narrow' ? '*' : ' (override)', color: colors.warn}] : []),
		],
		[label('pin'), snapshot.pinnedAccount === null ? {text: 'auto'} : {text: cap(snapshot.pinnedAccount), bold: true, color: colors.warn}],
		[label('model'), overrides.model === null ? {text: 'auto'} : {text: cap(shortModel(overrides.model)), color: colors.warn}],
		[label('effort'), overrides.effort === null ? {text: 'auto'} : {text: overrides.effort, color: colors.warn}],
	];
	// The burst limit paces subscription accounts only: without one it means nothing here.
	if (snapshot.accounts.some(account => account.kind === 'oauth')) {
		items.push([label('burst'), {text: formatBurst(snapshot.burstRpmLimit), color: overrides.burstRpmLimit === null ? undefined : colors.warn}]);
	}

	if (overrides.alertsMuted) {
		items.push([{text: 'alerts muted', color: colors.bad, bold: true}]);
	}

	return items;
}

/** Greedy line packing: an item moves to the next line rather than being cut in half. */
function pack(items: Segment[][], width: number, maxLines: number): Segment[][] {
	const lines: Segment[][][] = [[]];
	for (const item of items) {
		const current = lines.at(-1)!;
		const candidate = joinSegments([...current, item], separator);
		if (current.length > 0 && widthOf(candidate) > width && lines.length < maxLines) {
			lines.push([item]);
		} else {
			current.push(item);
		}
	}

	return lines.map(line => joinSegments(line, separator));
}

/**
 * The one line that says nothing can serve, and when that changes:
 * `all 3 accounts out · next back: gamma in 6m30s (21:55:45)`.
 */
export function outBanner(snapshot: StoreSnapshot, nowMs: number): Segment[] | undefined {
	const {accounts} = snapshot;
	if (accounts.length === 0 || accounts.some(account => account.state === 'available')) {
		return undefined;
	}

	const returning = accounts.filter(account => account.backAtMs !== null && account.backAtMs > nowMs).toSorted((a, b) => a.backAtMs! - b.backAtMs!);
	const first = returning[0];
	const all = accounts.length === 1 ? 'the only account is out' : `all ${accounts.length} accounts out`;
	return [
		{
			text: ` ${all} `, bold: true, inverse: true, color: colors.bad,
		},
		first
			? {text: ` next back: ${first.name} ${formatWhen(first.backAtMs!, nowMs)}`, bold: true, color: colors.bad}
			: {text: ' none comes back by itself: see the accounts below', bold: true, color: colors.bad},
	];
}

/**
 * Team mode: the pool's instances and whether Redis answers. `team laptop · desktop · devbox ·
 * redis connected`, shortened to a count when the names do not fit.
 */
export function teamLine(team: NonNullable<StoreSnapshot['team']>, width: number): Segment[] {
	const redis: Segment = team.redis === 'connected'
		? {text: 'redis connected', color: colors.good}
		: {text: 'redis unreachable · serving on local state', bold: true, color: colors.bad};
	const names = team.instances.map(instance => (instance.self
		? {text: truncateToWidth(terminalSafe(instance.name), valueWidth), bold: true}
		: {text: truncateToWidth(terminalSafe(instance.name), valueWidth)}));
	const full = [label('team'), ...joinSegments(names.map(name => [name]), separator), separator, redis];
	if (widthOf(full) <= width) {
		return full;
	}

	const count = team.instances.length;
	return [label('team'), {text: `${count} instance${count === 1 ? '' : 's'}`, bold: true}, separator, team.redis === 'connected' ? redis : {...redis, text: 'redis unreachable'}];
}

export function buildHeader(snapshot: StoreSnapshot, nowMs: number, width: number, density: Density, short: boolean): HeaderLine[] {
	const identity: Segment[] = [
		{text: 'shunt', bold: true, color: colors.brand},
		{text: ` v${snapshot.version}`, color: colors.muted},
		...(snapshot.demo
			? [{text: ' '}, {
				text: ' DEMO ', bold: true, inverse: true, color: colors.warn,
			}]
			: []),
		{text: '  '},
		{text: snapshot.listenUrl, color: colors.accent},
		{text: '  up ', color: colors.muted},
		{text: formatDuration(nowMs - snapshot.startedMs)},
	];
	const traffic = joinSegments([
		snapshot.heldRequests > 0 ? [{text: `held ${snapshot.heldRequests}`, bold: true, color: colors.warn}] : [],
		[label('in-flight'), {text: String(snapshot.inFlight)}],
		[{text: String(Math.round(snapshot.requestsPerMinute))}, {text: density === 'narrow' ? '/min' : ' req/min', color: colors.muted}],
	], separator);

	const lines: HeaderLine[] = [{key: 'identity', left: identity, right: traffic}];
	const banner = outBanner(snapshot, nowMs);
	if (banner) {
		lines.push({key: 'out', left: banner});
	}

	const settings = pack(settingItems(snapshot, density), width, short ? 1 : 2);
	for (const [index, line] of settings.entries()) {
		lines.push({key: `settings-${index}`, left: line});
	}

	if (snapshot.team) {
		lines.push({key: 'team', left: teamLine(snapshot.team, width)});
	}

	if (snapshot.demo) {
		// The variable is the point of this line; the explanation goes first when space is short.
		const variable: Segment = {text: `ANTHROPIC_BASE_URL=${snapshot.listenUrl}`, bold: true, color: colors.accent};
		const variants: Segment[][] = [
			[{text: 'simulated upstream; point a real client at it: ', color: colors.muted}, variable],
			[{text: 'try a real client: ', color: colors.muted}, variable],
			[variable],
		];
		lines.push({key: 'demo', left: variants.find(variant => widthOf(variant) <= width) ?? [variable]});
	}

	return lines;
}
