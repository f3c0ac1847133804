// covers: source/alerts/desktop-notifier.ts, source/util/on-path.ts
// Alerts on the desktop: notify-send or osascript, run without a shell with the text as
// arguments, cleaned and bounded, a few a minute at most, and failures change nothing.
import assert from 'node:assert/strict';
import {
	chmodSync, existsSync, readFileSync, writeFileSync,
} from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';
import {allSinks, desktopAlertSink, platformNotifier} from '../source/alerts/desktop-notifier.js';
import {tempDir} from './helpers/temp-dir.js';
import {waitFor} from './helpers/wait.js';

/** A stand-in notifier that writes each argument on its own line, then a separator. */
function fakeNotifier(name: string): {bin: string; command: string; received: () => string[][]} {
	const bin = tempDir();
	const log = path.join(bin, 'received.log');
	const command = path.join(bin, name);
	writeFileSync(command, `#!/bin/sh\nfor argument in "$@"; do printf '%s\\n' "$argument"; done >> '${log}'\necho '---' >> '${log}'\n`);
	chmodSync(command, 0o755);
	return {
		bin,
		command,
		// Only calls the script finished: each argument is its own write, so a block without its
		// closing '---' yet is still being written (seen under load: one argument of four).
		received: () => (existsSync(log) ? readFileSync(log, 'utf8').split('---\n').slice(0, -1).map(block => block.trimEnd().split('\n')) : []),
	};
}

test('Linux uses notify-send from PATH with "--" before the text; macOS osascript with the text as argv, never as script source; elsewhere nothing', () => {
	const fake = fakeNotifier('notify-send');
	const linux = platformNotifier('linux', {PATH: `relative/dir:${fake.bin}`})!;
	assert.equal(linux.command, fake.command);
	assert.deepEqual(linux.args('shunt: rate limited', '-rf body'), ['--app-name=shunt', '--', 'shunt: rate limited', '-rf body']);
	assert.equal(platformNotifier('linux', {PATH: tempDir()}), undefined, 'no notify-send: no desktop sink');

	const mac = platformNotifier('darwin', {PATH: ''})!;
	const args = mac.args('T"itle', 'B" & do shell script "rm -rf ~"');
	const scripts = args.filter((_, index) => args[index - 1] === '-e');
	assert.deepEqual(scripts, ['on run argv', 'display notification (item 2 of argv) with title (item 1 of argv)', 'end run']);
	assert.deepEqual(args.slice(-2), ['T"itle', 'B" & do shell script "rm -rf ~"']);
	assert.equal(platformNotifier('win32', {}), undefined);
});

test('the sink cleans and bounds the text, sends at most six a minute, and a failing sink does not keep an alert from the others', () => {
	let now = 1_000_000;
	const sent: string[][] = [];
	const sink = desktopAlertSink({
		notifier: {command: 'n', args: (title, body) => [title, body]}, now: () => now, spawnNotifier(_command, args) {
			sent.push(args);
		},
	})!;
	sink('shunt: re-login needed\u001B]0;x\u0007', `work: ${'y'.repeat(1000)}\u001B[2J`);
	assert.equal(sent[0]![0], 'shunt: re-login needed');
	assert.equal(sent[0]![1]!.length, 300);
	assert.ok(sent[0]![1]!.endsWith('…'));
	assert.doesNotMatch(sent[0]!.join(''), /\u001B/);
	for (let index = 0; index < 9; index++) {
		sink('t', `alert ${index}`);
	}

	assert.equal(sent.length, 6, 'six in the first minute');
	now += 60_001;
	sink('t', 'later');
	assert.equal(sent.at(-1)![1], 'later');

	const reached: string[] = [];
	const both = allSinks(() => {
		throw new Error('terminal gone');
	}, undefined, (title, body) => {
		reached.push(`${title}: ${body}`);
	})!;
	both('a', 'b');
	assert.deepEqual(reached, ['a: b']);
	assert.equal(allSinks(undefined, undefined), undefined);
});

test('the notifier really runs, without a shell: text that looks like a command is only text', async () => {
	const fake = fakeNotifier('notify-send');
	const marker = path.join(fake.bin, 'pwned');
	const sink = desktopAlertSink({notifier: platformNotifier('linux', {PATH: fake.bin})})!;
	sink('shunt: account forbidden', `work $(touch ${marker}) \`touch ${marker}\`; touch ${marker}`);
	await waitFor(() => fake.received().length === 1, 'the notifier to run');
	assert.deepEqual(fake.received()[0], ['--app-name=shunt', '--', 'shunt: account forbidden', `work $(touch ${marker}) \`touch ${marker}\`; touch ${marker}`]);
	assert.equal(existsSync(marker), false);

	// A notifier that is missing or fails: nothing is thrown.
	const missing = desktopAlertSink({notifier: {command: path.join(fake.bin, 'does-not-exist'), args: () => []}})!;
	assert.doesNotThrow(() => {
		missing('t', 'b');
	});
});
