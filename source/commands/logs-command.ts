// `shunt logs [-f] [--json] [-n <lines>]`: the log file (runtime/log-file.ts) as the headless log's
// lines, drawn by the same formatter, or as its JSON objects. The file is read, never trusted:
// each line is parsed and checked before it is drawn, and a line that is not one of ours (a
// partial last line, a stray edit) is left out. -f follows the newest file and moves to the
// next day's file when one appears, after the rest of the old one.
import {Buffer} from 'node:buffer';
import {
	closeSync, openSync, readdirSync, readSync, statSync,
} from 'node:fs';
import path from 'node:path';
import {asRequestRecord, asStoreEvent} from '../monitor/snapshot-check.js';
import {eventLine, requestLine} from '../runtime/headless-log.js';
import {logFilePattern} from '../runtime/log-file.js';
import {parseJsonObject} from '../util/json.js';
import {terminalSafeJson} from '../util/terminal-safe.js';
import {usageError} from './cli-arguments.js';

/** One line of the file as printed, or undefined for a line that is not one of ours. */
export function renderLogLine(line: string, json: boolean): string | undefined {
	const entry = parseJsonObject(line);
	if (!entry) {
		return undefined;
	}

	if (json) {
		return terminalSafeJson(JSON.stringify(entry));
	}

	if (entry['type'] === 'request') {
		const record = asRequestRecord(entry);
		return record ? requestLine(record) : undefined;
	}

	if (entry['type'] === 'event') {
		const event = asStoreEvent(entry);
		return event ? eventLine(event) : undefined;
	}

	return undefined;
}

/** The log files in a directory, oldest first (their names sort by day). */
export function logFiles(directory: string): string[] {
	try {
		return readdirSync(directory).filter(name => logFilePattern.test(name)).toSorted();
	} catch {
		return [];
	}
}

// A line longer than this is not one of ours: it is skipped, not held.
const maxLineBytes = 4 * 1024 * 1024;
const blockBytes = 64 * 1024;
// However many lines are asked for, no more than this is read back from a file's end.
const maxTailBytes = 64 * 1024 * 1024;

/** The last `count` complete lines of a file (a partial last line being written is left out). */
function tailOf(file: string, count: number): string[] {
	let fd: number;
	try {
		fd = openSync(file, 'r');
	} catch {
		return [];
	}

	try {
		const {size} = statSync(file);
		const chunks: Buffer[] = [];
		let position = size;
		let newlines = 0;
		while (position > 0 && newlines <= count && size - position < maxTailBytes) {
			const length = Math.min(blockBytes, position);
			position -= length;
			const chunk = Buffer.alloc(length);
			readSync(fd, chunk, 0, length, position);
			chunks.unshift(chunk);
			for (const byte of chunk) {
				if (byte === 0x0A) {
					newlines++;
				}
			}
		}

		const text = Buffer.concat(chunks).toString('utf8');
		const lines = text.split('\n');
		// The last piece follows the last newline: empty, or a line still being written.
		lines.pop();
		// The first piece may be the end of a line that started before what was read.
		if (position > 0) {
			lines.shift();
		}

		return lines.slice(-count);
	} finally {
		closeSync(fd);
	}
}

export type LogsOptions = {
	directory: string;
	json: boolean;
	follow: boolean;
	lines: number;
	write: (text: string) => void;
	pollMs?: number;
	/** Ends following. */
	signal?: AbortSignal;
};

/** The number given to -n / --lines: 1 to 100000. */
export function parseLineCount(raw: string | undefined): number {
	if (raw === undefined) {
		return 50;
	}

	if (!/^\d{1,6}$/.test(raw) || Number(raw) < 1 || Number(raw) > 100_000) {
		throw usageError(`invalid --lines ${JSON.stringify(raw.slice(0, 20))}: use a number from 1 to 100000`);
	}

	return Number(raw);
}

const rendered = (lines: string[], json: boolean): string[] => lines.map(line => renderLogLine(line, json)).filter(line => line !== undefined);

/** The last `count` lines of a file that are ours, as printed. */
function renderedTail(file: string, count: number, json: boolean): string[] {
	for (let ask = count; ; ask *= 2) {
		const raw = tailOf(file, ask);
		const shown = rendered(raw, json);
		// Enough, or the whole file (or all that is read of it) was not enough.
		if (shown.length >= count || raw.length < ask || ask >= 1_000_000) {
			return shown.slice(-count);
		}
	}
}

