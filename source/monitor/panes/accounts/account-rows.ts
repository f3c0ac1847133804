// The accounts pane as table data: one row per account in config order, plus a detail line under an
// account whose status (countdown, fix command) does not fit its column.
import type {AccountView} from '../../contract.js';
import {formatCountdown, formatTokens, formatWhen} from '../../kit/format.js';
import type {Density} from '../../layout.js';
import {cellWidth, joinSegments, type Segment} from '../../kit/segments.js';
import {layoutColumns, type Column, type TableRow} from '../../kit/table-layout.js';
import {colors, stateStyles} from '../../kit/theme.js';
import {displayWidth} from '../../kit/text-width.js';
import {gaugeSegments, gaugeWidth} from './gauge.js';

export type AccountRowsInput = {
	accounts: readonly AccountView[];
	nowMs: number;
	width: number;
	gap: number;
	density: Density;
	barWidth: number;
	cursor: number;
	focused: boolean;
	/** Short terminals keep every account on one line; details are cut instead of wrapped below. */
	detailLines: boolean;
};

export type AccountRows = {
	columns: Column[];
	rows: TableRow[];
	/** Index in `rows` of the cursor account's first and last line. */
	cursorFirst: number;
	cursorLast: number;
};

export function accountColumns(density: Density, barWidth: number, indexDigits: number): Column[] {
	const narrow = density === 'narrow';
	const gauge = narrow ? gaugeWidth(0, false) : gaugeWidth(barWidth, true);
	return [
		// Cursor, pin number and state symbol share one column: three 1-cell marks need no gaps.
		{key: 'mark', header: `  ${'#'.padStart(indexDigits)}`, width: 4 + indexDigits},
		{
			key: 'name', header: 'account', minWidth: narrow ? 6 : 8, maxWidth: density === 'wide' ? 24 : 16,
		},
		...(narrow
			? []
			: [
				{key: 'kind', header: 'kind', dropPriority: 4},
				...(density === 'wide'
					? [{
						key: 'plan', header: 'plan', maxWidth: 10, dropPriority: 5,
					}]
					: []),
			]),
		{key: 'fiveHour', header: narrow ? '5h' : '5h used', width: gauge},
		{key: 'sevenDay', header: narrow ? '7d' : '7d used', width: gauge},
		...(narrow
			? []
			: [
				{
					key: 'tokens', header: '5h tok', align: 'right' as const, dropPriority: 2,
				},
				// How warm routing keeps conversations here (cache read ÷ all prompt tokens in the 5h);
				// like the log's cache column, only where the status keeps room for its words.
				...(density === 'wide'
					? [{
						key: 'cache', header: 'cache', align: 'right' as const, dropPriority: 3,
					}]
					: []),
				{
					key: 'recent', header: 'req/m', align: 'right' as const, dropPriority: 3,
				},
			]),
		// Room for at least one tag word (pinned / active); longer statuses get a line of their own.
		{
			key: 'status', header: 'status', grow: true, minWidth: narrow ? 0 : 6,
		},
	];
}

/** `pinned` and `active` tags, as many as fit in `width` (pinned matters more, so it comes first). */
function tagSegments(account: AccountView, width = Number.POSITIVE_INFINITY): Segment[] {
	const tags: Segment[] = [];
	let used = 0;
	const candidates: Segment[] = [
		...(account.pinned ? [{text: 'pinned', bold: true, color: colors.warn}] : []),
		...(account.active ? [{text: 'active', color: colors.good}] : []),
	];
	for (const tag of candidates) {
		const needed = (tags.length > 0 ? 1 : 0) + displayWidth(tag.text);
		if (used + needed > width) {
			break;
		}

		tags.push(...(tags.length > 0 ? [{text: ' '}] : []), tag);
		used += needed;
	}

	return tags;
}

/** `in 6m30s (21:55:45)`, the one way the screen says when, or the countdown alone where room is short. */
function when(atMs: number, nowMs: number, density: Density): string {
	return density === 'narrow' ? `in ${formatCountdown(atMs, nowMs) ?? 'a moment'}` : formatWhen(atMs, nowMs);
}

/** `back in 6m30s (21:55:45)`. */
function back(atMs: number, nowMs: number, density: Density): string {
	return `back ${when(atMs, nowMs, density)}`;
}

const dot: Segment = {text: ' · ', color: colors.muted};

/** A scoped window is worth a word on the account's line from here on. */
const scopedShownAt = 0.8;

/**
 * What the account is doing, in words: its state with the one countdown that ends it (the same
 * instant the status document reports), then everything else that changes how routing treats it:
 * the ease-back after a cooldown, models it refuses, an API key's drained bucket.
 */
