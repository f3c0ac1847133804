import {Box} from 'ink';
import type {Segment} from './segments.js';
import {colors} from './theme.js';
import {displayWidth} from './text-width.js';
import StyledText from './styled-text.js';

type Props = {
	readonly title: string;
	readonly focused: boolean;
	readonly width: number;
	/** Shown at the right end of the rule (counts, legends, scroll position). */
	readonly hint?: readonly Segment[];
};

/**
 * A pane's title drawn as a rule across the screen. The focused pane gets a heavy bright rule so the
 * focus is visible even without colour.
 */
const noHint: readonly Segment[] = [];

export default function PaneTitle({title, focused, width, hint = noHint}: Props) {
	const rule = focused ? '━' : '─';
	const color = focused ? colors.brand : colors.muted;
	const hintWidth = displayWidth(hint.map(segment => segment.text).join(''));
	const fixed = 3 + displayWidth(title) + 1 + (hintWidth > 0 ? hintWidth + 2 : 0) + 2;
	const fill = Math.max(1, width - fixed);
	const segments: Segment[] = [
		{text: `${rule.repeat(2)} `, color},
		{text: title, bold: true, color: focused ? colors.brand : undefined},
		{text: ` ${rule.repeat(fill)}`, color},
		...(hintWidth > 0 ? [{text: ' '}, ...hint, {text: ' '}] : []),
		{text: rule.repeat(2), color},
	];
	return (
		<Box width={width} height={1} flexShrink={0}>
			<StyledText cell={segments} width={width}/>
		</Box>
	);
}
