/** @jsxRuntime automatic */
// covers: source/monitor/panes/help/help-overlay.tsx, source/monitor/kit/theme.ts, source/monitor/panes/accounts/account-rows.ts, source/monitor/panes/log/log-rows.ts, source/monitor/panes/header/header-lines.ts, source/monitor/hooks/use-steady-height.ts, source/monitor/keys/key-bindings.ts
// Legible and stable: a legend in the help for every symbol and tag the panes draw (reachable on a
// small terminal), one name per condition, one time format, columns and panes that hold still,
// and the header, pin keys and help box saying only what is true.
import assert from 'node:assert/strict';
import {after, test, type TestContext} from 'node:test';
import {cleanup} from 'ink-testing-library';
import {modelOverrideChoices} from '../source/anthropic/models.js';
import App from '../source/monitor/app.js';
import type {StoreSnapshot} from '../source/monitor/contract.js';
import {modelCycle} from '../source/monitor/keys/cycles.js';
import {displayWidth} from '../source/monitor/kit/text-width.js';
import {priceFor} from '../source/pricing/cost.js';
import {currentModels, modelFamilies} from '../source/pricing/prices.js';
import {
	FakeStore, makeAccount, makeEvent, makeLive, makeRequest, makeSnapshot,
} from './helpers/fake-store.js';
import {
	drawnAt, overlongLines, renderAt, waitForFrame,
} from './helpers/ink.js';

after(cleanup);

async function mount(t: TestContext, snapshot: StoreSnapshot, columns = 100, rows = 30) {
	const store = new FakeStore(snapshot);
	const app = await renderAt(<App store={store} onQuit={() => {}}/>, columns, rows);
	t.after(() => {
		app.unmount();
	});
	return {app, store};
}

const lineWith = (frame: string, text: string | RegExp): string => frame.split('\n').find(line => (typeof text === 'string' ? line.includes(text) : text.test(line))) ?? '';
const escapeRegExp = (text: string) => text.replaceAll(/[.*+?^${}()|[\]\\]/g, '\\$&');
const nowSec = () => Math.floor(Date.now() / 1000);

/** Everything the panes can show at once: every state, tag, kind of log row and event. */
function everything(): StoreSnapshot {
	const now = Date.now();
	return makeSnapshot({
		pinnedAccount: 'pinned-one',
		heldRequests: 1,
		inFlight: 3,
		accounts: [
			makeAccount('pinned-one', {pinned: true, active: true, reset5h: nowSec() + 3600}),
			makeAccount('throttled', {state: 'throttled', burst: {count: 10, limit: 10, freesAtMs: now + 42_000}, backAtMs: now + 42_000}),
			makeAccount('cooling', {state: 'cooling', cooldownReason: 'windowless 429', cooldownUntilMs: now + 3000, backAtMs: now + 3000}),
			makeAccount('spent', {state: 'exhausted', status5h: 'rejected', utilization5h: 1.16, reset5h: nowSec() + 600, backAtMs: ((nowSec() + 600) * 1000) + 500}),
			makeAccount('sick', {state: 'unhealthy', backAtMs: now + 20_000}),
			makeAccount('expired', {state: 'reauth', fixHint: 'shunt add-account expired'}),
			makeAccount('resting', {state: 'paused'}),
			makeAccount('easing', {easing: {factor: 0.4, untilMs: now + 180_000}, excludedModels: [{model: 'opus', untilMs: now + 3_600_000}]}),
		],
		inFlightRequests: [
			makeLive({account: null, state: 'held', firstByteMs: null, heldReason: 'all cooling', heldUntilMs: now + 6000, startedMs: now - 500}),
			makeLive({account: 'easing', state: 'streaming', outputTokens: 120, startedMs: now - 1500}),
			makeLive({account: 'easing', state: 'waiting', firstByteMs: null, startedMs: now - 2500}),
		],
		requests: [
			makeRequest({tsMs: now - 3000, account: 'easing', requestedModel: 'claude-opus-4-8', attempts: [{account: 'cooling', status: 429, reason: 'windowless 429'}], holds: [{afterAttempts: 1, ms: 6000, reason: 'all cooling'}]}),
			makeRequest({tsMs: now - 4000, account: null, status: 429, outcome: 'error', inputTokens: 0, outputTokens: 0, shuntReason: 'all out of quota'}),
		],
		events: [
			makeEvent({tsMs: now - 10_000, kind: 'rate-limited', account: 'spent', message: 'spent quota: cooling, back in 10m (12:00:00)'}),
			makeEvent({tsMs: now - 11_000, kind: 'cooldown', account: 'cooling', message: 'cooling windowless 429: cooling'}),
			makeEvent({tsMs: now - 12_000, kind: 'recovered', account: 'easing', message: 'easing is back after quota'}),
			makeEvent({tsMs: now - 13_000, kind: 'overloaded', account: 'sick', message: 'sick overloaded'}),
			makeEvent({tsMs: now - 14_000, kind: 'auth', account: 'expired', message: 'expired needs a new login'}),
			makeEvent({tsMs: now - 15_000, kind: 'forbidden', account: 'expired', message: 'expired refused (403)'}),
			makeEvent({tsMs: now - 16_000, kind: 'health', account: 'sick', message: 'sick failing health checks'}),
			makeEvent({tsMs: now - 17_000, kind: 'info', message: 'falling back to sonnet'}),
		],
	});
}

