import {Box} from 'ink';
import type {StrategyName} from '../../../routing/strategies.js';
import {keyBindings} from '../../keys/key-bindings.js';
import type {Segment} from '../../kit/segments.js';
import {strategies} from '../../kit/strategies.js';
import {
	colors, eventStyles, historyMeanings, logMeanings, stateStyles, tagMeanings,
} from '../../kit/theme.js';
import {displayWidth, padEndToWidth} from '../../kit/text-width.js';
import StyledText from '../../kit/styled-text.js';

type Line = {key: string; segments: Segment[]};

/** Every key from the key-binding data plus one line per strategy, in a bordered box. */
export function helpLines(current: StrategyName): Line[] {
	const keyWidth = Math.max(...keyBindings.map(binding => displayWidth(binding.key)));
	const nameWidth = Math.max(...strategies.map(strategy => displayWidth(strategy.name)));
	return [
		{key: 'keys', segments: [{text: 'keys', bold: true, color: colors.brand}]},
		...keyBindings.map(binding => ({
			key: `key:${binding.key}`,
			segments: [
				{text: padEndToWidth(binding.key, keyWidth + 2), bold: true, color: colors.accent},
				{text: binding.description},
			],
		})),
		{key: 'gap', segments: []},
		{key: 'strategies', segments: [{text: 'strategies', bold: true, color: colors.brand}, {text: '  (s cycles; ▸ = in use)', color: colors.muted}]},
		...strategies.map(strategy => ({
			key: `strategy:${strategy.name}`,
			segments: [
				{text: strategy.name === current ? '▸ ' : '  ', bold: true, color: colors.warn},
				{text: padEndToWidth(strategy.name, nameWidth + 2), bold: true, color: strategy.name === current ? colors.warn : undefined},
				{text: strategy.description},
			],
		})),
		...legendLines(),
	];
}

/** Every symbol and word the panes use, from the same data the panes draw with. */
function legendLines(): Line[] {
	const entries: Array<{key: string; mark: string; color?: string; meaning: string}> = [
		...Object.entries(stateStyles).map(([state, style]) => ({
			key: `state:${state}`, mark: style.symbol, color: style.color, meaning: style.meaning,
		})),
		...tagMeanings.map(([tag, meaning]) => ({key: `tag:${tag}`, mark: tag, meaning})),
	];
	const events = Object.entries(eventStyles).map(([kind, style]) => ({
		key: `event:${kind}`, mark: style.symbol, color: style.color, meaning: style.meaning,
	}));
	const log = logMeanings.map(([mark, meaning]) => ({key: `log:${mark}`, mark, meaning}));
	const history = historyMeanings.map(([mark, meaning]) => ({key: `history:${mark}`, mark, meaning}));
	const markWidth = Math.max(...[...entries, ...events, ...log, ...history].map(entry => displayWidth(entry.mark)));
	const row = (entry: {key: string; mark: string; color?: string; meaning: string}): Line => ({
		key: entry.key,
		segments: [{text: padEndToWidth(entry.mark, markWidth + 2), bold: true, color: entry.color}, {text: entry.meaning}],
	});
	return [
		{key: 'gap-accounts', segments: []},
		{key: 'legend-accounts', segments: [{text: 'accounts', bold: true, color: colors.brand}, {text: '  (gauges: share of the 5h / 7d window used, and when it resets)', color: colors.muted}]},
		...entries.map(entry => row(entry)),
		{key: 'gap-log', segments: []},
		{key: 'legend-log', segments: [{text: 'log', bold: true, color: colors.brand}, {text: '  (requests by arrival; events as they happened)', color: colors.muted}]},
		...log.map(entry => row(entry)),
		...events.map(entry => row(entry)),
		{key: 'gap-history', segments: []},
		{key: 'legend-history', segments: [{text: 'history', bold: true, color: colors.brand}, {text: '  (h shows / hides it, [ ] change its window)', color: colors.muted}]},
		...history.map(entry => row(entry)),
	];
}

/**
 * The help split into pages a box `height` tall can hold (its border takes two lines, and a paged
 * help one more for the line saying which page this is). A page does not start with a blank line.
 */
function pagesOf(lines: readonly Line[], height: number): Line[][] {
	const room = Math.max(1, height - 2);
	if (lines.length <= room) {
		return [[...lines]];
	}

	const perPage = Math.max(1, room - 1);
	const pages: Line[][] = [];
	let page: Line[] = [];
	for (const line of lines) {
		if (page.length === 0 && line.segments.length === 0) {
			continue;
		}

		page.push(line);
		if (page.length === perPage) {
			pages.push(page);
			page = [];
		}
	}

	if (page.length > 0) {
		pages.push(page);
	}

	return pages;
}

/** Pages the help takes in a box this tall. */
export function helpPageCount(strategy: StrategyName, height: number): number {
	return pagesOf(helpLines(strategy), height).length;
}

type Props = {readonly width: number; readonly height: number; readonly strategy: StrategyName; readonly page?: number};

export default function HelpOverlay({width, height, strategy, page = 0}: Props) {
	const lines = helpLines(strategy);
	// The box is as wide as its widest line (plus border and padding), never wider than the screen,
	// and keeps that width on every page.
	const boxWidth = Math.min(width, Math.max(...lines.map(line => displayWidth(line.segments.map(segment => segment.text).join('')))) + 4);
	const pages = pagesOf(lines, height);
	const index = Math.min(Math.max(0, page), pages.length - 1);
	// A short terminal pages through the help (? turns the page) rather than cutting off the legend.
	const shown = pages.length === 1
		? pages[0]!
		: [...pages[index]!, {
			key: 'page',
			segments: [
				{text: `page ${index + 1}/${pages.length}`, bold: true, color: colors.muted},
				...(index + 1 < pages.length ? [{text: ' · ? shows the next', color: colors.muted}] : []),
			],
		}];
	// The box hugs its content; the space below stays empty so the footer keeps its place.
	return (
		<Box flexDirection='column' width={width} height={height} flexShrink={0} overflow='hidden'>
			<Box
				flexDirection='column'
				width={boxWidth}
				height={Math.min(height, shown.length + 2)}
				flexShrink={0}
				overflow='hidden'
				borderStyle='round'
				borderColor={colors.brand}
				paddingX={1}
			>
				{shown.map(line => (
					<Box key={line.key} height={1} flexShrink={0}>
						<StyledText cell={line.segments} width={Math.max(0, boxWidth - 4)}/>
					</Box>
				))}
			</Box>
		</Box>
	);
}
