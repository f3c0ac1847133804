import {openSync, writeSync, closeSync} from 'node:fs';
import type {StoreEventKind} from '../state/records.js';
import {terminalSafe} from '../util/terminal-safe.js';
import type {AlertTarget} from '../state/ports.js';

/** Where an alert goes besides the store's event list (a terminal notification). */
export type AlertSink = (title: string, body: string) => void;

export type AlertKind = 'rate-limited' | 'resumed' | 'forbidden' | 'reauth' | 'all-offline';

const titles: Record<AlertKind, string> = {
	'rate-limited': 'shunt: rate limited',
	resumed: 'shunt: account back',
	forbidden: 'shunt: account forbidden',
	reauth: 'shunt: re-login needed',
	'all-offline': 'shunt: all accounts offline',
};

const eventKinds: Record<AlertKind, StoreEventKind> = {
	'rate-limited': 'rate-limited',
	resumed: 'recovered',
	forbidden: 'forbidden',
	reauth: 'auth',
	'all-offline': 'info',
};

const allOfflineEveryMs = 60 * 60_000;

const alreadyLogged: ReadonlySet<AlertKind> = new Set(['resumed']);

/**
 * Alerts land in the store's events (the monitor shows them; a recovery is there already); unless
 * muted they also ring the terminal. "All accounts offline" is announced at most once an hour.
 */
export class Alerts {
	readonly #target: AlertTarget;
	readonly #sink: AlertSink | undefined;
	#lastAllOfflineMs = Number.NEGATIVE_INFINITY;

	constructor(target: AlertTarget, sink?: AlertSink) {
		this.#target = target;
		this.#sink = sink;
	}

	raise(kind: AlertKind, message: string, account?: string): void {
		if (kind === 'all-offline') {
			const now = this.#target.now();
			if (now - this.#lastAllOfflineMs < allOfflineEveryMs) {
				return;
			}

			this.#lastAllOfflineMs = now;
		}

		// A recovery is already in the log (the cooldown watch wrote it when it happened): the alert
		// only tells a person who is not looking, so the log says it once.
		if (!alreadyLogged.has(kind)) {
			this.#target.addEvent(eventKinds[kind], message, account);
		}

		if (!this.#target.overrides.alertsMuted) {
			this.#sink?.(titles[kind], message);
		}
	}
}

/**
 * What an alert writes to the terminal: a bell and an OSC 9 notification. The text is cleaned
 * first, so a message quoting the upstream can neither end the sequence early (BEL, ESC \, the
 * 8-bit ST) nor start one of its own.
 */
export function desktopNotification(title: string, body: string): string {
	return `\u0007\u001B]9;${terminalSafe(`${title}: ${body}`)}\u0007`;
}

/**
 * A terminal bell plus an OSC 9 desktop notification (iTerm2, WezTerm, kitty, Windows Terminal…),
 * written to the controlling terminal so it never mixes into piped output. Terminals that do not
 * know OSC 9 ignore it.
 */
export function terminalAlertSink(): AlertSink | undefined {
	let fd: number | undefined;
	try {
		fd = openSync('/dev/tty', 'w');
	} catch {
		return undefined;
	}

	process.once('exit', () => {
		if (fd !== undefined) {
			closeSync(fd);
		}
	});
	return (title, body) => {
		try {
			writeSync(fd!, desktopNotification(title, body));
		} catch {
			// The terminal went away; alerts still reach the store.
		}
	};
}
