// Keys to actions: typing a filter takes every key; an open overlay closes on any key (the
// detail view also on Esc); otherwise the binding list decides. Several keys can arrive in one
// stdin chunk (fast typing, a held key, a slow ssh link) and each sees the state the previous one
// left, so the UI state lives in a ref as well as in React state.
import {
	useCallback, useRef, useState, type RefObject,
} from 'react';
import {useInput, useStdin, type Key} from 'ink';
import type {OptimisticActions} from '../hooks/use-optimistic-actions.js';
import {nextFocus} from '../panes/pane-list.js';
import {
	clamp, initialUi, moveSelection, type UiState,
} from '../ui-state.js';
import {findBinding, type KeyContext} from './key-bindings.js';

/** What the handler needs from the latest render, read when a key arrives. */
export type Rendered = {
	/** Keys of the log rows as shown (after the filter), newest first. */
	logKeys: readonly string[];
	/** Keys of rows that open a detail view (requests, not events). */
	detailKeys: ReadonlySet<string>;
	/** Pages the help needs at this terminal size. */
	helpPages: number;
	nowMs: number;
};

const noticeMs = 3000;

export function useKeyHandler(optimistic: OptimisticActions, rendered: RefObject<Rendered>, onQuit: () => void): UiState {
	const [ui, setUi] = useState<UiState>(initialUi);
	const uiRef = useRef(ui);
	const update = useCallback((change: (state: UiState) => UiState) => {
		uiRef.current = change(uiRef.current);
		setUi(uiRef.current);
	}, []);

	const handleKey = useCallback((input: string, key: Key) => {
		const state = uiRef.current;
		// Once quitting, nothing more may change: the proxy is shutting down.
		if (state.quitting) {
			return;
		}

		if (key.ctrl && input === 'c') {
			update(current => ({...current, quitting: true, overlay: null}));
			onQuit();
			return;
		}

		if (state.filtering) {
			typeFilter(input, key, update);
			return;
		}

		// ? turns the help's page while there is another; any other key closes it without also acting.
		if (state.overlay?.kind === 'help' && input === '?' && state.overlay.page + 1 < rendered.current.helpPages) {
			const page = state.overlay.page + 1;
			update(current => ({...current, overlay: {kind: 'help', page}}));
			return;
		}

		// The detail view closes on Esc, Enter or q.
		if (state.overlay?.kind === 'help' || (state.overlay?.kind === 'detail' && (key.escape || key.return || input === 'q'))) {
			update(current => ({...current, overlay: null}));
			return;
		}

		if (state.overlay) {
			return;
		}

		const view = optimistic.view();
		const cursor = clamp(state.cursor, 0, Math.max(0, view.accounts.length - 1));
		const context: KeyContext = {
			snapshot: view,
			actions: optimistic.actions,
			focus: state.focus,
			cursorAccount: view.accounts[cursor],
			move(delta) {
				if (uiRef.current.focus === 'accounts') {
					update(current => ({...current, cursor: clamp(cursor + delta, 0, Math.max(0, view.accounts.length - 1))}));
					return;
				}

				const {logKeys} = rendered.current;
				update(current => {
					// Up at the newest row returns the log to live (following new rows again).
					const selected = moveSelection(logKeys, current.logSelected, delta);
					return {...current, logSelected: selected === logKeys[0] ? null : selected};
				});
			},
			toggleFocus() {
				// Leaving the log returns it to live so new entries are not missed.
				update(current => ({...current, focus: nextFocus(current.focus), logSelected: null}));
			},
			openHelp() {
				update(current => ({...current, overlay: {kind: 'help', page: 0}}));
			},
			openDetail() {
				const {logKeys, detailKeys} = rendered.current;
				const selected = uiRef.current.focus === 'log' ? uiRef.current.logSelected ?? logKeys[0] : undefined;
				if (selected !== undefined && detailKeys.has(selected)) {
					update(current => ({...current, overlay: {kind: 'detail', key: selected}, logSelected: selected}));
				} else {
					context.notify(uiRef.current.focus === 'log' ? 'that row is an event: no detail' : 'tab to the log, pick a request, then enter');
				}
			},
			startFilter() {
				update(current => ({
					...current, filtering: true, focus: 'log', logSelected: null,
				}));
			},
			escape() {
				update(current => (current.filter === '' ? {...current, logSelected: null} : {...current, filter: '', logSelected: null}));
			},
			history: state.history,
			setHistory(history) {
				update(current => ({...current, history}));
			},
			notify(text) {
				update(current => ({...current, notice: {text, untilMs: rendered.current.nowMs + noticeMs}}));
			},
			quit() {
				update(current => ({...current, quitting: true, overlay: null}));
				onQuit();
			},
		};
		findBinding(input, key)?.action(context, input, key);
	}, [optimistic, update, onQuit, rendered]);

	const handleInput = useCallback((input: string, key: Key) => {
		// Ink hands over a whole chunk at once when keys arrive together: "jjj" must move three rows.
		const chars = [...input];
		if (chars.length > 1 && !key.ctrl && !key.meta && !uiRef.current.filtering) {
			for (const char of chars) {
				handleKey(char, {...key, shift: /^[A-Z]$/.test(char)});
			}

			return;
		}

		handleKey(input, key);
	}, [handleKey]);

	const {isRawModeSupported} = useStdin();
	// Without a TTY there is no raw mode and useInput would throw; the monitor then just displays.
	useInput(handleInput, {isActive: Boolean(isRawModeSupported)});
	return ui;
}

// Printable text only: a pasted escape sequence must not end up in the filter line.
const printable = /^[^\p{Cc}\p{Cf}]+$/u;
const maxFilterLength = 80;

function typeFilter(input: string, key: Key, update: (change: (state: UiState) => UiState) => void): void {
	if (key.escape) {
		update(current => ({...current, filtering: false, filter: ''}));
	} else if (key.return) {
		update(current => ({...current, filtering: false}));
	} else if (key.backspace || key.delete) {
		update(current => ({...current, filter: [...current.filter].slice(0, -1).join('')}));
	} else if (!key.ctrl && !key.meta && printable.test(input)) {
		update(current => ({...current, filter: `${current.filter}${input}`.slice(0, maxFilterLength)}));
	}
}
