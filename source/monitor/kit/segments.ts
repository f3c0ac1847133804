// Styled text as data: panes build rows of segments, the Table measures them by display width and
// renders each as a nested <Text>. Keeping text and style together lets layout code measure exactly
// what will be drawn.
import {terminalSafe} from '../../util/terminal-safe.js';
import {displayWidth, sliceToWidth} from './text-width.js';

export type Segment = {
	text: string;
	color?: string;
	backgroundColor?: string;
	dimColor?: boolean;
	bold?: boolean;
	inverse?: boolean;
};

export type Cell = string | Segment | readonly Segment[];

function safeSegment(segment: Segment): Segment {
	const text = terminalSafe(segment.text);
	return text === segment.text ? segment : {...segment, text};
}

/**
 * A cell as segments, with any escape sequence or control character in its text removed: cells
 * carry model ids, paths and messages from clients and the upstream, and everything drawn (and
 * measured, so widths match what is drawn) goes through here. Clean cells, nearly all of them,
 * come back as they are, without a copy.
 */
export function toSegments(cell: Cell | undefined): readonly Segment[] {
	if (cell === undefined) {
		return [];
	}

	if (typeof cell === 'string') {
		return cell === '' ? [] : [{text: terminalSafe(cell)}];
	}

	if (!Array.isArray(cell)) {
		return [safeSegment(cell as Segment)];
	}

	const segments = cell as readonly Segment[];
	// A plain loop: this runs for every cell of every frame.
	for (let index = 0; index < segments.length; index++) {
		const {text} = segments[index]!;
		if (terminalSafe(text) !== text) {
			// Something to clean: copy, leaving the clean segments before this one as they are.
			return [...segments.slice(0, index), ...segments.slice(index).map(segment => safeSegment(segment))];
		}
	}

	return segments;
}

export function cellText(cell: Cell | undefined): string {
	return toSegments(cell).map(segment => segment.text).join('');
}

export function cellWidth(cell: Cell | undefined): number {
	return displayWidth(cellText(cell));
}

function sameStyle(a: Segment, b: Segment): boolean {
	return a.color === b.color && a.backgroundColor === b.backgroundColor && a.dimColor === b.dimColor && a.bold === b.bold && a.inverse === b.inverse;
}

/**
 * Neighbours in the same style as one segment: what is drawn is the same, with fewer <Text>
 * elements for React and fewer style changes for Ink to tokenize on every frame (a log row is
 * mostly plain cells and their padding). Returns the list itself when nothing merges.
 */
export function mergeSegments(segments: readonly Segment[]): readonly Segment[] {
	if (segments.length < 2) {
		return segments;
	}

	const merged: Segment[] = [];
	for (const segment of segments) {
		const last = merged.at(-1);
		if (last && sameStyle(last, segment)) {
			merged[merged.length - 1] = {...last, text: last.text + segment.text};
		} else {
			merged.push(segment);
		}
	}

	return merged.length === segments.length ? segments : merged;
}

/** Joins groups of segments with a separator, skipping empty groups. */
export function joinSegments(groups: ReadonlyArray<readonly Segment[]>, separator: Segment): Segment[] {
	const result: Segment[] = [];
	for (const group of groups) {
		if (group.length === 0) {
			continue;
		}

		if (result.length > 0) {
			result.push(separator);
		}

		result.push(...group);
	}

	return result;
}

/**
 * Cuts styled segments to `width` display columns with a trailing `…` in the style of the segment
 * it cuts. Done here rather than by Ink because Ink's cut can overshoot by a column on wide (CJK)
 * characters, which would push the next column over.
 */
export function truncateSegments(segments: readonly Segment[], width: number): readonly Segment[] {
	const total = displayWidth(segments.map(segment => segment.text).join(''));
	if (total <= width) {
		return segments;
	}

	const result: Segment[] = [];
	let left = width;
	for (const segment of segments) {
		const size = displayWidth(segment.text);
		if (size < left) {
			result.push(segment);
			left -= size;
			continue;
		}

		// This segment reaches the edge and the whole is too wide: cut here, leaving room for "…".
		if (left > 0) {
			result.push({...segment, text: `${sliceToWidth(segment.text, left - 1)}…`});
		}

		break;
	}

	return result;
}
