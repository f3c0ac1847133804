import {Text} from 'ink';
import {
	mergeSegments, toSegments, truncateSegments, type Cell,
} from './segments.js';

type Props = {
	readonly cell: Cell | undefined;
	/** Display columns available; the text is cut to it with an ellipsis. */
	readonly width?: number;
	readonly bold?: boolean;
	readonly dimColor?: boolean;
};

/**
 * One line of styled segments, cut at the box edge by display width rather than wrapped: a wrapped
 * line would push every row below it down and break the layout. Ink's truncate-end stays on as a
 * safety net for callers that cannot say their width.
 */
export default function StyledText({cell, width, bold, dimColor}: Props) {
	const segments = mergeSegments(width === undefined ? toSegments(cell) : truncateSegments(toSegments(cell), width));
	return (
		<Text wrap='truncate-end' bold={bold} dimColor={dimColor}>
			{segments.map((segment, index) => (
				<Text
					// Segments never reorder within a line, so the position is a stable key.
					// eslint-disable-next-line react/no-array-index-key
					key={index}
					color={segment.color}
					backgroundColor={segment.backgroundColor}
					dimColor={segment.dimColor}
					bold={segment.bold}
					inverse={segment.inverse}
				>
					{segment.text}
				</Text>
			))}
		</Text>
	);
}
