import {Box} from 'ink';
import type {StrategyName} from '../../../routing/strategies.js';
import {keyBindings} from '../../keys/key-bindings.js';
import type {Segment} from '../../kit/segments.js';
import {strategies} from '../../kit/strategies.js';
import {colors, eventStyles, logMeanings, stateStyles, tagMeanings} from '../../kit/theme.js';
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
		...Object.entries(stateStyles).map(([state, style]) => ({key: `state:${state}`, mark: style.symbol, color: style.color, meaning: style.meaning})),
		...tagMeanings.map(([tag, meaning]) => ({key: `tag:${tag}`, mark: tag, meaning})),
	];
	const events = Object.entries(eventStyles).map(([kind, style]) => ({key: `event:${kind}`, mark: style.symbol, color: style.color, meaning: style.meaning}));
	const log = logMeanings.map(([mark, meaning]) => ({key: `log:${mark}`, mark, meaning}));
	const markWidth = Math.max(...[...entries, ...events, ...log].map(entry => displayWidth(entry.mark)));
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
	];
}

export default function HelpOverlay({width, height, strategy}: {width: number; height: number; strategy: StrategyName}) {
	const lines = helpLines(strategy);
	const room = Math.max(0, height - 2);
	// The box is as wide as its widest line (plus border and padding), never wider than the screen.
	const boxWidth = Math.min(width, Math.max(...lines.map(line => displayWidth(line.segments.map(segment => segment.text).join('')))) + 4);
	// On a short terminal, show what fits and say that there is more rather than overflow.
	const shown = lines.length > room ? [...lines.slice(0, Math.max(0, room - 1)), {key: 'more', segments: [{text: '… (taller terminal shows the rest)', color: colors.muted}]}] : lines;
	// The box hugs its content; the space below stays empty so the footer keeps its place.
	return (
		<Box flexDirection="column" width={width} height={height} flexShrink={0} overflow="hidden">
			<Box
				flexDirection="column"
				width={boxWidth}
				height={Math.min(height, shown.length + 2)}
				flexShrink={0}
				overflow="hidden"
				borderStyle="round"
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