export async function showLogs(options: LogsOptions): Promise<void> {
	const {directory, json, write} = options;
	const print = (lines: string[]) => {
		const shown = rendered(lines, json);
		if (shown.length > 0) {
			write(`${shown.join('\n')}\n`);
		}
	};

	const files = logFiles(directory);
	// The newest lines, from as many files back as it takes.
	const tail: string[] = [];
	for (let index = files.length - 1; index >= 0 && tail.length < options.lines; index--) {
		tail.unshift(...renderedTail(path.join(directory, files[index]!), options.lines - tail.length, json));
	}

	if (tail.length > 0) {
		write(`${tail.join('\n')}\n`);
	}

	if (!options.follow) {
		if (files.length === 0) {
			write(`no log yet in ${directory}: shunt writes one line per request and event there while it runs\n`);
		}

		return;
	}

	await follow(options, files.at(-1), print);
}

type Followed = {name: string; offset: number; partial: Buffer};

async function follow(options: LogsOptions, newest: string | undefined, print: (lines: string[]) => void): Promise<void> {
	const {directory} = options;
	const pollMs = options.pollMs ?? 250;
	// Starts after the last whole line of the newest file: its tail is printed already, and a line
	// still being written is printed once it is whole.
	let current: Followed | undefined = newest === undefined ? undefined : {name: newest, offset: endOfLastLine(path.join(directory, newest)), partial: Buffer.alloc(0)};

	const readOn = (followed: Followed) => {
		while (readSome(followed)) {
			// A file that grew by more than one read is read to its end.
		}
	};

	/** Reads and prints what was added to the file since the last read; true when there may be more. */
	const readSome = (followed: Followed): boolean => {
		const file = path.join(directory, followed.name);
		const size = sizeOf(file);
		if (size < followed.offset) {
			// Replaced or cut: read it from the start.
			followed.offset = 0;
			followed.partial = Buffer.alloc(0);
		}

		if (size === followed.offset) {
			return false;
		}

		let fd: number;
		try {
			fd = openSync(file, 'r');
		} catch {
			return false;
		}

		try {
			const length = Math.min(size - followed.offset, 4 * 1024 * 1024);
			const chunk = Buffer.alloc(length);
			const read = readSync(fd, chunk, 0, length, followed.offset);
			followed.offset += read;
			const data = Buffer.concat([followed.partial, chunk.subarray(0, read)]);
			const end = data.lastIndexOf(0x0A);
			followed.partial = end === -1 ? data : data.subarray(end + 1);
			if (followed.partial.length > maxLineBytes) {
				followed.partial = Buffer.alloc(0);
			}

			if (end !== -1) {
				print(data.subarray(0, end).toString('utf8').split('\n'));
			}

			return read > 0 && followed.offset < size;
		} finally {
			closeSync(fd);
		}
	};

	while (!options.signal?.aborted) {
		if (current) {
			readOn(current);
		}

		// A newer file (the next day's): the rest of this one first, then that one from its start.
		const currentName = current?.name;
		const newer = logFiles(directory).find(name => currentName === undefined || name > currentName);
		if (newer !== undefined) {
			if (current) {
				readOn(current);
			}

			current = {name: newer, offset: 0, partial: Buffer.alloc(0)};
			continue;
		}

		// eslint-disable-next-line no-await-in-loop
		await new Promise<void>(resolve => {
			const wake = () => {
				clearTimeout(timer);
				options.signal?.removeEventListener('abort', wake);
				resolve();
			};

			const timer = setTimeout(wake, pollMs);
			options.signal?.addEventListener('abort', wake);
		});
	}
}

/** Where the last complete line of a file ends (0 when it has none). */
function endOfLastLine(file: string): number {
	let fd: number;
	try {
		fd = openSync(file, 'r');
	} catch {
		return 0;
	}

	try {
		let end = sizeOf(file);
		while (end > 0) {
			const length = Math.min(blockBytes, end);
			const chunk = Buffer.alloc(length);
			readSync(fd, chunk, 0, length, end - length);
			const newline = chunk.lastIndexOf(0x0A);
			if (newline !== -1) {
				return end - length + newline + 1;
			}

			end -= length;
			if (sizeOf(file) - end > maxLineBytes) {
				// A "line" this long is not one of ours: follow from the end.
				return sizeOf(file);
			}
		}

		return 0;
	} finally {
		closeSync(fd);
	}
}

function sizeOf(file: string): number {
	try {
		return statSync(file).size;
	} catch {
		return 0;
	}
}
