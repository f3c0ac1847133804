// The checks meow leaves to us, or does in a way a user should not see: it throws (a stack trace)
// on a bad `choices` value and on a repeated flag, turns `--port abc` into NaN, and on an unknown
// flag prints "Unknown flag" and calls process.exit(2) itself. Each mistake here becomes one
// UserError line pointing at --help, exit 2.
import {strategyNames, type StrategyName} from '../routing/strategies.js';
import {UserError} from '../util/user-error.js';

const seeHelp = '(see shunt --help)';

/** A usage mistake: exit 2, like an unknown command. */
export function usageError(message: string): UserError {
	return new UserError(`${message} ${seeHelp}`, 2);
}

type FlagSpec = Record<string, {type: 'string' | 'boolean' | 'number'; shortFlag?: string}>;

/** Throws a usage error naming the first flag that `flags` does not define. */
export function rejectUnknownFlags(argv: readonly string[], flags: FlagSpec): void {
	const unknown = unknownFlag(argv, flags);
	if (unknown !== undefined) {
		throw usageError(`unknown flag ${unknown.replaceAll(/[^\u0020-\u007E]/g, '?').slice(0, 100)}`);
	}
}

/**
 * The first flag on the command line that `flags` does not define, as typed (`--foo`, `-x`), or
 * undefined. Mirrors the parser's spellings: `--api-key` and `--apiKey`, `--flag=value`, and
 * `--no-<flag>` for booleans, and a flag's one-letter form (`-f`); `--help` and `--version` are
 * meow's own. Everything after `--` is input, and so is a lone `-` or a negative number (the value
 * of the flag before it).
 */
function unknownFlag(argv: readonly string[], flags: FlagSpec): string | undefined {
	const known = new Set(['help', 'version']);
	const booleans = new Set<string>();
	const shorts = new Set<string>();
	for (const [key, spec] of Object.entries(flags)) {
		if (spec.shortFlag) {
			shorts.add(spec.shortFlag);
		}

		for (const name of [key, kebabCase(key)]) {
			known.add(name);
			if (spec.type === 'boolean') {
				booleans.add(name);
			}
		}
	}

	for (const argument of argv) {
		if (argument === '--') {
			return undefined;
		}

		if (!argument.startsWith('-') || argument === '-' || /^-(?:\d+|\d*\.\d+)(?:e[+-]?\d+)?$/i.test(argument)) {
			continue;
		}

		if (!argument.startsWith('--')) {
			// One letter, alone: `-f`, `-n 20`.
			if (/^-[a-zA-Z]$/.test(argument) && shorts.has(argument.slice(1))) {
				continue;
			}

			return argument;
		}

		const name = argument.slice(2).split('=', 1)[0]!;
		if (!known.has(name) && !(name.startsWith('no-') && booleans.has(name.slice(3)))) {
			return `--${name}`;
		}
	}

	return undefined;
}

/** True when `--help` (or `--version`) is among the flags, not only when it is alone (meow's own rule). */
export function asksFor(flag: '--help' | '--version', argv: readonly string[]): boolean {
	const end = argv.indexOf('--');
	return (end === -1 ? argv : argv.slice(0, end)).includes(flag);
}

/** The port from `--port` or SHUNT_PORT, kept as text until checked, so the error shows what was typed. */
export function parsePort(raw: string | undefined, source: '--port' | 'SHUNT_PORT'): number | undefined {
	if (raw === undefined) {
		return undefined;
	}

	const port = /^\d{1,5}$/.test(raw) ? Number(raw) : Number.NaN;
	if (!(port >= 0 && port <= 65_535)) {
		throw usageError(`invalid ${source} ${quote(raw)}: use a number from 0 to 65535`);
	}

	return port;
}

export function parseStrategy(raw: string | undefined): StrategyName | undefined {
	if (raw === undefined) {
		return undefined;
	}

	if (!(strategyNames as readonly string[]).includes(raw)) {
		throw usageError(`invalid --strategy ${quote(raw)}; choose one of ${strategyNames.join(', ')}`);
	}

	return raw as StrategyName;
}

/** meow's own throws (a flag given twice) as one usage line. */
export function parserError(error: Error): UserError {
	const twice = /^The flag (--[\w-]+) can only be set once\.$/.exec(error.message);
	return usageError(twice ? `${twice[1]} can only be given once` : error.message.replace(/\.$/, '').replaceAll(/\s+/g, ' '));
}

/** What the user typed, quoted, with control characters escaped and the length bounded. */
export function quote(text: string): string {
	return JSON.stringify(text.length > 100 ? `${text.slice(0, 100)}…` : text);
}

function kebabCase(key: string): string {
	return key.replaceAll(/[A-Z]/g, letter => `-${letter.toLowerCase()}`);
}
