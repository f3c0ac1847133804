// The history pane as lines of styled text, from a HistoryView and the room it gets. Three layouts,
// the richest that fits: the stacked-bar chart above one row per account; the account rows alone
// (sparklines and burn rates, no chart); or the title line alone, saying how fast the pool burns.
// Each account row is also the chart's legend: its fill symbol and colour, its name, its tokens in
// the window, its 5h sparkline, the 5h window used now and its burn rate in words. Pure.
import {historyWindows, type HistoryView} from '../../contract.js';
import {formatEstimate, formatPercent, formatTokens} from '../../kit/format.js';
import type {Segment} from '../../kit/segments.js';
import {
	colors, otherSeriesStyle, seriesStyles, type StateStyle,
} from '../../kit/theme.js';
import {displayWidth, padEndToWidth, truncateToWidth} from '../../kit/text-width.js';
import {terminalSafe} from '../../../util/terminal-safe.js';
import {burnWords, type BurnForm} from './burn-words.js';
import {buildChart, scaleWidth} from './history-chart.js';
import {sparklineSegments, sparkValues} from './sparkline.js';

export type HistoryInput = {
	view: HistoryView;
	/** The configured accounts in order: each one's row, series and colour. */
	accounts: readonly string[];
	/** The screen's clock: the burn rates' countdowns go on from when the view was read. */
	nowMs: number;
	width: number;
};

export type HistoryLayout = 'chart' | 'sparklines' | 'line';

export type HistoryLine = {key: string; segments: Segment[]};

export type HistoryModel = {
	layout: HistoryLayout;
	title: string;
	/** The right end of the title rule. */
	hint: Segment[];
	/** What goes under the title: exactly the pane's height less one. */
	lines: HistoryLine[];
};

/** Rows of bars the chart gets: fewer and stacks cannot be told apart, more and the log pays for nothing. */
export const chartRows = {min: 3, max: 8} as const;

const maxNameWidth = 16;
/** A sparkline shorter than this (or than the window's buckets) says too little to trade the long wording for. */
const minLongSpark = 12;
const tokensWidth = scaleWidth;
const percentWidth = 4;
const gap = '  ';

/** One stack of the chart; `other` gathers accounts the config no longer lists. */
type Series = {name: string; label: string; style: StateStyle; tokens: number; other?: true};

/** The accounts in config order, then "others" for tokens of accounts no longer configured. */
function seriesOf(view: HistoryView, accounts: readonly string[]): Series[] {
	const configured = new Set(accounts);
	const series: Series[] = accounts.map((name, index) => ({
		name, label: terminalSafe(name), style: seriesStyles[index % seriesStyles.length]!, tokens: 0,
	}));
	const other: Series = {
		name: 'others', label: 'others', style: otherSeriesStyle, tokens: 0, other: true,
	};
	for (const bucket of view.buckets) {
		for (const [name, tokens] of Object.entries(bucket.perAccount)) {
			if (!(tokens > 0) || !Number.isFinite(tokens)) {
				continue;
			}

			const owner = configured.has(name) ? series[accounts.indexOf(name)]! : other;
			owner.tokens += tokens;
		}
	}

	return other.tokens > 0 ? [...series, other] : series;
}

/** Lines the account rows take: one per account (and "others"), plus the pool's when there is more than one account. */
export function historyRowCount(input: HistoryInput): number {
	const series = seriesOf(input.view, input.accounts);
	return series.length + (input.accounts.length > 1 ? 1 : 0);
}

/** The tallest layout that fits in `room` lines (0: none fits). */
export function historyHeightFor(input: HistoryInput, room: number): number {
	const rows = historyRowCount(input);
	if (room >= 1 + chartRows.min + 2 + rows) {
		return Math.min(room, 1 + chartRows.max + 2 + rows);
	}

	if (room >= 1 + rows) {
		return 1 + rows;
	}

	return room >= 1 ? 1 : 0;
}

const width = (segments: readonly Segment[]) => displayWidth(segments.map(segment => segment.text).join(''));

