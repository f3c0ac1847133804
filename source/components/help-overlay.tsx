import {Box} from 'ink';
import type {StrategyName} from '../routing/strategies.js';
import {keyBindings} from '../ui/key-bindings.js';
import type {Segment} from '../ui/segments.js';
import {strategies} from '../ui/strategies.js';
import {colors} from '../ui/theme.js';
import {displayWidth, padEndToWidth} from '../ui/text-width.js';
import StyledText from './styled-text.js';

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
	];
}

export default function HelpOverlay({width, height, strategy}: {width: number; height: number; strategy: StrategyName}) {
	const lines = helpLines(strategy);
	const room = Math.max(0, height - 2);
	// On a short terminal, show what fits and say that there is more rather than overflow.
	const shown = lines.length > room ? [...lines.slice(0, Math.max(0, room - 1)), {key: 'more', segments: [{text: '… (taller terminal shows the rest)', color: colors.muted}]}] : lines;
	// The box hugs its content; the space below stays empty so the footer keeps its place.
	return (
		<Box flexDirection="column" width={width} height={height} flexShrink={0} overflow="hidden">
			<Box
				flexDirection="column"
				width={width}
				height={Math.min(height, shown.length + 2)}
				flexShrink={0}
				overflow="hidden"
				borderStyle="round"
				borderColor={colors.brand}
				paddingX={1}
			>
				{shown.map(line => (
					<Box key={line.key} height={1} flexShrink={0}>
						<StyledText cell={line.segments} width={Math.max(0, width - 4)}/>
					</Box>
				))}
			</Box>
		</Box>
	);
}