/** Every page of the help: opened with ?, then ? again while a page says there is a next one. */
async function helpPages(app: Awaited<ReturnType<typeof mount>>['app']): Promise<string[]> {
	app.press('?');
	const pages = [await waitForFrame(app.lastFrame, frame => frame.includes('╭') && frame.includes('keys'))];
	for (;;) {
		const count = /page (\d+)\/(\d+)/.exec(pages.at(-1)!);
		if (!count || count[1] === count[2] || pages.length >= 10) {
			return pages;
		}

		app.press('?');
		// eslint-disable-next-line no-await-in-loop
		pages.push(await waitForFrame(app.lastFrame, frame => frame.includes(`page ${pages.length + 1}/${count[2]}`)));
	}
}

test('the help has a legend entry for every symbol and tag the panes draw', async t => {
	const {app} = await mount(t, everything(), 160, 60);
	const screen = await waitForFrame(app.lastFrame, frame => frame.includes('falling back to sonnet'));
	const lines = screen.split('\n');
	// The marks the screen really shows: each account's state symbol, each event's symbol, the
	// marks in the log's status and failover columns, the tags on the account rows.
	const states = lines.map(line => /^[▸ ] +\d+ (\S) /.exec(line)?.[1]).filter(Boolean);
	const events = lines.map(line => /^\s+\d\d:\d\d:\d\d\s{2}([^\w\s]) \w/.exec(line)?.[1]).filter(Boolean);
	assert.equal(new Set(states).size, 7, `every account state is on screen: ${states.join(' ')}`);
	assert.equal(new Set(events).size, 7, `every kind of event is on screen: ${events.join(' ')}`);
	for (const mark of ['▸ stream', '…', 'held', '⏸', 'shunt', 'sonnet-4-6*', '~120', 'pinned', 'active', 'easing', 'no opus', 'windowless 429', 'spent']) {
		assert.ok(screen.includes(mark), `${mark} is on screen`);
	}

	app.resize(160, 80);
	await waitForFrame(app.lastFrame, drawnAt(160, 80));
	const pages = await helpPages(app);
	assert.equal(pages.length, 1, 'at 160×80 the help fits on one page');
	const help = pages[0]!;
	const entry = (mark: string) => new RegExp(`^│ ${escapeRegExp(mark)}\\s{2,}\\S`, 'm');
	for (const mark of new Set([...states, ...events])) {
		assert.match(help, entry(mark!), `the legend explains ${mark}`);
	}

	for (const mark of ['▸ stream', '…', '⏸ 6s', 'shunt', 'model*', 'pinned', 'active', 'easing', 'no <model>', 'windowless 429']) {
		assert.match(help, entry(mark), `the legend explains ${mark}`);
	}

	assert.match(lineWith(help, /^│ ▸ stream/), /~/, 'and that ~ marks output counted so far');
	assert.match(help, /spent/, 'and what a spent gauge means');
});

test('on a small terminal the help pages through with ?, so every part of the legend is reachable at 80×24', async t => {
	const {app, store} = await mount(t, everything(), 80, 24);
	const pages = await helpPages(app);
	assert.ok(pages.length >= 2, `the help needs more than one page at 80×24: ${pages.length}`);
	for (const [index, page] of pages.entries()) {
		assert.deepEqual(overlongLines(page, 80), []);
		assert.equal(page.split('\n').length, 23);
		const footer = page.split('\n').at(-1)!;
		if (index < pages.length - 1) {
			assert.match(footer, /\? next page\s+any other key closes the help/);
			assert.match(page, new RegExp(`page ${index + 1}/${pages.length} · \\? shows the next`), 'says there is more');
		} else {
			assert.match(footer, /^any key closes the help/);
		}
	}

	const all = pages.join('\n');
	for (const text of ['1–9', 'strategies', 'carousel', 'throttled: at its per-minute burst limit', 'paused by you', 'no <model>', 'failover: a refused', 'windowless 429', 'an account is back', 'something you may want to know']) {
		assert.ok(all.includes(text), `some page shows ${text}`);
	}

	// On the last page ? closes it too; on an earlier page any other key does.
	app.press('?');
	await waitForFrame(app.lastFrame, frame => frame.includes('requests & events'));
	app.press('?', '?');
	await waitForFrame(app.lastFrame, frame => frame.includes(`page 2/${pages.length}`));
	app.press('s');
	await waitForFrame(app.lastFrame, frame => frame.includes('requests & events'));
	assert.deepEqual(store.calls, [], 'paging and closing the help did nothing else');
});