/** `a bar = 1m`, `a bar = 30s`. */
function barLength(ms: number): string {
	return ms < 60_000 ? `${Math.max(1, Math.round(ms / 1000))}s` : formatEstimate(ms);
}

/** The first of the hints (fullest first) that fits. */
function fitting(candidates: ReadonlyArray<readonly Segment[]>, room: number): Segment[] {
	return [...(candidates.find(candidate => width(candidate) <= room) ?? [])];
}

function windowChoices(view: HistoryView): Segment[] {
	return [
		{text: '[ ]', bold: true, color: colors.accent},
		...historyWindows.flatMap(window => [{text: ' '}, window === view.window ? {text: window, bold: true} : {text: window, color: colors.muted}]),
	];
}

/** The current 5h use: the live end of the sparkline. */
function usedNow(values: ReadonlyArray<number | null> | undefined): number | null {
	for (let index = (values?.length ?? 0) - 1; index >= 0; index--) {
		const value = values![index];
		if (value !== null && value !== undefined && Number.isFinite(value)) {
			return value;
		}
	}

	return null;
}

type RowPlan = {form: BurnForm; spark: number; nameWidth: number};

const blankBurn = {
	perHour: null, spentInMs: null, resetsInMs: null, sevenDay: {perHour: null, spentInMs: null, resetsInMs: null},
};

/**
 * The widths of the account rows: the long wording when it leaves the sparkline some room,
 * otherwise the short one and a sparkline as wide as what is left (up to one cell per bucket).
 */
function planRows(input: HistoryInput, series: readonly Series[], elapsedMs: number): RowPlan {
	const {view, width: screen} = input;
	const nameWidth = Math.min(maxNameWidth, Math.max(4, ...series.map(entry => displayWidth(entry.label))));
	// Mark, name, tokens, then (sparkline) a space, the percentage and a gap before the words.
	const fixed = 2 + nameWidth + gap.length + tokensWidth + gap.length + 1 + percentWidth + gap.length;
	const widest = (form: BurnForm) => Math.max(0, ...input.accounts.map(name => width(burnWords(view.burn.accounts[name] ?? blankBurn, elapsedMs, form, false))));
	const buckets = view.buckets.length;
	// As wide as the room, less what grouping the buckets evenly leaves over.
	const used = (room: number) => (room <= 0 || buckets === 0 ? 0 : Math.floor(buckets / Math.ceil(buckets / Math.min(buckets, room))));
	const longSpark = used(screen - fixed - widest('long'));
	if (longSpark >= Math.min(minLongSpark, buckets)) {
		return {form: 'long', spark: longSpark, nameWidth};
	}

	return {form: 'short', spark: used(screen - fixed - widest('short')), nameWidth};
}

function accountRows(input: HistoryInput, series: readonly Series[]): HistoryLine[] {
	const {view, accounts} = input;
	const elapsedMs = Math.max(0, input.nowMs - view.computedMs);
	const plan = planRows(input, series, elapsedMs);
	const head = (style: StateStyle | undefined, label: string, tokens: number, bold: boolean): Segment[] => [
		style ? {text: style.symbol, bold: true, color: style.color} : {text: ' '},
		{text: ' '},
		{text: padEndToWidth(truncateToWidth(label, plan.nameWidth), plan.nameWidth), bold},
		{text: gap},
		{text: formatTokens(tokens).padStart(tokensWidth), color: tokens > 0 ? undefined : colors.muted},
		{text: gap},
	];
	const lines: HistoryLine[] = series.map((entry, index) => {
		if (entry.other) {
			return {key: 'row:others', segments: [...head(entry.style, entry.label, entry.tokens, false), {text: 'accounts no longer configured', color: colors.muted}]};
		}

		// An account the view has no series for is unknown throughout, like one without readings.
		const values = view.sparklines[entry.name] ?? view.buckets.map(() => null);
		const used = usedNow(values);
		const spark = sparklineSegments(sparkValues(values, plan.spark));
		return {
			key: `row:${index}`,
			segments: [
				...head(entry.style, entry.label, entry.tokens, true),
				...spark,
				{text: ' '.repeat(Math.max(0, plan.spark - width(spark)) + 1)},
				{text: (used === null ? '–' : formatPercent(Math.min(1, used))).padStart(percentWidth), color: used === null ? colors.muted : undefined},
				{text: gap},
				...burnWords(view.burn.accounts[entry.name] ?? blankBurn, elapsedMs, plan.form, false),
			],
		};
	});

	if (accounts.length > 1) {
		const total = series.reduce((sum, entry) => sum + entry.tokens, 0);
		const start = head(undefined, 'pool', total, true);
		// The pool's words line up with the accounts' when they fit there, else start where its sparkline would be.
		const aligned = plan.spark + 1 + percentWidth + gap.length;
		const room = input.width - width(start);
		const long = burnWords(view.burn.pool, elapsedMs, 'long', true);
		const words = width(long) <= room ? long : burnWords(view.burn.pool, elapsedMs, 'short', true);
		lines.push({key: 'row:pool', segments: [...start, ...(width(words) <= room - aligned ? [{text: ' '.repeat(aligned)}] : []), ...words]});
	}

	return lines;
}

