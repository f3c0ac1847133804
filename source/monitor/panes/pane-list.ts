// The panes of the monitor, top to bottom, with what each asks of the screen and whether the
// cursor keys can focus it. Adding a pane: its folder, and one entry here.
import type {PaneSpec} from '../layout.js';

export const focusablePanes = ['accounts', 'log'] as const;

/** The pane that up/down and Enter act on. */
export type Focus = (typeof focusablePanes)[number];

/** The log's title, column header and a few rows. */
const logMinimum = 5;

export type PaneKey = 'accounts' | 'history' | 'log' | 'savings';

/** Lines the accounts would like, and the history's height (chosen by historyRoom: 0 = not shown). */
export type PaneWants = {accounts: number; history: number};

export function screenPanes(wants: PaneWants): Array<PaneSpec<PaneKey>> {
	return [
		// The accounts are the point of the monitor: they get what they need while the log keeps a few rows.
		{key: 'accounts', wanted: wants.accounts, minimum: 3},
		// The trend between the state of now and the requests one by one; its height is decided before (historyRoom).
		{key: 'history', wanted: wants.history, minimum: wants.history},
		{
			key: 'log', wanted: Number.POSITIVE_INFINITY, minimum: logMinimum, grow: true,
		},
		// The first thing to go on a short terminal.
		{
			key: 'savings', wanted: 1, minimum: 1, optional: true,
		},
	];
}

/**
 * Lines the history pane may take from a log this tall: the log keeps at least a third of the lines
 * between header and footer (and never fewer than its minimum), so the history grows and shrinks
 * with the terminal rather than squeezing the requests out. At 120x40 that leaves room for the
 * chart; at 100x30 for the sparklines and burn rates without the chart; at 80x24 for the one line
 * saying how fast the pool burns, the log one line shorter (the history pane picks its layout from
 * this room, and h hides it altogether).
 */
export function historyRoom(logHeight: number, body: number): number {
	const keeps = Math.max(logMinimum, Math.round(body / 3));
	return Math.max(0, logHeight - keeps);
}

export function nextFocus(focus: Focus): Focus {
	return focusablePanes[(focusablePanes.indexOf(focus) + 1) % focusablePanes.length]!;
}
