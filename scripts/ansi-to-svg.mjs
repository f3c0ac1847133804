#!/usr/bin/env node
// Renders terminal captures with ANSI colours (tmux capture-pane -e -p) as an SVG, so the readme
// can show the real monitor. One capture gives a still picture; several give an animation that
// shows each for --frame-seconds (default 1.5).
//   node scripts/ansi-to-svg.mjs capture.ans > media/monitor.svg
//   node scripts/ansi-to-svg.mjs --frame-seconds 1.5 f01.ans f02.ans … > media/demo.svg
import process from 'node:process';
import {readFileSync} from 'node:fs';

const args = process.argv.slice(2);
let frameSeconds = 1.5;
if (args[0] === '--frame-seconds') {
	frameSeconds = Number(args[1]);
	args.splice(0, 2);
}

const inputs = (args.length > 0 ? args : [0]).map(file => readFileSync(file, 'utf8'));
const cellWidth = 8.43;
const lineHeight = 17;
const fontSize = 14;
const padding = 14;
const background = '#16181d';
const foreground = '#d4d7dd';

// xterm's 16 colours, tuned slightly for a dark background.
const basic = ['#1d1f24',
	'#e5534b',
	'#57ab5a',
	'#c69026',
	'#539bf5',
	'#b083f0',
	'#39c5cf',
	'#d4d7dd',
	'#636e7b',
	'#ff6a69',
	'#6bc46d',
	'#daaa3f',
	'#6cb6ff',
	'#dcbdfb',
	'#56d4dd',
	'#f0f2f5'];

function xterm256(n) {
	if (n < 16) {
		return basic[n];
	}

	if (n < 232) {
		const v = n - 16;
		const level = x => (x === 0 ? 0 : 55 + (x * 40));
		const [r, g, b] = [Math.floor(v / 36), Math.floor(v / 6) % 6, v % 6].map(x => level(x));
		return `rgb(${r},${g},${b})`;
	}

	const grey = 8 + ((n - 232) * 10);
	return `rgb(${grey},${grey},${grey})`;
}

function escapeXml(text) {
	return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

let columns = 0;
function parse(input) {
	const lines = input.replace(/\n+$/, '').split('\n');
	const rows = [];
	for (const line of lines) {
		let style = {
			fg: undefined, bg: undefined, bold: false, dim: false, inverse: false,
		};
		const runs = [];
		let column = 0;
		// eslint-disable-next-line no-control-regex -- SGR escapes are what it reads
		const parts = line.split(/(\u001B\[[\d;]*m)/);
		for (const part of parts) {
			// eslint-disable-next-line no-control-regex -- SGR escapes are what it reads
			const sgr = /^\u001B\[([\d;]*)m$/.exec(part);
			if (sgr) {
				const codes = sgr[1] === '' ? [0] : sgr[1].split(';').map(Number);
				style = {...style};
				for (let index = 0; index < codes.length; index++) {
					const code = codes[index];
					switch (code) {
						case 0: {
							style = {
								fg: undefined, bg: undefined, bold: false, dim: false, inverse: false,
							};

							break;
						}

						case 1: {
							style.bold = true;

							break;
						}

						case 2: {
							style.dim = true;

							break;
						}

						case 22: {
							style.bold = false;
							style.dim = false;

							break;
						}

						case 7: {
							style.inverse = true;

							break;
						}

						case 27: {
							style.inverse = false;

							break;
						}

						default: {
							if (code >= 30 && code <= 37) {
								style.fg = basic[code - 30];
							} else if (code >= 90 && code <= 97) {
								style.fg = basic[code - 90 + 8];
							} else if (code === 39) {
								style.fg = undefined;
							} else if (code >= 40 && code <= 47) {
								style.bg = basic[code - 40];
							} else if (code >= 100 && code <= 107) {
								style.bg = basic[code - 100 + 8];
							} else if (code === 49) {
								style.bg = undefined;
							} else if (code === 38 || code === 48) {
								const target = code === 38 ? 'fg' : 'bg';
								if (codes[index + 1] === 5) {
									style[target] = xterm256(codes[index + 2]);
									index += 2;
								} else if (codes[index + 1] === 2) {
									style[target] = `rgb(${codes[index + 2]},${codes[index + 3]},${codes[index + 4]})`;
									index += 4;
								}
							}
						}
					}
				}

				continue;
			}

			// eslint-disable-next-line no-control-regex -- other escapes are what it drops
			const text = part.replaceAll(/\u001B\[[^a-zA-Z]*[a-zA-Z]/g, '');
			if (text.length > 0) {
				const chars = [...text];
				runs.push({text, column, style});
				column += chars.length;
			}
		}

		columns = Math.max(columns, column);
		rows.push(runs);
	}

	return rows;
}

const frames = inputs.map(input => parse(input));
const rows = frames[0];
const width = Math.ceil((columns * cellWidth) + (padding * 2));
const height = Math.ceil((rows.length * lineHeight) + (padding * 2));
const out = [
	`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="'DejaVu Sans Mono', Menlo, Consolas, monospace" font-size="${fontSize}">`,
	`<rect width="100%" height="100%" rx="8" fill="${background}"/>`,
];
function drawFrame(frameRows, into) {
	for (const [rowIndex, runs] of frameRows.entries()) {
		const y = padding + (rowIndex * lineHeight);
		for (const run of runs) {
			const fg = run.style.inverse ? (run.style.bg ?? background) : (run.style.fg ?? foreground);
			const bg = run.style.inverse ? (run.style.fg ?? foreground) : run.style.bg;
			const x = padding + (run.column * cellWidth);
			const runWidth = [...run.text].length * cellWidth;
			if (bg) {
				into.push(`<rect x="${x.toFixed(1)}" y="${y}" width="${runWidth.toFixed(1)}" height="${lineHeight}" fill="${bg}"/>`);
			}

			if (run.text.trim().length === 0) {
				continue;
			}

			const attributes = [`x="${x.toFixed(1)}"`, `y="${y + 13}"`, `fill="${fg}"`, `textLength="${runWidth.toFixed(1)}"`, 'lengthAdjust="spacingAndGlyphs"'];
			if (run.style.bold) {
				attributes.push('font-weight="bold"');
			}

			if (run.style.dim) {
				attributes.push('opacity="0.6"');
			}

			into.push(`<text ${attributes.join(' ')} xml:space="preserve">${escapeXml(run.text)}</text>`);
		}
	}
}

if (frames.length === 1) {
	drawFrame(frames[0], out);
} else {
	// Each frame is visible for its slot of the cycle, then hidden: a flip book in plain SVG + CSS.
	const cycle = frames.length * frameSeconds;
	const share = (100 / frames.length).toFixed(4);
	out.push(`<style>.frame{opacity:0;animation:flip ${cycle}s steps(1,end) infinite}@keyframes flip{0%{opacity:1}${share}%{opacity:0}100%{opacity:0}}</style>`);
	for (const [index, frame] of frames.entries()) {
		out.push(`<g class="frame" style="animation-delay:${(index * frameSeconds).toFixed(2)}s">`);
		drawFrame(frame, out);
		out.push('</g>');
	}
}

out.push('</svg>');
process.stdout.write(`${out.join('\n')}\n`);
