// The log file, in every mode (monitor, headless, service, demo): one JSON object per line for
// each finished request and each event, in a file per local day (shunt-YYYY-MM-DD.jsonl in the
// data directory, 0600), files older than logRetentionDays removed. One format on disk that loses
// nothing: `shunt logs` draws the human lines from it with the headless log's own formatter, and
// `shunt logs --json` prints it as it is.
//
// Behind the request path: lines are queued and written together every flushEveryMs, each batch
// as one asynchronous append, never more than one in flight. A disk that cannot keep up loses
// lines (counted, and said in the file), not memory; a day's file stops growing at a bound.
import {Buffer} from 'node:buffer';
import {constants} from 'node:fs';
import {
	open, readdir, rm, type FileHandle,
} from 'node:fs/promises';
import path from 'node:path';
import type {LogFeed} from '../state/ports.js';
import {recordJson} from '../state/record-json.js';
import type {RequestRecord, StoreEvent} from '../state/records.js';

export const logFilePattern = /^shunt-(\d{4}-\d{2}-\d{2})\.jsonl$/;

export function logFileName(day: string): string {
	return `shunt-${day}.jsonl`;
}

/** The local calendar day of an instant, as YYYY-MM-DD. */
export function dayOf(ms: number): string {
	const date = new Date(ms);
	return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;
}

/** The day `days` calendar days before the one `ms` falls on (at noon, so a DST change cannot skip one). */
function daysBefore(ms: number, days: number): string {
	const date = new Date(ms);
	date.setHours(12, 0, 0, 0);
	date.setDate(date.getDate() - days);
	return dayOf(date.getTime());
}

/** One line of the file: a request record or an event, tagged. */
export function requestEntry(record: RequestRecord): string {
	return requestPieces(record).join('');
}

export function eventEntry(event: StoreEvent): string {
	return eventPieces(event).join('');
}

const requestPieces = (record: RequestRecord) => tagged('request', recordJson(record));
const eventPieces = (event: StoreEvent) => tagged('event', JSON.stringify(event));

/**
 * `{"type":…,` before an object's own members: the same line as stringifying a spread copy, without
 * the copy. In two pieces, the tag and the rest of the object, so a batch is encoded straight into
 * its buffer without a joined copy of either.
 */
function tagged(type: string, json: string): [string, string] {
	return json === '{}' ? [`{"type":"${type}"}`, ''] : [`{"type":"${type}",`, json.slice(1)];
}

/**
 * Removes the log files whose day ended logRetentionDays or more days ago: with 7, today's file
 * and the six before it stay. Returns the names removed. Best effort.
 */
export async function pruneLogFiles(directory: string, retentionDays: number, nowMs = Date.now()): Promise<string[]> {
	const oldestKept = daysBefore(nowMs, retentionDays - 1);
	let names: string[];
	try {
		names = await readdir(directory);
	} catch {
		return [];
	}

	const removed: string[] = [];
	for (const name of names) {
		const day = logFilePattern.exec(name)?.[1];
		if (day !== undefined && day < oldestKept) {
			try {
				// eslint-disable-next-line no-await-in-loop
				await rm(path.join(directory, name), {force: true});
				removed.push(name);
			} catch {
				// Not ours to remove after all; the next prune tries again.
			}
		}
	}

	return removed;
}

export type LogFileOptions = {
	directory: string;
	retentionDays: number;
	now?: () => number;
	flushEveryMs?: number;
	/** Lines waiting for the disk beyond this are dropped (and counted). */
	maxPendingLines?: number;
	/** A day's file stops growing here. */
	maxBytesPerDay?: number;
	/** Told once when writing fails, until a write succeeds again. */
	onError?: (message: string) => void;
};

export type LogFile = {
	/** Writes what is queued and closes the file. */
	close(): Promise<void>;
	/** Resolves when everything queued so far is on disk (tests). */
	flushed(): Promise<void>;
};

// Records and events wait as they are: a line is only made when its batch is written, off the
// request's own turn of the event loop.
type Pending = {day: string; line: string} | {day: string; record: RequestRecord} | {day: string; event: StoreEvent};

function piecesOf(entry: Pending): [string, string] {
	if ('record' in entry) {
		return requestPieces(entry.record);
	}

	return 'event' in entry ? eventPieces(entry.event) : [entry.line, ''];
}

/**
 * A batch's lines as the bytes to append, encoded into one buffer. Joining them into one string
 * first cost a copy of the whole batch on the JavaScript heap, and at a few thousand requests a
 * second that string (a few hundred kB every flush) went straight to the old generation.
 */
function encodeLines(entries: readonly Pending[]): Buffer {
	const pieces: string[] = [];
	let size = 0;
	for (const entry of entries) {
		const [head, rest] = piecesOf(entry);
		pieces.push(head, rest);
		size += Buffer.byteLength(head) + Buffer.byteLength(rest) + 1;
	}

	const bytes = Buffer.allocUnsafe(size);
	let offset = 0;
	for (let index = 0; index < pieces.length; index += 2) {
		offset += bytes.write(pieces[index]!, offset);
		offset += bytes.write(pieces[index + 1]!, offset);
		bytes[offset++] = 0x0A;
	}

	return bytes;
}

