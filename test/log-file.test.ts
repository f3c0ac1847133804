// covers: source/runtime/log-file.ts, source/commands/logs-command.ts
// The log file: one JSON line per request and event, written in batches behind the request path,
// a file per local day, 0600, old days removed; `shunt logs` draws it with the headless log's own
// formatter and leaves out what is not ours.
import assert from 'node:assert/strict';
import {EventEmitter} from 'node:events';
import {
	existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync,
} from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';
import {logFiles, renderLogLine, showLogs} from '../source/commands/logs-command.js';
import {eventLine, requestLine} from '../source/runtime/headless-log.js';
import {
	attachLogFile, dayOf, logFileName, pruneLogFiles,
} from '../source/runtime/log-file.js';
import type {LogFeed} from '../source/state/ports.js';
import type {StoreEvents} from '../source/state/store.js';
import type {RequestRecord, StoreEvent} from '../source/state/records.js';
import {tempDir} from './helpers/temp-dir.js';
import {waitFor} from './helpers/wait.js';

function record(overrides: Partial<RequestRecord> = {}): RequestRecord {
	return {
		id: 'r1', tsMs: Date.now(), startedMs: Date.now() - 40, account: 'work', model: 'claude-sonnet-4-6', status: 200,
		inputTokens: 12, outputTokens: 6, cacheReadTokens: 100, cacheWriteTokens: 0, durationMs: 40, ttftMs: 20,
		attempts: [{account: 'home', status: 429, reason: 'quota'}], outcome: 'complete', stream: true, path: '/v1/messages', frontDoor: 'anthropic', costUsd: 0.001,
		...overrides,
	};
}

function event(overrides: Partial<StoreEvent> = {}): StoreEvent {
	return {
		tsMs: Date.now(), kind: 'cooldown', account: 'home', message: 'home quota: cooling, back in 5m', ...overrides,
	};
}

// The store's own events, without the rest of the store.
const feed = () => new EventEmitter<StoreEvents>() as EventEmitter<StoreEvents> & LogFeed;

test('requests and events become JSON lines in today\'s file, 0600, written behind the caller', async () => {
	const directory = tempDir();
	const emitter = feed();
	const log = attachLogFile(emitter, {directory, retentionDays: 7});
	const file = path.join(directory, logFileName(dayOf(Date.now())));
	for (let index = 0; index < 100; index++) {
		emitter.emit('request', record({id: `r${index}`}));
	}

	emitter.emit('event', event());
	assert.equal(existsSync(file), false, 'nothing is written while the request is on its way');
	await log.flushed();
	const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
	assert.equal(lines.length, 101);
	assert.deepEqual(JSON.parse(lines[0]!), {type: 'request', ...record({id: 'r0', tsMs: JSON.parse(lines[0]!).tsMs, startedMs: JSON.parse(lines[0]!).startedMs})});
	assert.equal(JSON.parse(lines[100]!).type, 'event');
	assert.equal(statSync(file).mode & 0o777, 0o600);

	emitter.emit('request', record({id: 'late'}));
	await log.close();
	assert.match(readFileSync(file, 'utf8'), /"id":"late"/, 'close writes what was queued');
	emitter.emit('request', record({id: 'after'}));
	await new Promise(resolve => {
		setTimeout(resolve, 200);
	});
	assert.doesNotMatch(readFileSync(file, 'utf8'), /"id":"after"/, 'nothing after close');
});

test('lines outside ASCII are written whole, each on its own line, batch after batch', async () => {
	const directory = tempDir();
	const emitter = feed();
	const log = attachLogFile(emitter, {directory, retentionDays: 7});
	const file = path.join(directory, logFileName(dayOf(Date.now())));
	const messages = ['café → thé', '🚀 launch', 'plain', '日本語のメッセージ'];
	for (const [index, message] of messages.entries()) {
		emitter.emit('event', event({message}));
		emitter.emit('request', record({id: `r${index}`, model: `modèle-${message}`}));
		// One batch per message: each must start where the last ended.
		await log.flushed();
	}

	await log.close();
	const lines = readFileSync(file, 'utf8').split('\n');
	assert.equal(lines.pop(), '', 'the file ends with a newline');
	const written = lines.map(line => JSON.parse(line) as {message?: string; model?: string}).map(line => line.message ?? line.model);
	assert.deepEqual(written, messages.flatMap(message => [message, `modèle-${message}`]));
});

