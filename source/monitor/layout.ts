// How much screen each part of the monitor gets. Pure arithmetic, so the size classes can be tested
// without rendering and every pane is told its exact height (nothing may spill over).

export type Density = 'narrow' | 'normal' | 'wide';

/** Below this the monitor shows a "too small" notice instead of a garbled layout. */
export const minimumSize = {columns: 40, rows: 10} as const;

export function densityFor(columns: number): Density {
	if (columns < 80) {
		return 'narrow';
	}

	return columns >= 120 ? 'wide' : 'normal';
}

/** Cells in each 5h / 7d gauge bar at this width (0 = percentages only). */
export function gaugeBarWidth(columns: number): number {
	if (columns >= 160) {
		return 16;
	}

	if (columns >= 120) {
		return 10;
	}

	if (columns >= 100) {
		return 8;
	}

	return columns >= 80 ? 5 : 0;
}

/** Lines the monitor may draw: one less than the terminal so Ink can redraw in place without clearing the screen. */
export function usableRows(rows: number): number {
	return Math.max(1, rows - 1);
}

/** What one pane asks of the screen, in the order panes are stacked. */
export type PaneSpec<Key extends string = string> = {
	key: Key;
	/** Lines it would like. */
	wanted: number;
	/** Lines it needs to be worth showing; fewer and it gets none (only when optional). */
	minimum: number;
	/** Shown only when every other pane gets what it wants (the savings line). */
	optional?: boolean;
	/** Takes whatever is left (the log). */
	grow?: boolean;
};

/**
 * Splits the lines between the header and footer, pane by pane in their order: each gets its
 * minimum, then as much of what it wants as the growing pane's minimum leaves room for; the
 * growing pane gets the rest; optional panes appear only when everything else fits at its want.
 * Adding a pane is one more entry in the list.
 */
export function paneHeights<Key extends string>(available: number, panes: ReadonlyArray<PaneSpec<Key>>): Record<Key, number> {
	// eslint-disable-next-line @typescript-eslint/consistent-type-assertions -- every key is set below
	const heights = {} as Record<Key, number>;
	const grow = panes.find(pane => pane.grow);
	const fixed = panes.filter(pane => !pane.grow && !pane.optional);
	const wantedFixed = fixed.reduce((sum, pane) => sum + pane.wanted, 0);
	let left = available;
	for (const pane of panes.filter(pane => pane.optional)) {
		const fits = available - wantedFixed - pane.wanted >= (grow?.minimum ?? 0);
		heights[pane.key] = fits ? pane.wanted : 0;
		left -= heights[pane.key];
	}

	let minimumsAfter = fixed.reduce((sum, pane) => sum + Math.min(pane.wanted, pane.minimum), 0) + (grow?.minimum ?? 0);
	for (const pane of fixed) {
		const floor = Math.min(pane.wanted, pane.minimum);
		minimumsAfter -= floor;
		heights[pane.key] = Math.max(floor, Math.min(pane.wanted, left - minimumsAfter));
		left -= heights[pane.key];
	}

	if (grow) {
		heights[grow.key] = Math.max(0, left);
	}

	return heights;
}