/** The pane in `height` lines (the title's included) at the input's width. */
export function buildHistory(input: HistoryInput, height: number): HistoryModel {
	const {view, accounts} = input;
	const series = seriesOf(view, accounts);
	const rows = series.length + (accounts.length > 1 ? 1 : 0);
	const title = 'history';
	// The rule draws "── history ", " ──" and at least one cell of rule around the hint.
	const hintRoom = input.width - (3 + title.length + 1 + 2 + 2 + 1);
	const windowName: Segment = {text: view.window, bold: true};
	const elapsedMs = Math.max(0, input.nowMs - view.computedMs);

	if (height < 1 + rows) {
		// One line: how fast the pool burns (or the one account), in the rule.
		const only = accounts.length === 1 ? accounts[0]! : undefined;
		const words = only === undefined ? burnWords(view.burn.pool, elapsedMs, 'short', true) : burnWords(view.burn.accounts[only] ?? blankBurn, elapsedMs, 'short', false);
		const label: Segment = {text: `${only === undefined ? 'pool' : truncateToWidth(terminalSafe(only), maxNameWidth)}: `, bold: true};
		return {
			layout: 'line', title, hint: fitting([[label, ...words, {text: ' · h hides', color: colors.muted}], [label, ...words], words], hintRoom), lines: [],
		};
	}

	const chartHeight = height - 1 - 2 - rows;
	if (chartHeight < chartRows.min) {
		return {
			layout: 'sparklines',
			title,
			hint: fitting([[windowName, {text: ' · 5h window used over it', color: colors.muted}, {text: '  '}, ...windowChoices(view)], [windowName, {text: '  '}, ...windowChoices(view)], [windowName]], hintRoom),
			lines: accountRows(input, series),
		};
	}

	const chart = buildChart({
		values: view.buckets.map(bucket => series.map(entry => (entry.other ? otherTokens(bucket.perAccount, accounts) : bucket.perAccount[entry.name] ?? 0))),
		styles: series.map(entry => entry.style),
		firstStartMs: view.buckets[0]?.startMs ?? view.computedMs,
		bucketMs: view.bucketMs,
		nowMs: view.computedMs,
		width: input.width,
		rows: Math.min(chartRows.max, chartHeight),
	});
	const bar: Segment = {text: ` · tokens a bar of ${barLength(view.bucketMs * chart.bucketsPerColumn)}`, color: colors.muted};
	return {
		layout: 'chart',
		title,
		hint: fitting([[windowName, bar, {text: '  '}, ...windowChoices(view)], [windowName, bar], [windowName]], hintRoom),
		lines: [...chart.lines, ...accountRows(input, series)],
	};
}

function otherTokens(perAccount: Readonly<Record<string, number>>, accounts: readonly string[]): number {
	let sum = 0;
	for (const [name, tokens] of Object.entries(perAccount)) {
		if (!accounts.includes(name) && tokens > 0 && Number.isFinite(tokens)) {
			sum += tokens;
		}
	}

	return sum;
}