export function accountDetail(account: AccountView, nowMs: number, density: Density): Segment[] {
	const parts: Segment[][] = [];
	const reason = account.cooldownReason && account.cooldownReason !== 'quota' ? ` (${account.cooldownReason})` : '';
	const backAt = account.backAtMs !== null && account.backAtMs > nowMs ? account.backAtMs : null;
	switch (account.state) {
		case 'reauth': {
			return [{text: 'login expired, run: ', color: colors.bad}, {text: account.fixHint ?? `shunt add-account ${account.name}`, bold: true}];
		}

		case 'paused': {
			return [{text: 'paused', color: colors.muted}, {text: ' · p resumes', color: colors.muted}];
		}

		case 'exhausted': {
			parts.push([{text: 'window spent', color: colors.bad}, ...(backAt ? [dot, {text: back(backAt, nowMs, density), color: colors.bad}] : [])]);
			break;
		}

		case 'cooling': {
			parts.push([{text: `cooling${reason}`, color: colors.warn}, ...(backAt ? [dot, {text: back(backAt, nowMs, density), color: colors.warn}] : [])]);
			break;
		}

		case 'throttled': {
			const {burst} = account;
			const frees = burst?.freesAtMs && burst.freesAtMs > nowMs ? burst.freesAtMs : null;
			parts.push([{text: `burst ${burst?.count ?? '?'}/${burst?.limit ?? '?'}`, color: colors.warn}, ...(frees ? [dot, {text: `slot frees ${when(frees, nowMs, density)}`, color: colors.warn}] : [])]);
			break;
		}

		case 'unhealthy': {
			parts.push([{text: `unhealthy${reason}`, color: colors.warn}, ...(backAt ? [dot, {text: `retry ${when(backAt, nowMs, density)}`, color: colors.warn}] : [])]);
			break;
		}

		default: {
			break;
		}
	}

	if (account.keyBlockedUntilMs !== null && account.keyBlockedUntilMs > nowMs && account.state === 'available') {
		parts.push([{text: 'request bucket drained', color: colors.warn}, dot, {text: back(account.keyBlockedUntilMs, nowMs, density), color: colors.warn}]);
	}

	// A model-scoped window (weekly Opus) steers only its models' requests: said when it is close or spent.
	for (const scoped of account.scopedWindows) {
		if (scoped.spent) {
			parts.push([{text: `${scoped.label} spent`, color: colors.bad}, {text: ` · ${back(scoped.reset * 1000, nowMs, density)}`, color: colors.muted}]);
		} else if (scoped.utilization !== null && scoped.utilization >= scopedShownAt) {
			parts.push([{text: `${scoped.label} ${Math.round(Math.min(scoped.utilization, 1) * 100)}%`, color: colors.warn}]);
		}
	}

	for (const excluded of account.excludedModels) {
		parts.push([{text: `no ${excluded.model}`, color: colors.warn}, {text: ` · back ${when(excluded.untilMs, nowMs, density)}`, color: colors.muted}]);
	}

	if (account.easing && account.state === 'available') {
		parts.push([{text: `easing ${Math.round(account.easing.factor * 100)}%`, color: colors.accent}, {text: ` · full share ${when(account.easing.untilMs, nowMs, density)}`, color: colors.muted}]);
	}

	// Narrow layouts have no gauge room for an API key's request budget; say it in words.
	if (density === 'narrow' && account.kind === 'apikey' && account.requestsLimit !== undefined && parts.length === 0) {
		parts.push([{text: `${account.requestsRemaining ?? '?'}/${account.requestsLimit} req left`, color: colors.muted}]);
	}

	return joinSegments(parts, dot);
}

/** Whether the upstream reports unified 5h/7d windows for the account (it does for some API keys too). */
const hasWindows = (account: AccountView) => account.kind === 'oauth' || account.utilization5h !== null || account.utilization7d !== null;

type Gauge = (utilization: number | null, resetSec: number | null, status: string | undefined, untilMs?: number) => Segment[];

/** An API key's bucket headroom: the tightest bucket's share left, or its request bucket's. */
function keyHeadroomOf(account: AccountView): number | null {
	if (account.keyHeadroom !== null) {
		return account.keyHeadroom;
	}

	return account.requestsLimit ? (account.requestsRemaining ?? account.requestsLimit) / account.requestsLimit : null;
}

