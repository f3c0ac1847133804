// Text from a client, the upstream, a file or another process, made safe to write to a terminal.
// A model id such as "\u001B]52;c;…\u0007" would otherwise set the clipboard, "\u001B]0;…" retitle
// the window, "\u001B[2J" clear the screen and make the next line look like shunt's own. Every
// field is drawn on one line, so line breaks and tabs become spaces.

// Anything a terminal acts on: C0 controls, DEL, the C1 block (8-bit CSI U+009B, OSC U+009D, …)
// and the bidi embeddings, overrides and isolates, which can show text in another order than it
// is. A string without any of these is returned as it is, the case on the request path and in
// every monitor frame.
// eslint-disable-next-line no-control-regex
const needsCleaning = /[\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;

// Complete sequences go whole, introducer to terminator:
// - CSI: ESC [ or U+009B, parameter bytes, intermediate bytes, one final byte;
// - OSC: ESC ] or U+009D, up to BEL, ESC \ or U+009C (ST);
// - DCS, SOS, PM, APC: ESC P X ^ _ or U+0090 U+0098 U+009E U+009F, up to ST;
// - ESC with intermediates and a final byte (ESC c resets the terminal, ESC ( 0 switches charset).
// An unterminated sequence loses only its introducer (the last alternative, or the ESC / C1
// character itself): the rest stays as visible text instead of vanishing, as a terminal would
// swallow it. Then every remaining control goes, tabs and line breaks becoming spaces.
const strip = new RegExp([
	String.raw`(?:\u001B\[|\u009B)[\u0030-\u003F]*[\u0020-\u002F]*[\u0040-\u007E]`,
	String.raw`(?:\u001B\]|\u009D)[^\u0007\u001B\u009C]*(?:\u0007|\u001B\\|\u009C)`,
	String.raw`(?:\u001B[PX^_]|[\u0090\u0098\u009E\u009F])[^\u001B\u009C]*(?:\u001B\\|\u009C)`,
	String.raw`\u001B[\u0020-\u002F]*[\u0030-\u007E]`,
	String.raw`[\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]`,
].join('|'), 'g');

const spaced = new Set(['\t', '\n', '\v', '\f', '\r']);

/** `text` without escape sequences, control characters or bidi overrides; unchanged when it has none. */
export function terminalSafe(text: string): string {
	if (!needsCleaning.test(text)) {
		return text;
	}

	return text.replaceAll(strip, match => (spaced.has(match) ? ' ' : ''));
}

// JSON.stringify escapes C0 but leaves DEL, C1 and the bidi characters raw.
const rawInJson = /[\u007F-\u009F\u202A-\u202E\u2066-\u2069]/g;

/**
 * JSON text safe to print: the characters JSON.stringify leaves raw that a terminal would act on
 * are written as \u escapes instead. They can only occur inside strings, so the value is the same.
 */
export function terminalSafeJson(json: string): string {
	return json.replaceAll(rawInJson, character => String.raw`\u${character.codePointAt(0)!.toString(16).padStart(4, '0')}`);
}
