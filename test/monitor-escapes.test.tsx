/** @jsxRuntime automatic */
// Terminal escape injection in the live monitor: a snapshot whose model ids, paths, event messages
// and settings carry escape sequences is drawn without them, and at the right width.
import assert from 'node:assert/strict';
import {after, test} from 'node:test';
import {cleanup} from 'ink-testing-library';
import App from '../source/app.js';
import {displayWidth} from '../source/ui/text-width.js';
import {
	FakeStore, makeAccount, makeEvent, makeRequest, makeSnapshot,
} from './helpers/fake-store.js';
import {overlongLines, renderAt, waitForFrame} from './helpers/ink.js';

after(cleanup);

const osc52 = '\u001B]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\u0007';
const osc0 = '\u001B]0;pwned\u0007';
const clearScreen = '\u001B[2J\u001B[H';
const fakeLine = 'FAKE all accounts revoked';

// Ink colours text with SGR sequences (ESC [ … m); those are its own. Anything else is not.
// eslint-disable-next-line no-control-regex
const sgr = /\u001B\[[\d;]*m/g;
// eslint-disable-next-line no-control-regex
const dangerous = /[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;

test('the monitor draws hostile model ids, paths, events and settings without their escapes, at the right width', async t => {
	const columns = 100;
	const snapshot = makeSnapshot({
		accounts: [makeAccount('home'), makeAccount('work')],
		overrides: {strategy: null, model: `claude-override${osc0}`, effort: null, burstRpmLimit: null, fallbackModel: null, alertsMuted: false},
		requests: [
			makeRequest({account: 'home', model: 'claude-sonnet-4-6', status: 200}),
			makeRequest({account: 'work', model: `claude-evil${clearScreen}${fakeLine}`, status: 404, path: `/v1/messages${osc52}`}),
			makeRequest({account: 'home', model: `${osc52}claude-c1\u009B2J\u009D0;t\u0007\u202Etxt`, status: 429, path: `/v1/x${clearScreen}`}),
		],
		events: [makeEvent({kind: 'auth', account: 'home', message: `home: token refresh failed${osc0}${clearScreen}${fakeLine}`})],
	});
	const store = new FakeStore(snapshot);
	const app = await renderAt(<App store={store} onQuit={() => {}}/>, columns, 30);
	t.after(() => {
		app.unmount();
	});
	await waitForFrame(app.lastFrame, frame => frame.includes('evil') && frame.includes('token refresh failed'));

	const raw = app.lastFrame() ?? '';
	assert.ok(!raw.includes('\u001B]'), 'no OSC (clipboard, title)');
	assert.ok(!raw.includes('\u001B[2J') && !raw.includes('\u001B[H'), 'no screen clear or cursor move');
	assert.ok(!raw.includes('\u0007'), 'no BEL');
	const withoutColours = raw.replaceAll(sgr, '');
	const hit = dangerous.exec(withoutColours);
	assert.equal(hit, null, `frame carries U+${hit?.[0].codePointAt(0)?.toString(16).padStart(4, '0')} near ${JSON.stringify(withoutColours.slice(Math.max(0, (hit?.index ?? 0) - 30), (hit?.index ?? 0) + 30))}`);

	const lines = withoutColours.split('\n');
	assert.deepEqual(overlongLines(withoutColours, columns), [], 'no line is wider than the terminal');
	const line = (text: string) => lines.find(candidate => candidate.includes(text)) ?? assert.fail(`no line with ${text}:\n${withoutColours}`);
	// The hostile rows keep the table's columns: their status sits where the clean row's does.
	const column = (row: string, text: string) => displayWidth(row.slice(0, row.indexOf(text)));
	const clean = line('sonnet-4-6');
	assert.equal(column(line('evil'), ' 404 '), column(clean, ' 200 '));
	assert.equal(column(line('c1'), ' 429 '), column(clean, ' 200 '));
	assert.match(line('evil'), /evilFAKE/, 'the visible text of the hostile id is still shown');
	assert.match(line('token refresh failed'), /token refresh failedFAKE all accounts revoked/);
	assert.match(line('model '), /model override(?: |$)/, 'the model override in the header, cleaned');
});
