import {Box} from 'ink';
import {cellWidth} from '../../kit/segments.js';
import StyledText from '../../kit/styled-text.js';
import type {HeaderLine} from './header-lines.js';

/** The header lines built by buildHeader: the left part gives way first, the right stays whole. */
export default function Header({lines, width}: {readonly lines: readonly HeaderLine[]; readonly width: number}) {
	return (
		<Box flexDirection='column' width={width} flexShrink={0}>
			{lines.map(line => {
				const right = line.right ? Math.min(width, cellWidth(line.right)) : 0;
				const left = Math.max(0, width - (right > 0 ? right + 2 : 0));
				return (
					<Box key={line.key} width={width} height={1} justifyContent='space-between'>
						<Box width={left} flexShrink={0}>
							<StyledText cell={line.left} width={left}/>
						</Box>
						{line.right
							? (
								<Box width={right} flexShrink={0}>
									<StyledText cell={line.right} width={right}/>
								</Box>
							)
							: null}
					</Box>
				);
			})}
		</Box>
	);
}