test('the help box hugs its content instead of filling a wide screen', async t => {
	const {app} = await mount(t, everything(), 200, 90);
	const [help] = await helpPages(app);
	const lines = help!.split('\n');
	const top = lines.find(line => line.startsWith('╭'))!;
	const inner = lines.filter(line => line.startsWith('│ ')).map(line => line.slice(2, line.lastIndexOf('│')).trimEnd());
	const widest = Math.max(...inner.map(line => displayWidth(line)));
	assert.equal(displayWidth(top.trimEnd()), widest + 4, 'border, padding, then the widest line: nothing more');
	assert.ok(widest + 4 < 160);
});

test('one name per condition: a 429 without rate-limit headers is a windowless 429 on the row, in the log and in the legend', async t => {
	const {app} = await mount(t, everything(), 160, 80);
	const screen = await waitForFrame(app.lastFrame, frame => frame.includes('falling back to sonnet'));
	// The account's row, or the └ line under it when its status does not fit the status column.
	const lines = screen.split('\n');
	const row = lines.findIndex(line => / cooling\s+oauth/.test(line));
	const ownLines = [lines[row]!, ...(lines[row + 1]?.trimStart().startsWith('└') ? [lines[row + 1]!] : [])].join('\n');
	assert.match(ownLines, /cooling \(windowless 429\)/);
	const [help] = await helpPages(app);
	assert.match(help!, /^│ windowless 429\s+a 429 without rate-limit headers/m);
	assert.doesNotMatch(help!, /\bbusy\b/, 'not also called "busy"');
});