test('each line goes to the file of its own local day: a new file after midnight', async () => {
	const directory = tempDir();
	const emitter = feed();
	const beforeMidnight = new Date(2026, 2, 14, 23, 59, 59, 900).getTime();
	const afterMidnight = new Date(2026, 2, 15, 0, 0, 0, 100).getTime();
	let now = beforeMidnight;
	const log = attachLogFile(emitter, {directory, retentionDays: 7, now: () => now});
	emitter.emit('request', record({id: 'old-day', tsMs: beforeMidnight}));
	await log.flushed();
	now = afterMidnight;
	emitter.emit('request', record({id: 'new-day', tsMs: afterMidnight}));
	emitter.emit('event', event({tsMs: afterMidnight}));
	await log.close();
	assert.deepEqual(logFiles(directory), ['shunt-2026-03-14.jsonl', 'shunt-2026-03-15.jsonl']);
	assert.match(readFileSync(path.join(directory, 'shunt-2026-03-14.jsonl'), 'utf8'), /old-day/);
	const newDay = readFileSync(path.join(directory, 'shunt-2026-03-15.jsonl'), 'utf8');
	assert.match(newDay, /new-day/);
	assert.doesNotMatch(newDay, /old-day/);
});

test('files older than logRetentionDays go (at start and at each new day); other files stay', async () => {
	const directory = tempDir();
	const now = new Date(2026, 5, 20, 10, 0, 0).getTime();
	const days = Array.from({length: 12}, (_, index) => dayOf(new Date(2026, 5, 20 - index, 12).getTime()));
	for (const day of days) {
		writeFileSync(path.join(directory, logFileName(day)), '');
	}

	writeFileSync(path.join(directory, 'state.json'), '{}');
	writeFileSync(path.join(directory, 'shunt-notes.jsonl'), '');
	const removed = await pruneLogFiles(directory, 7, now);
	assert.deepEqual(removed.toSorted(), days.slice(7).map(day => logFileName(day)).toSorted());
	assert.deepEqual(logFiles(directory), days.slice(0, 7).map(day => logFileName(day)).toSorted(), 'today and the six days before it');
	assert.ok(existsSync(path.join(directory, 'state.json')));
	assert.ok(existsSync(path.join(directory, 'shunt-notes.jsonl')));

	// Attached with one day: only today's stays.
	const emitter = feed();
	const log = attachLogFile(emitter, {directory, retentionDays: 1, now: () => now});
	await waitFor(() => logFiles(directory).length === 1, 'the prune at start');
	await log.close();
	assert.deepEqual(logFiles(directory), [logFileName(days[0]!)]);
});

test('a disk that does not keep up loses counted lines, not memory; a day\'s file stops at its bound; a planted symlink is refused', async () => {
	const directory = tempDir();
	const emitter = feed();
	const errors: string[] = [];
	// Ten request lines are about 4 KB: the bound is met by the lines sent one by one below.
	const log = attachLogFile(emitter, {
		directory, retentionDays: 7, maxPendingLines: 10, maxBytesPerDay: 6000, onError(message) {
			errors.push(message);
		},
	});
	for (let index = 0; index < 25; index++) {
		emitter.emit('request', record({id: `flood-${index}`}));
	}

	await log.flushed();
	const file = path.join(directory, logFileName(dayOf(Date.now())));
	let lines = readFileSync(file, 'utf8').trimEnd().split('\n').map(line => JSON.parse(line) as {type: string; message?: string; id?: string});
	assert.equal(lines.filter(line => line.type === 'request').length, 10);
	assert.match(lines.at(-1)!.message!, /^15 log lines were dropped/);

	for (let index = 0; index < 10; index++) {
		emitter.emit('request', record({id: `more-${index}`}));

		await log.flushed();
	}

	lines = readFileSync(file, 'utf8').trimEnd().split('\n').map(line => JSON.parse(line) as {type: string; message?: string});
	assert.ok(statSync(file).size < 6000 + 500, `${statSync(file).size} bytes`);
	assert.match(lines.at(-1)!.message!, /reached 6000 bytes; nothing more is written to it today/);
	await log.close();
	assert.equal(errors.length, 0, errors.join('; '));

	// Someone plants a symlink where tomorrow's file will be: shunt refuses to write through it.
	const other = tempDir();
	const target = path.join(other, 'elsewhere');
	writeFileSync(target, 'theirs\n');
	const planted = tempDir();
	symlinkSync(target, path.join(planted, logFileName(dayOf(Date.now()))));
	const second = feed();
	const refused = attachLogFile(second, {
		directory: planted, retentionDays: 7, onError(message) {
			errors.push(message);
		},
	});
	second.emit('request', record());
	await refused.flushed();
	await refused.close();
	assert.equal(readFileSync(target, 'utf8'), 'theirs\n');
	assert.equal(errors.length, 1);
	assert.match(errors[0]!, /could not write the log file in .*ELOOP/);
	assert.ok(lstatSync(path.join(planted, logFileName(dayOf(Date.now())))).isSymbolicLink());
});

