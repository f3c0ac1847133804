// Alerts for a person who is not looking at a terminal: the platform's own notifier, notify-send
// on Linux and osascript on macOS. Both are run directly with the text as arguments, never
// through a shell; osascript gets it through `on run argv`, so no text is ever AppleScript source.
// The text is cleaned and bounded (alert messages are shunt's own: account names and statuses,
// never a secret), at most a few notifications a minute go out, and a notifier that is missing,
// hangs or fails changes nothing: the alert is in the log and the monitor either way.
import process from 'node:process';
import {spawn} from 'node:child_process';
import {onPath} from '../util/on-path.js';
import {terminalSafe} from '../util/terminal-safe.js';
import type {AlertSink} from './alerts.js';

export type Notifier = {command: string; args: (title: string, body: string) => string[]};

const maxTitle = 80;
const maxBody = 300;
const killAfterMs = 5000;

function bounded(text: string, max: number): string {
	const clean = terminalSafe(text).trim();
	return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

/** How this platform shows a desktop notification, when it can. */
export function platformNotifier(platform = process.platform, env: NodeJS.ProcessEnv = process.env): Notifier | undefined {
	if (platform === 'darwin') {
		const command = onPath('osascript', env) ?? '/usr/bin/osascript';
		return {
			command,
			args: (title, body) => ['-e', 'on run argv', '-e', 'display notification (item 2 of argv) with title (item 1 of argv)', '-e', 'end run', title, body],
		};
	}

	if (platform === 'linux' || platform === 'freebsd' || platform === 'openbsd') {
		const command = onPath('notify-send', env);
		// "--" ends the options: a message starting with "-" is still a message.
		return command ? {command, args: (title, body) => ['--app-name=shunt', '--', title, body]} : undefined;
	}

	return undefined;
}

export type DesktopSinkOptions = {
	notifier?: Notifier;
	/** At most this many notifications per minute; the rest are only in the log. */
	perMinute?: number;
	now?: () => number;
	spawnNotifier?: (command: string, args: string[]) => void;
};

function spawnDetached(command: string, args: string[]): void {
	try {
		const child = spawn(command, args, {stdio: 'ignore', shell: false, windowsHide: true});
		child.once('error', () => undefined);
		const timer = setTimeout(() => {
			child.kill('SIGKILL');
		}, killAfterMs);
		timer.unref();
		child.once('exit', () => {
			clearTimeout(timer);
		});
		// A notifier still running must not keep shunt from exiting.
		child.unref();
	} catch {
		// No notifier after all: the alert is in the log.
	}
}

/** An AlertSink that shows a desktop notification, or undefined when this platform has no notifier. */
export function desktopAlertSink(options: DesktopSinkOptions = {}): AlertSink | undefined {
	const notifier = options.notifier ?? platformNotifier();
	if (!notifier) {
		return undefined;
	}

	const perMinute = options.perMinute ?? 6;
	const now = options.now ?? Date.now;
	const run = options.spawnNotifier ?? spawnDetached;
	const sent: number[] = [];
	return (title, body) => {
		const at = now();
		while (sent.length > 0 && at - sent[0]! >= 60_000) {
			sent.shift();
		}

		if (sent.length >= perMinute) {
			return;
		}

		sent.push(at);
		run(notifier.command, notifier.args(bounded(title, maxTitle), bounded(body, maxBody)));
	};
}

/** One sink that hands each alert to every given one. */
export function allSinks(...sinks: Array<AlertSink | undefined>): AlertSink | undefined {
	const present = sinks.filter((sink): sink is AlertSink => sink !== undefined);
	if (present.length === 0) {
		return undefined;
	}

	return (title, body) => {
		for (const sink of present) {
			try {
				sink(title, body);
			} catch {
				// One sink failing must not keep the alert from the others.
			}
		}
	};
}
