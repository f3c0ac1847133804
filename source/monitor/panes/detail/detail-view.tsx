import {Box} from 'ink';
import {colors} from '../../kit/theme.js';
import StyledText from '../../kit/styled-text.js';
import type {DetailLine} from './detail-lines.js';

type Props = {readonly lines: readonly DetailLine[]; readonly width: number; readonly height: number};

/** One request in detail, over the whole screen (like the help); Esc closes it. */
export default function DetailView({lines, width, height}: Props) {
	const room = Math.max(0, height - 2);
	const shown = lines.length > room
		? [...lines.slice(0, Math.max(0, room - 1)), {key: 'more', segments: [{text: `… ${lines.length - room + 1} more lines (a taller terminal shows them)`, color: colors.muted}]}]
		: lines;
	return (
		<Box flexDirection='column' width={width} height={height} flexShrink={0} overflow='hidden'>
			<Box flexDirection='column' width={width} height={Math.min(height, shown.length + 2)} flexShrink={0} overflow='hidden' borderStyle='round' borderColor={colors.accent} paddingX={1}>
				{shown.map(line => (
					<Box key={line.key} height={1} flexShrink={0}>
						<StyledText cell={line.segments} width={Math.max(0, width - 4)}/>
					</Box>
				))}
			</Box>
		</Box>
	);
}