test('shunt logs draws each line with the headless log\'s formatter; --json prints the objects; anything else is left out', () => {
	const request = record();
	const storeEvent = event();
	assert.equal(renderLogLine(JSON.stringify({type: 'request', ...request}), false), requestLine(request));
	assert.equal(renderLogLine(JSON.stringify({type: 'event', ...storeEvent}), false), eventLine(storeEvent));
	assert.deepEqual(JSON.parse(renderLogLine(JSON.stringify({type: 'request', ...request}), true)!), {type: 'request', ...request});
	for (const junk of ['', 'not json', '[1,2]', '{"type":"request","status":"x"}', '{"type":"other"}', JSON.stringify({type: 'request', ...request, attempts: 'none'})]) {
		assert.equal(renderLogLine(junk, false), undefined, junk);
	}

	// Escapes in a line (a hand-edited file, a model id from a client) never reach the terminal raw.
	const hostile = renderLogLine(JSON.stringify({type: 'event', ...event({message: 'x\u001B]52;c;ZXZpbA==\u0007\u001B[2Jy'})}), false)!;
	assert.doesNotMatch(hostile, /[\u001B\u0007]/);
	const hostileJson = renderLogLine(JSON.stringify({type: 'event', ...event({message: 'x\u009B2J\u202E'})}), true)!;
	assert.doesNotMatch(hostileJson, /[\u009B\u202E]/);
});

test('shunt logs: the last lines across days; -f follows the newest file and moves to the next day\'s', async () => {
	const directory = tempDir();
	const yesterday = path.join(directory, 'shunt-2026-03-14.jsonl');
	const today = path.join(directory, 'shunt-2026-03-15.jsonl');
	const line = (id: string) => JSON.stringify({type: 'request', ...record({id, account: `acct-${id}`})});
	writeFileSync(yesterday, `${line('a')}\n${line('b')}\n`);
	writeFileSync(today, `${line('c')}\ngarbage\n${line('d')}\n{"type":"request","id":"half`);
	let output = '';
	await showLogs({
		directory, json: false, follow: false, lines: 3, write(text) {
			output += text;
		},
	});
	assert.deepEqual(output.trimEnd().split('\n').map(text => /acct-(\w)/.exec(text)?.[1]), ['b', 'c', 'd'], 'a partial last line and garbage are left out');

	output = '';
	const stop = new AbortController();
	const following = showLogs({
		directory, json: true, follow: true, lines: 1, pollMs: 20, signal: stop.signal, write(text) {
			output += text;
		},
	});
	try {
		await waitFor(() => output.includes('"id":"d"'), 'the tail');
		// The half-written line is finished, then more lines come.
		writeFileSync(today, `${readFileSync(today, 'utf8')}-done"}\n${line('e')}\n`);
		await waitFor(() => output.includes('"id":"e"'), 'a new line in today\'s file');
		assert.ok(output.includes('"id":"half-done"'), 'the line finished later is printed whole');
		// Midnight: the old file gets its last line, the new day's file appears.
		writeFileSync(today, `${readFileSync(today, 'utf8')}${line('f')}\n`);
		mkdirSync(directory, {recursive: true});
		writeFileSync(path.join(directory, 'shunt-2026-03-16.jsonl'), `${line('g')}\n`);
		await waitFor(() => output.includes('"id":"g"'), 'the next day\'s file');
		writeFileSync(path.join(directory, 'shunt-2026-03-16.jsonl'), `${line('g')}\n${line('h')}\n`);
		await waitFor(() => output.includes('"id":"h"'), 'lines added to the next day\'s file');
	} finally {
		stop.abort();
		await following;
	}

	const ids = output.trimEnd().split('\n').map(text => (JSON.parse(text) as {id: string}).id);
	assert.deepEqual(ids, ['d', 'half-done', 'e', 'f', 'g', 'h'], 'every line once, in order');
	assert.deepEqual(readdirSync(directory).length, 3);
});