/** API keys without unified windows: the headroom of their request/token buckets stands in for the gauge. */
function apiKeyBudget(account: AccountView, density: Density, gauge: Gauge): {fiveHour: Segment[]; sevenDay: Segment[]} {
	const headroom = keyHeadroomOf(account);
	if (headroom === null) {
		return {fiveHour: density === 'narrow' ? [{text: '   –', color: colors.muted}] : [{text: 'no limits seen yet', color: colors.muted}], sevenDay: []};
	}

	const requests = account.requestsLimit === undefined ? 'key buckets' : `${account.requestsRemaining ?? '?'}/${account.requestsLimit} req left`;
	return {
		fiveHour: gauge(Math.max(0, 1 - headroom), null, account.keyBlockedUntilMs === null ? undefined : 'rejected'),
		sevenDay: [{text: requests, color: headroom < 0.2 ? colors.bad : colors.muted}],
	};
}

export function buildAccountRows(input: AccountRowsInput): AccountRows {
	const {accounts, nowMs, width, gap, density, barWidth, cursor, focused, detailLines} = input;
	const indexDigits = String(accounts.length).length;
	const columns = accountColumns(density, barWidth, indexDigits);
	const gaugeBar = density === 'narrow' ? 0 : barWidth;
	const gauge: Gauge = (utilization, resetSec, status, untilMs) =>
		gaugeSegments({
			utilization, resetSec, status, nowMs, barWidth: gaugeBar, showReset: density !== 'narrow', untilMs,
		});
	// A spent window's countdown is the account's own: the reset plus the margin and stagger, so the
	// gauge and the status say the same instant.
	const spentUntil = (account: AccountView, status: string | undefined) =>
		account.state === 'exhausted' && status === 'rejected' && account.backAtMs !== null ? account.backAtMs : undefined;

	const main = accounts.map((account, index): {row: TableRow; detail: Segment[]} => {
		const style = stateStyles[account.state];
		const isCursor = index === cursor;
		const tags = tagSegments(account);
		const detail = accountDetail(account, nowMs, density);
		const status = tags.length > 0 && detail.length > 0 ? [...tags, {text: ' '}, ...detail] : [...tags, ...detail];
		const oauth = account.kind === 'oauth';
		return {
			detail,
			row: {
				key: `account:${account.name}`,
				cells: {
					mark: [
						{text: isCursor ? '▸' : ' ', bold: true, color: focused ? colors.accent : colors.muted} satisfies Segment,
						{text: ` ${String(account.index).padStart(indexDigits)} `, color: colors.muted},
						{text: style.symbol, bold: true, color: style.color} satisfies Segment,
					],
					// The cursor row stands out by colour, not background: dim text on a grey bar is unreadable.
					name: {
						text: account.name, bold: true, color: isCursor && focused ? colors.accent : undefined, dimColor: account.state === 'paused' && !isCursor,
					} satisfies Segment,
					kind: {text: oauth ? 'oauth' : 'api', color: colors.muted},
					plan: {text: account.plan ?? '', color: colors.muted},
					fiveHour: hasWindows(account) ? gauge(account.utilization5h, account.reset5h, account.status5h, spentUntil(account, account.status5h)) : apiKeyBudget(account, density, gauge).fiveHour,
					sevenDay: hasWindows(account) ? gauge(account.utilization7d, account.reset7d, account.status7d, spentUntil(account, account.status7d)) : apiKeyBudget(account, density, gauge).sevenDay,
					tokens: formatTokens(account.windowTokens),
					cache: account.cacheHitRate === null ? {text: '–', color: colors.muted} : `${Math.round(account.cacheHitRate * 100)}%`,
					recent: {text: String(account.recentRequests), dimColor: account.recentRequests === 0},
					status,
				},
			},
		};
	});

	// Where does the status column end up? Statuses wider than that move to their own line.
	const sized = layoutColumns(columns, main.map(entry => entry.row), width, gap);
	const statusWidth = sized.find(column => column.key === 'status')?.size ?? 0;
	const rows: TableRow[] = [];
	let cursorFirst = 0;
	let cursorLast = 0;
	for (const [index, {row, detail}] of main.entries()) {
		if (index === cursor) {
			cursorFirst = rows.length;
		}

		const fits = cellWidth(row.cells['status']) <= statusWidth;
		if (detailLines && detail.length > 0 && !fits) {
			const tags = tagSegments(accounts[index]!, statusWidth);
			rows.push({...row, cells: {...row.cells, status: tags}}, {
				key: `${row.key}:detail`,
				cells: {},
				span: {from: 'name', cell: [{text: '└ ', color: colors.muted}, ...detail]},
			});
		} else if (detail.length === 0 && !fits) {
			// Only tags, and not all fit: keep whole words rather than "pinne…".
			rows.push({...row, cells: {...row.cells, status: tagSegments(accounts[index]!, statusWidth)}});
		} else {
			rows.push(row);
		}

		if (index === cursor) {
			cursorLast = rows.length - 1;
		}
	}

	return {
		columns, rows, cursorFirst, cursorLast,
	};
}
