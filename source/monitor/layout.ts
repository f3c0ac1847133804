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

export type PaneHeights = {accounts: number; log: number; savings: number};

/**
 * Splits the lines between the header and footer: the accounts pane gets what it needs (it is the
 * point of the monitor) as long as the log keeps a few rows; the savings line goes first when the
 * terminal is short.
 */
export function paneHeights(available: number, accountsWanted: number): PaneHeights {
	const logMinimum = 5;
	// The savings line is the first thing to go: accounts and a readable log matter more.
	const savings = available - 1 - accountsWanted >= logMinimum ? 1 : 0;
	const rest = available - savings;
	const accounts = Math.max(Math.min(accountsWanted, 3), Math.min(accountsWanted, rest - logMinimum));
	return {accounts, log: Math.max(0, rest - accounts), savings};
}
