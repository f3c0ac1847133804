// Display width of text in terminal columns. Ink lays text out by display width, so every
// measurement the monitor makes (column sizes, header packing) must use this, never .length:
// CJK characters and emoji take two columns, combining marks none.

import {boundedMemo} from '../../util/bounded-memo.js';

const segmenter = new Intl.Segmenter();
// eslint-disable-next-line no-control-regex
const ansiPattern = /\u001B\[[0-?]*[ -/]*[@-~]|\u001B\][^\u0007\u001B]*(?:\u0007|\u001B\\)/g;
const zeroWidthPattern = /^[\p{Control}\p{Mark}\p{Default_Ignorable_Code_Point}]+$/u;
const emojiPresentationPattern = /\p{Emoji_Presentation}/u;
const pictographicPattern = /\p{Extended_Pictographic}/u;

// East Asian Wide and Fullwidth blocks (ambiguous-width characters count as narrow, as Ink does).
const wideRanges: ReadonlyArray<readonly [number, number]> = [
	[0x11_00, 0x11_5F],
	[0x23_29, 0x23_2A],
	[0x2E_80, 0x30_3E],
	[0x30_41, 0x33_FF],
	[0x34_00, 0x4D_BF],
	[0x4E_00, 0x9F_FF],
	[0xA0_00, 0xA4_CF],
	[0xA9_60, 0xA9_7F],
	[0xAC_00, 0xD7_A3],
	[0xF9_00, 0xFA_FF],
	[0xFE_10, 0xFE_19],
	[0xFE_30, 0xFE_6F],
	[0xFF_00, 0xFF_60],
	[0xFF_E0, 0xFF_E6],
	[0x1_B0_00, 0x1_B2_FF],
	[0x1_F2_00, 0x1_F2_FF],
	[0x2_00_00, 0x3_FF_FD],
];

const isWideCodePoint = (codePoint: number): boolean =>
	wideRanges.some(([from, to]) => codePoint >= from && codePoint <= to);

/** Removes colour and other escape sequences (tests read rendered frames through this). */
export function stripAnsi(text: string): string {
	return text.replaceAll(ansiPattern, '');
}

function graphemeWidth(grapheme: string): number {
	if (zeroWidthPattern.test(grapheme)) {
		return 0;
	}

	if (emojiPresentationPattern.test(grapheme) || (pictographicPattern.test(grapheme) && grapheme.includes('\uFE0F'))) {
		return 2;
	}

	return isWideCodePoint(grapheme.codePointAt(0) ?? 0) ? 2 : 1;
}

function segmentedWidth(text: string): number {
	let width = 0;
	for (const {segment} of segmenter.segment(stripAnsi(text))) {
		width += graphemeWidth(segment);
	}

	return width;
}

// Segmenting is slow, and every frame measures the same gauges, icons and separators again.
const rememberedWidth = boundedMemo(segmentedWidth, 4096);

/** Terminal columns the text occupies once escape sequences are removed. */
export function displayWidth(text: string): number {
	// Plain ASCII is by far the common case; skip segmentation for it.
	if (/^[\u0020-\u007E]*$/.test(text)) {
		return text.length;
	}

	return rememberedWidth(text);
}

/** The longest start of `text` that fits in `width` columns; a wide character is never split. */
export function sliceToWidth(text: string, width: number): string {
	let result = '';
	let used = 0;
	for (const {segment} of segmenter.segment(text)) {
		const next = graphemeWidth(segment);
		if (used + next > width) {
			break;
		}

		result += segment;
		used += next;
	}

	return result;
}

/** Cuts text to at most `width` display columns, ending in `…` when anything was cut. */
export function truncateToWidth(text: string, width: number): string {
	if (displayWidth(text) <= width) {
		return text;
	}

	return width <= 0 ? '' : `${sliceToWidth(text, width - 1)}…`;
}

/** Pads with spaces on the right to `width` display columns (String.padEnd counts code units). */
export function padEndToWidth(text: string, width: number): string {
	return text + ' '.repeat(Math.max(0, width - displayWidth(text)));
}
