// The accounts pane as table data: one row per account in config order, plus a detail line under an
// account whose status (countdown, fix command) does not fit its column.
import type {AccountView} from '../monitor/contract.js';
import {formatCountdown, formatTokens} from './format.js';
import {gaugeSegments, gaugeWidth} from './gauge.js';
import type {Density} from './layout.js';
import {cellWidth, type Segment} from './segments.js';
import {layoutColumns, type Column, type TableRow} from './table-layout.js';
import {colors, stateStyles} from './theme.js';
import {displayWidth} from './text-width.js';

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
		{key: 'name', header: 'account', minWidth: narrow ? 6 : 8, maxWidth: density === 'wide' ? 24 : 16},
		...(narrow ? [] : [
			{key: 'kind', header: 'kind', dropPriority: 4},
			...(density === 'wide' ? [{key: 'plan', header: 'plan', maxWidth: 10, dropPriority: 5}] : []),
		]),
		{key: 'fiveHour', header: narrow ? '5h' : '5h used', width: gauge},
		{key: 'sevenDay', header: narrow ? '7d' : '7d used', width: gauge},
		...(narrow ? [] : [
			{key: 'tokens', header: '5h tok', align: 'right' as const, dropPriority: 2},
			{key: 'recent', header: 'req/m', align: 'right' as const, dropPriority: 3},
		]),
		// Room for at least one tag word (pinned / active); longer statuses get a line of their own.
		{key: 'status', header: 'status', grow: true, minWidth: narrow ? 0 : 6},
	];
}

/** The latest reset among the windows that block an exhausted account: when it comes back. */
function exhaustedUntilMs(account: AccountView, nowMs: number): number | null {
	const blocking = [
		{util: account.utilization5h, reset: account.reset5h, status: account.status5h},
		{util: account.utilization7d, reset: account.reset7d, status: account.status7d},
	].filter(window => window.reset !== null && window.reset * 1000 > nowMs && (window.status === 'rejected' || (window.util ?? 0) >= 1));
	if (blocking.length === 0) {
		return null;
	}

	// Routing resumes at the later of the reset and the (staggered) cooldown deadline.
	return Math.max(account.cooldownUntilMs, ...blocking.map(window => window.reset! * 1000));
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

/** What the account is doing, in words: the countdown, the reason, or the command that fixes it. */
export function accountDetail(account: AccountView, nowMs: number, density: Density): Segment[] {
	const cooldown = account.cooldownUntilMs > 0 ? formatCountdown(account.cooldownUntilMs, nowMs) : null;
	const reason: Segment[] = account.cooldownReason ? [{text: ` (${account.cooldownReason})`, color: colors.muted}] : [];
	switch (account.state) {
		case 'reauth': {
			return [{text: 'login expired, run: ', color: colors.bad}, {text: account.fixHint ?? `shunt add-account ${account.name}`, bold: true}];
		}

		case 'paused': {
			return [{text: 'paused', color: colors.muted}, {text: ' · p resumes', color: colors.muted}];
		}

		case 'exhausted': {
			const until = exhaustedUntilMs(account, nowMs);
			return [
				{text: 'quota exhausted', color: colors.bad},
				...(until === null ? [] : [{text: ` · back in ${formatCountdown(until, nowMs)!}`, color: colors.muted}]),
			];
		}

		case 'unhealthy': {
			return [{text: 'unhealthy', color: colors.warn}, ...(cooldown ? [{text: ` · retry in ${cooldown}`, color: colors.warn}] : []), ...reason];
		}

		default: {
			break;
		}
	}

	if (cooldown) {
		return [{text: `resumes in ${cooldown}`, color: colors.warn}, ...reason];
	}

	if (account.state === 'cooling') {
		return [{text: 'cooling', color: colors.warn}, ...reason];
	}

	// Narrow layouts have no gauge room for an API key's request budget; say it in words.
	if (density === 'narrow' && account.kind === 'apikey' && account.requestsLimit !== undefined) {
		return [{text: `${account.requestsRemaining ?? '?'}/${account.requestsLimit} req left`, color: colors.muted}];
	}

	return [];
}

/** API keys have no 5h/7d windows; their request budget stands in for the gauges. */
function apiKeyBudget(account: AccountView, density: Density): Segment[] {
	if (density === 'narrow') {
		return [{text: '   –', color: colors.muted}];
	}

	if (account.requestsLimit === undefined) {
		return [{text: 'no windows (api key)', color: colors.muted}];
	}

	const remaining = account.requestsRemaining;
	const fraction = remaining === undefined || account.requestsLimit === 0 ? 1 : remaining / account.requestsLimit;
	return [
		{text: `${remaining ?? '?'}/${account.requestsLimit}`, color: fraction < 0.2 ? colors.bad : (fraction < 0.5 ? colors.warn : colors.good)},
		{text: ' req left', color: colors.muted},
	];
}

export function buildAccountRows(input: AccountRowsInput): AccountRows {
	const {accounts, nowMs, width, gap, density, barWidth, cursor, focused, detailLines} = input;
	const indexDigits = String(accounts.length).length;
	const columns = accountColumns(density, barWidth, indexDigits);
	const gaugeBar = density === 'narrow' ? 0 : barWidth;
	const gauge = (utilization: number | null, resetSec: number | null, status: string | undefined) =>
		gaugeSegments({utilization, resetSec, status, nowMs, barWidth: gaugeBar, showReset: density !== 'narrow'});

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
						{text: isCursor ? '▸' : ' ', bold: true, color: focused ? colors.accent : colors.muted},
						{text: ` ${String(account.index).padStart(indexDigits)} `, color: colors.muted},
						{text: style.symbol, bold: true, color: style.color},
					],
					// The cursor row stands out by colour, not background: dim text on a grey bar is unreadable.
					name: {text: account.name, bold: true, color: isCursor && focused ? colors.accent : undefined, dimColor: account.state === 'paused' && !isCursor},
					kind: {text: oauth ? 'oauth' : 'api', color: colors.muted},
					plan: {text: account.plan ?? '', color: colors.muted},
					fiveHour: oauth ? gauge(account.utilization5h, account.reset5h, account.status5h) : apiKeyBudget(account, density),
					sevenDay: oauth ? gauge(account.utilization7d, account.reset7d, account.status7d) : [],
					tokens: formatTokens(account.windowTokens),
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

	return {columns, rows, cursorFirst, cursorLast};
}
