// The panes of the monitor, top to bottom, with what each asks of the screen and whether the
// cursor keys can focus it. Adding a pane: its folder, and one entry here.
import type {PaneSpec} from '../layout.js';

export const focusablePanes = ['accounts', 'log'] as const;

/** The pane that up/down and Enter act on. */
export type Focus = (typeof focusablePanes)[number];

export type PaneKey = 'accounts' | 'log' | 'savings';

export type PaneWants = {accounts: number};

export function screenPanes(wants: PaneWants): Array<PaneSpec<PaneKey>> {
	return [
		// The accounts are the point of the monitor: they get what they need while the log keeps a few rows.
		{key: 'accounts', wanted: wants.accounts, minimum: 3},
		{
			key: 'log', wanted: Number.POSITIVE_INFINITY, minimum: 5, grow: true,
		},
		// The first thing to go on a short terminal.
		{
			key: 'savings', wanted: 1, minimum: 1, optional: true,
		},
	];
}

export function nextFocus(focus: Focus): Focus {
	return focusablePanes[(focusablePanes.indexOf(focus) + 1) % focusablePanes.length]!;
}