test('one time format: every moment on screen is a countdown with its 24-hour clock', async t => {
	const {app} = await mount(t, everything(), 160, 60);
	const screen = await waitForFrame(app.lastFrame, frame => frame.includes('falling back to sonnet'));
	// The log's time column says when an entry happened; everything else that says when is a countdown and the clock.
	const text = screen.split('\n').map(line => line.replace(/^[▸ ]\s*\d\d:\d\d:\d\d /, '')).join('\n');
	const countdowns = [...text.matchAll(/\bin (\d+[dhms][\dhms]*)(.{0,11})/g)];
	assert.ok(countdowns.length >= 6, `countdowns on screen: ${countdowns.map(match => match[0]).join(' | ')}`);
	for (const match of countdowns) {
		assert.match(match[2]!, /^ \(\d\d:\d\d:\d\d\)/, `"${match[0]}" carries its clock time`);
	}

	for (const match of text.matchAll(/(.{0,16})\b(\d\d:\d\d:\d\d)\b/g)) {
		assert.match(match[1]!, /in \d+[dhms][\dhms]* \($/, `the clock ${match[2]} follows its countdown: "${match[0]}"`);
	}
});

test('percentages past 100 % are never shown: an overage reads 100 %, a spent window reads spent', async t => {
	const {app} = await mount(t, makeSnapshot({
		accounts: [
			makeAccount('overage', {utilization5h: 1.16, status5h: 'allowed_warning', reset5h: nowSec() + 3600, utilization7d: 1.04, reset7d: nowSec() + 86_400}),
			makeAccount('spent', {state: 'exhausted', utilization5h: 1.3, status5h: 'rejected', reset5h: nowSec() + 600, backAtMs: (nowSec() + 600) * 1000}),
		],
	}), 120, 30);
	const frame = await waitForFrame(app.lastFrame, text => text.includes('overage'));
	assert.doesNotMatch(frame, /1[0-9][1-9]%|1[1-9]\d%/);
	assert.match(lineWith(frame, ' overage '), /100%.*100%/);
	assert.match(lineWith(frame, ' spent '), /spent/);
});

test('log columns do not follow the rows in view: the header and every column stay put as rows change', async t => {
	const now = Date.now();
	const quiet = makeSnapshot({accounts: [makeAccount('home'), makeAccount('work')], requests: [makeRequest({tsMs: now, inputTokens: 5, outputTokens: 3, durationMs: 4})]});
	const {app, store} = await mount(t, quiet, 100, 30);
	const before = await waitForFrame(app.lastFrame, frame => frame.includes('4ms'));
	const header = lineWith(before, / time\s+account/);
	const statusAt = lineWith(before, '4ms').indexOf('200');
	store.push(snapshot => ({
		...snapshot,
		inFlightRequests: [makeLive({account: 'work', model: 'claude-some-very-long-model-name-20990101', outputTokens: 123_456, startedMs: now - 65_000})],
		requests: [
			makeRequest({tsMs: now - 100, model: 'claude-another-long-model-name', status: 499, outcome: 'client-cancelled', inputTokens: 123_456_789, outputTokens: 98_765, durationMs: 3_725_000, attempts: [{account: 'home', status: 529}, {account: 'work', status: 429}]}),
			...snapshot.requests,
		],
	}));
	const after = await waitForFrame(app.lastFrame, frame => frame.includes('123M'));
	assert.equal(lineWith(after, / time\s+account/), header, 'the column header did not move');
	assert.equal(lineWith(after, '4ms').indexOf('200'), statusAt, 'nor did the rows already there');
	assert.equal(lineWith(after, '123M').indexOf('499'), statusAt);
	assert.deepEqual(overlongLines(after, 100), []);
});

test('a detail line coming and going under an account does not move the log header', async t => {
	const now = Date.now();
	const cooling = makeAccount('work', {state: 'cooling', cooldownReason: 'overloaded', cooldownUntilMs: now + 2000, backAtMs: now + 2000});
	const {app, store} = await mount(t, makeSnapshot({accounts: [makeAccount('home'), makeAccount('work')], requests: [makeRequest({tsMs: now})]}), 80, 24);
	const logHeaderAt = (frame: string) => frame.split('\n').findIndex(line => line.includes('requests & events'));
	const calm = await waitForFrame(app.lastFrame, frame => frame.includes('requests & events'));
	const calmAt = logHeaderAt(calm);
	// The countdown needs a line of its own at 80 columns: the pane grows at once…
	store.push(snapshot => ({...snapshot, accounts: [snapshot.accounts[0]!, {...cooling, index: 2}]}));
	const grown = await waitForFrame(app.lastFrame, frame => frame.includes('└ cooling (overloaded)'));
	const grownAt = logHeaderAt(grown);
	assert.equal(grownAt, calmAt + 1);
	// …and when the cooldown ends and the line goes, the log stays where it is.
	store.push(snapshot => ({...snapshot, accounts: snapshot.accounts.map(account => (account.name === 'work' ? {...account, state: 'available', cooldownUntilMs: 0, backAtMs: null, cooldownReason: undefined} : account))}));
	const calmAgain = await waitForFrame(app.lastFrame, frame => !frame.includes('└') && frame.includes('requests & events'));
	assert.equal(logHeaderAt(calmAgain), grownAt, 'the accounts pane kept its height');
});

test('the header names a burst limit only when there are subscription accounts to pace', async t => {
	const keysOnly = makeSnapshot({accounts: [makeAccount('console', {kind: 'apikey', utilization5h: null, utilization7d: null})]});
	const {app, store} = await mount(t, keysOnly, 120, 30);
	const frame = await waitForFrame(app.lastFrame, text => text.includes('console'));
	const header = frame.split('\n').slice(0, 2).join('\n');
	assert.match(header, /effort auto/);
	assert.doesNotMatch(header, /burst/);
	store.push(snapshot => ({...snapshot, accounts: [...snapshot.accounts, makeAccount('max', {index: 2})]}));
	await waitForFrame(app.lastFrame, text => /effort auto · burst 10\/min/.test(text));
});

test('a pin key past the end of the list says so and pins nothing', async t => {
	const {app, store} = await mount(t, makeSnapshot({accounts: [makeAccount('home'), makeAccount('work')]}), 100, 30);
	app.press('7');
	const frame = await waitForFrame(app.lastFrame, text => text.includes('no account 7: there are 2'));
	assert.match(frame, /pin auto/);
	assert.deepEqual(store.calls, []);
	app.resize(100, 30);
	const {app: lone} = await mount(t, makeSnapshot({accounts: [makeAccount('home')]}), 100, 30);
	lone.press('2');
	await waitForFrame(lone.lastFrame, text => text.includes('no account 2: there is 1'));
});

test('the o key offers the current model of each family, the ones the pricing table marks current and prices exactly', () => {
	assert.deepEqual(modelCycle.slice(1), modelOverrideChoices);
	assert.deepEqual(modelOverrideChoices, currentModels.map(entry => entry.prefix));
	const families = currentModels.map(entry => entry.family);
	assert.deepEqual(families, [...new Set(families)], 'one per family');
	for (const family of ['opus', 'sonnet', 'haiku'] as const) {
		assert.ok(families.includes(family), `a current ${family}`);
	}

	assert.ok(families.every(family => (modelFamilies as readonly string[]).includes(family)));
	assert.ok(modelOverrideChoices.includes('claude-opus-5-5'), 'the Opus Claude Code sends by default');
	for (const model of modelOverrideChoices) {
		assert.equal(priceFor(model).estimated, false, `${model} has its own price`);
	}
});