// The file is shunt's own: a symlink planted in its place is refused, not followed.
const appendFlags = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | (constants.O_NOFOLLOW ?? 0);

export function attachLogFile(feed: LogFeed, options: LogFileOptions): LogFile {
	const now = options.now ?? Date.now;
	const flushEveryMs = options.flushEveryMs ?? 100;
	const maxPendingLines = options.maxPendingLines ?? 100_000;
	const maxBytesPerDay = options.maxBytesPerDay ?? 512 * 1024 * 1024;
	let pending: Pending[] = [];
	let dropped = 0;
	let timer: NodeJS.Timeout | undefined;
	let writing: Promise<void> | undefined;
	let current: {day: string; handle: FileHandle; bytes: number; full: boolean} | undefined;
	let failing = false;
	let closed = false;
	let lastPrunedDay = '';

	const prune = async (day: string) => {
		if (day !== lastPrunedDay) {
			lastPrunedDay = day;
			await pruneLogFiles(options.directory, options.retentionDays, now());
		}
	};

	const fileFor = async (day: string) => {
		if (current?.day === day) {
			return current;
		}

		await current?.handle.close();
		current = undefined;
		const handle = await open(path.join(options.directory, logFileName(day)), appendFlags, 0o600);
		const stat = await handle.stat();
		// The mode given to open applies to a new file only, and is masked by umask.
		if ((stat.mode & 0o777) !== 0o600) {
			await handle.chmod(0o600);
		}

		current = {
			day, handle, bytes: stat.size, full: false,
		};
		// A new day: the files that fell out of the retention go.
		await prune(dayOf(now()));
		return current;
	};

	const append = async (day: string, entries: readonly Pending[]) => {
		const file = await fileFor(day);
		if (file.full) {
			return;
		}

		let bytes = encodeLines(entries);
		if (file.bytes + bytes.length > maxBytesPerDay) {
			file.full = true;
			bytes = Buffer.from(`${eventEntry({tsMs: now(), kind: 'info', message: `this file reached ${maxBytesPerDay} bytes; nothing more is written to it today`})}\n`);
		}

		await file.handle.write(bytes);
		file.bytes += bytes.length;
	};

	const drain = async () => {
		while (pending.length > 0 || dropped > 0) {
			const batch = pending;
			pending = [];
			if (dropped > 0) {
				batch.push({day: dayOf(now()), line: eventEntry({tsMs: now(), kind: 'info', message: `${dropped} log lines were dropped: the disk did not keep up`})});
				dropped = 0;
			}

			try {
				// Consecutive lines of one day are one write.
				let start = 0;
				for (let index = 1; index <= batch.length; index++) {
					if (index === batch.length || batch[index]!.day !== batch[start]!.day) {
						// eslint-disable-next-line no-await-in-loop
						await append(batch[start]!.day, batch.slice(start, index));
						start = index;
					}
				}

				failing = false;
			} catch (error) {
				if (!failing) {
					failing = true;
					options.onError?.(`could not write the log file in ${options.directory}: ${(error as Error).message}`);
				}

				// eslint-disable-next-line no-await-in-loop -- the failed file is closed before the loop gives up
				await current?.handle.close().catch(() => undefined);
				current = undefined;
				return;
			}
		}
	};

	const flush = () => {
		clearTimeout(timer);
		timer = undefined;
		if (writing) {
			return;
		}

		writing = drain().finally(() => {
			writing = undefined;
			if (pending.length > 0 && !closed) {
				schedule();
			}
		});
	};

	const schedule = () => {
		timer ??= setTimeout(flush, flushEveryMs);
		timer.unref();
	};

	// The day of the last line and the span it covers: most lines fall on the same day as the last.
	let span = {day: '', fromMs: 0, toMs: 0};
	const dayAt = (tsMs: number) => {
		if (tsMs < span.fromMs || tsMs >= span.toMs) {
			const start = new Date(tsMs);
			start.setHours(0, 0, 0, 0);
			const end = new Date(start);
			end.setDate(end.getDate() + 1);
			span = {day: dayOf(tsMs), fromMs: start.getTime(), toMs: end.getTime()};
		}

		return span.day;
	};

	const admit = () => {
		if (pending.length >= maxPendingLines) {
			dropped++;
			return false;
		}

		schedule();
		return true;
	};

	const onRequest = (record: RequestRecord) => {
		if (admit()) {
			pending.push({day: dayAt(record.tsMs), record});
		}
	};

	const onEvent = (event: StoreEvent) => {
		if (admit()) {
			pending.push({day: dayAt(event.tsMs), event});
		}
	};

	feed.on('request', onRequest);
	feed.on('event', onEvent);
	void prune(dayOf(now()));

	const flushed = async () => {
		// eslint-disable-next-line no-unmodified-loop-condition -- flush() sets writing, and each write clears it when done
		while (writing || pending.length > 0) {
			flush();
			// eslint-disable-next-line no-await-in-loop
			await writing;
		}
	};

	return {
		flushed,
		async close() {
			if (closed) {
				return;
			}

			closed = true;
			feed.off('request', onRequest);
			feed.off('event', onEvent);
			await flushed();
			await current?.handle.close().catch(() => undefined);
			current = undefined;
		},
	};
}
