// The monitor's own state (not the store's): which pane has the focus, the account cursor, the log
// selection and scroll, what is open over the panes, the log filter, a passing notice, the history
// pane's visibility.
import {defaultHistoryWindow, type HistoryWindow} from './contract.js';
import type {Focus} from './panes/pane-list.js';

/** The help (the page shown when it needs more than one) or one log row's detail. */
export type Overlay = null | {kind: 'help'; page: number} | {kind: 'detail'; key: string};

export type UiState = {
	focus: Focus;
	/** Index into the account list (clamped when the list shrinks). */
	cursor: number;
	/**
	 * The selected log row, by key, so the selection holds still while new rows arrive above it;
	 * null = following the newest (no selection, the view at the top).
	 */
	logSelected: string | null;
	overlay: Overlay;
	/** The log filter, and whether the user is typing it. */
	filter: string;
	filtering: boolean;
	notice: {text: string; untilMs: number} | null;
	/** q was pressed: the caller is draining in-flight requests before it unmounts us. */
	quitting: boolean;
	/** Whether the history pane is wanted (h), and the window it shows again once it is. */
	history: {shown: boolean; window: HistoryWindow};
};

export const initialUi: UiState = {
	focus: 'accounts', cursor: 0, logSelected: null, overlay: null, filter: '', filtering: false, notice: null, quitting: false, history: {shown: true, window: defaultHistoryWindow},
};

export const clamp = (value: number, low: number, high: number) => Math.max(low, Math.min(value, high));

/**
 * Where the log view starts so that the selected row is in it: at the top while following live,
 * otherwise the selection as far down as it needs to be, never past the end.
 */
export function logOffset(keys: readonly string[], selected: string | null, room: number): number {
	if (selected === null || room <= 0) {
		return 0;
	}

	const index = keys.indexOf(selected);
	return index < room ? 0 : clamp(index - room + 1, 0, Math.max(0, keys.length - room));
}

/** The key `delta` rows away from the selection (the newest row when nothing is selected yet). */
export function moveSelection(keys: readonly string[], selected: string | null, delta: number): string | null {
	if (keys.length === 0) {
		return null;
	}

	const at = selected === null ? 0 : Math.max(0, keys.indexOf(selected));
	return keys[clamp(at + delta, 0, keys.length - 1)] ?? null;
}
