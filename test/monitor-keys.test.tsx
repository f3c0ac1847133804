/** @jsxRuntime automatic */
// covers: source/app.tsx, source/ui/key-bindings.ts, source/components/help-overlay.tsx
// Every key of the live monitor, against a fake store that records the actions it receives.
import assert from 'node:assert/strict';
import {EventEmitter} from 'node:events';
import {after, test, type TestContext} from 'node:test';
import {render} from 'ink';
import {cleanup} from 'ink-testing-library';
import App from '../source/monitor/app.js';
import {modelOverrideChoices, shortModel} from '../source/anthropic/models.js';
import type {StoreSnapshot} from '../source/monitor/contract.js';
import {keyBindings} from '../source/monitor/keys/key-bindings.js';
import {strategies} from '../source/monitor/kit/strategies.js';
import {stripAnsi} from '../source/monitor/kit/text-width.js';
import {
	FakeStore, makeAccount, makeEvent, makeRequest, makeSnapshot,
} from './helpers/fake-store.js';
import {
	keys, renderAt, waitForFrame, type Rendered,
} from './helpers/ink.js';
import {waitFor} from './helpers/wait.js';

after(cleanup);

const threeAccounts = () => makeSnapshot({
	accounts: [makeAccount('home'), makeAccount('work'), makeAccount('side')],
});

async function mount(t: TestContext, snapshot: StoreSnapshot = threeAccounts(), columns = 100, rows = 30, deferred = false) {
	const store = new FakeStore(snapshot, {deferred});
	let quits = 0;
	const app: Rendered = await renderAt(<App
		store={store} onQuit={() => {
			quits++;
		}}/>, columns, rows);
	t.after(() => {
		app.unmount();
	});
	return {app, store, quits: () => quits};
}

/** Presses one key and waits until the store has received one more action. */
async function pressForAction(app: Rendered, store: FakeStore, input: string): Promise<void> {
	const before = store.calls.length;
	app.press(input);
	await waitFor(() => store.calls.length === before + 1, () => `an action after ${JSON.stringify(input)}; calls: ${JSON.stringify(store.calls)}`, 2000);
}

const lineWith = (frame: string, text: string): string => frame.split('\n').find(line => line.includes(text)) ?? '';

test('ink-testing-library\'s stdin supports raw mode, so the monitor listens to keys there', async t => {
	const {app} = await mount(t);
	assert.ok(app.stdin.listenerCount('readable') > 0, 'useInput is active');
});

test('1…N pin the Nth account as listed; numbers past the list do nothing', async t => {
	const {app, store} = await mount(t);
	await pressForAction(app, store, '1');
	assert.deepEqual(store.calls.at(-1), {method: 'pin', args: ['home']});
	await waitForFrame(app.lastFrame, frame => frame.includes('pin home'));
	await pressForAction(app, store, '3');
	assert.deepEqual(store.calls.at(-1), {method: 'pin', args: ['side']});
	const frame = await waitForFrame(app.lastFrame, text => text.includes('pin side'));
	assert.match(lineWith(frame, 'oauth ').length > 0 ? frame.split('\n').find(line => line.includes('side') && line.includes('oauth'))! : '', /pinned/);

	const before = store.calls.length;
	app.press('4', '5', '9');
	// A key that does act, typed after them, proves the others were processed and ignored.
	await pressForAction(app, store, '2');
	assert.equal(store.calls.length, before + 1);
	assert.deepEqual(store.calls.at(-1), {method: 'pin', args: ['work']});
});

test('0 unpins', async t => {
	const snapshot = threeAccounts();
	const {app, store} = await mount(t, {...snapshot, pinnedAccount: 'work', accounts: snapshot.accounts.map(account => ({...account, pinned: account.name === 'work'}))});
	await waitForFrame(app.lastFrame, frame => frame.includes('pin work'));
	await pressForAction(app, store, '0');
	assert.deepEqual(store.calls, [{method: 'pin', args: [null]}]);
	await waitForFrame(app.lastFrame, frame => frame.includes('pin auto'));
});

test('s moves to the next strategy after the effective one, wrapping around', async t => {
	const {app, store} = await mount(t, {
		...threeAccounts(), strategy: 'cushion', strategyOverridden: true, overrides: {...threeAccounts().overrides, strategy: 'cushion'},
	});
	await waitForFrame(app.lastFrame, frame => frame.includes('strategy cushion (override)'));
	await pressForAction(app, store, 's');
	assert.deepEqual(store.calls.at(-1), {method: 'setStrategy', args: ['carousel']});
	await waitForFrame(app.lastFrame, frame => frame.includes('strategy carousel (override)'));
	// Back at the configured strategy the override ends, so the header stops saying "(override)".
	await pressForAction(app, store, 's');
	assert.deepEqual(store.calls.at(-1), {method: 'setStrategy', args: [null]});
	await waitForFrame(app.lastFrame, frame => frame.includes('strategy maximus') && !frame.includes('(override)'));
	await pressForAction(app, store, 's');
	assert.deepEqual(store.calls.at(-1), {method: 'setStrategy', args: ['reaper']});
	await waitForFrame(app.lastFrame, frame => frame.includes('strategy reaper'));
});

test('keys typed faster than the store publishes snapshots still chain (s s, o o, p p)', async t => {
	const {app, store} = await mount(t, threeAccounts(), 100, 30, true);
	app.press('s', 's', 'o', 'o', 'p', 'p');
	await waitFor(() => store.calls.length === 6, () => `six actions; calls: ${JSON.stringify(store.calls)}`, 2000);
	assert.deepEqual(store.calls, [
		{method: 'setStrategy', args: ['reaper']},
		{method: 'setStrategy', args: ['cushion']},
		{method: 'setModelOverride', args: [modelOverrideChoices[0]]},
		{method: 'setModelOverride', args: [modelOverrideChoices[1]]},
		{method: 'setPaused', args: ['home', true]},
		{method: 'setPaused', args: ['home', false]},
	]);
	store.flush();
	await waitForFrame(app.lastFrame, frame => frame.includes('strategy cushion (override)') && frame.includes(`model ${shortModel(modelOverrideChoices[1]!)}`));
});

test('several keys arriving in one chunk each act (Ink delivers them as one string)', async t => {
	const {app, store} = await mount(t, threeAccounts(), 100, 30, true);
	app.press('jjp');
	await waitFor(() => store.calls.length === 1, () => `one action; calls: ${JSON.stringify(store.calls)}`, 2000);
	assert.deepEqual(store.calls, [{method: 'setPaused', args: ['side', true]}]);
	app.press('ss');
	await waitFor(() => store.calls.length === 3, () => `three actions; calls: ${JSON.stringify(store.calls)}`, 2000);
	assert.deepEqual(store.calls.slice(1), [{method: 'setStrategy', args: ['reaper']}, {method: 'setStrategy', args: ['cushion']}]);
});

test('m mutes and unmutes alerts', async t => {
	const {app, store} = await mount(t);
	await pressForAction(app, store, 'm');
	assert.deepEqual(store.calls.at(-1), {method: 'setAlertsMuted', args: [true]});
	await waitForFrame(app.lastFrame, frame => frame.includes('alerts muted'));
	await pressForAction(app, store, 'm');
	assert.deepEqual(store.calls.at(-1), {method: 'setAlertsMuted', args: [false]});
	await waitForFrame(app.lastFrame, frame => !frame.includes('alerts muted'));
});

test('o cycles the model override: off → each choice → off', async t => {
	const {app, store} = await mount(t);
	const expected = [...modelOverrideChoices, null];
	for (const model of expected) {
		await pressForAction(app, store, 'o');
		assert.deepEqual(store.calls.at(-1), {method: 'setModelOverride', args: [model]});
	}

	await waitForFrame(app.lastFrame, frame => frame.includes('model auto'));
	await pressForAction(app, store, 'o');
	await waitForFrame(app.lastFrame, frame => frame.includes(`model ${shortModel(modelOverrideChoices[0]!)}`));
});

test('e cycles the effort override: off → low → medium → high → max → off', async t => {
	const {app, store} = await mount(t);
	for (const effort of ['low', 'medium', 'high', 'max', null]) {
		await pressForAction(app, store, 'e');
		assert.deepEqual(store.calls.at(-1), {method: 'setEffortOverride', args: [effort]});
		if (effort === 'high') {
			await waitForFrame(app.lastFrame, frame => frame.includes('effort high'));
		}
	}

	await waitForFrame(app.lastFrame, frame => frame.includes('effort auto'));
});

test('b cycles the burst limit: default → 5 → 15 → 30 → off → default', async t => {
	const {app, store} = await mount(t);
	await waitForFrame(app.lastFrame, frame => frame.includes('burst 10/min'));
	const shown = ['burst 5/min', 'burst 15/min', 'burst 30/min', 'burst off', 'burst 10/min'];
	for (const [index, limit] of [5, 15, 30, 0, null].entries()) {
		await pressForAction(app, store, 'b');
		assert.deepEqual(store.calls.at(-1), {method: 'setBurstRpmLimit', args: [limit]});

		await waitForFrame(app.lastFrame, frame => frame.includes(shown[index]!));
	}
});

test('p pauses and resumes the account under the cursor, moved with j and ↓ (k and ↑ go back)', async t => {
	const {app, store} = await mount(t);
	app.press('j');
	await waitForFrame(app.lastFrame, frame => /▸.*work/.test(frame));
	app.press(keys.down);
	await waitForFrame(app.lastFrame, frame => /▸.*side/.test(frame));
	app.press(keys.down);
	// The cursor stops at the last account.
	await pressForAction(app, store, 'p');
	assert.deepEqual(store.calls, [{method: 'setPaused', args: ['side', true]}]);
	await waitForFrame(app.lastFrame, frame => /‖.*side.*paused/.test(frame));
	await pressForAction(app, store, 'p');
	assert.deepEqual(store.calls.at(-1), {method: 'setPaused', args: ['side', false]});

	app.press('k', keys.up);
	await waitForFrame(app.lastFrame, frame => /▸.*home/.test(frame));
	app.press('k');
	await pressForAction(app, store, 'p');
	assert.deepEqual(store.calls.at(-1), {method: 'setPaused', args: ['home', true]});
});

test('Tab moves the focus to the log, where j/↓ select rows and scroll; Tab again returns to the accounts, live', async t => {
	const base = Date.now();
	// Each row is told apart by its input tokens: 10k, 11k, 12k, …
	const requests = Array.from({length: 60}, (_, index) => makeRequest({id: `r${index}`, tsMs: base - (index * 1000), inputTokens: 10_000 + (index * 1000)}));
	const {app, store} = await mount(t, {...threeAccounts(), requests}, 100, 24);
	await waitForFrame(app.lastFrame, frame => frame.includes('━━ accounts') && frame.includes('── requests & events'));
	app.press(keys.tab);
	const focused = await waitForFrame(app.lastFrame, frame => frame.includes('━━ requests & events') && frame.includes('── accounts'));
	assert.match(lineWith(focused, ' 10k '), /^▸/, 'the newest row is selected');

	// Moving down the log moves neither the account cursor nor the store; past the bottom it scrolls.
	app.press(...Array.from({length: 12}, () => 'j'));
	const scrolled = await waitForFrame(app.lastFrame, frame => /↑\d+ newer/.test(frame));
	assert.doesNotMatch(scrolled, / 10k /, 'the newest entry scrolled out of view');
	assert.match(lineWith(scrolled, ' 22k '), /^▸/, 'twelve rows down');
	assert.match(lineWith(scrolled, 'home'), /▸/, 'the account cursor stayed');
	const selected = scrolled.split('\n').find(line => line.startsWith('▸ '));
	assert.ok(selected, 'one log row is marked');

	// New entries arriving while scrolled do not move what is selected.
	store.push(snapshot => ({...snapshot, requests: [makeRequest({id: 'fresh', tsMs: base + 1000}), ...snapshot.requests]}));
	await waitForFrame(app.lastFrame, frame => frame.split('\n').find(line => line.startsWith('▸ ')) === selected);

	app.press(keys.tab);
	await waitForFrame(app.lastFrame, frame => frame.includes('━━ accounts') && frame.includes('newest first'));
	assert.deepEqual(store.calls, []);
});

test('? opens the help listing every key and strategy; any key closes it without acting', async t => {
	const {app, store} = await mount(t, threeAccounts(), 120, 40);
	app.press('?');
	const help = await waitForFrame(app.lastFrame, frame => frame.includes('strategies'));
	for (const binding of keyBindings) {
		assert.ok(help.includes(binding.description), `help lists ${binding.key}`);
	}

	for (const strategy of strategies) {
		assert.match(help, new RegExp(String.raw`${strategy.name}\s+${strategy.description.slice(0, 20).replaceAll(/[.*+?^${}()|[\]\\]/g, String.raw`\$&`)}`));
	}

	app.press('s');
	await waitForFrame(app.lastFrame, frame => !frame.includes('strategies') && frame.includes('━━ accounts'));
	assert.deepEqual(store.calls, [], 'the closing key did nothing else');

	app.press('?');
	await waitForFrame(app.lastFrame, frame => frame.includes('strategies'));
	app.press(keys.down);
	await waitForFrame(app.lastFrame, frame => !frame.includes('strategies'));
	// The help is closed and keys act again.
	await pressForAction(app, store, 'm');
});

test('the footer hints come from the key bindings', async t => {
	const {app} = await mount(t, threeAccounts(), 160, 30);
	const footer = app.lines().at(-1)!;
	for (const binding of keyBindings.filter(entry => entry.footerRank !== undefined)) {
		assert.ok(footer.includes(`${binding.key} ${binding.label}`), `footer shows "${binding.key} ${binding.label}": ${footer}`);
	}
});

test('q calls onQuit exactly once, even when pressed again or followed by Ctrl-C, and says it is draining', async t => {
	const {app, store, quits} = await mount(t, {...threeAccounts(), inFlight: 2});
	app.press('q');
	await waitFor(() => quits() === 1, 'q to call onQuit');
	await waitForFrame(app.lastFrame, frame => frame.includes('quitting: letting 2 in-flight requests finish'));
	app.press('q', keys.ctrlC, 's', '1');
	// A store update renders a new frame after the keys above were handled.
	store.push(snapshot => ({...snapshot, inFlight: 1}));
	await waitForFrame(app.lastFrame, frame => frame.includes('letting 1 in-flight request finish'));
	assert.equal(quits(), 1);
	assert.deepEqual(store.calls, [], 'keys do nothing while quitting');
});

test('Ctrl-C quits, also while the help is open', async t => {
	const {app, store, quits} = await mount(t, makeSnapshot({accounts: [makeAccount('home')], events: [makeEvent({kind: 'info', message: 'hello'})]}));
	app.press('?');
	const help = await waitForFrame(app.lastFrame, frame => frame.includes('strategies'));
	assert.match(help, /s cycles/, 'the help overlay is open when Ctrl-C arrives');
	assert.equal(quits(), 0);
	app.press(keys.ctrlC);
	await waitFor(() => quits() > 0, 'Ctrl-C to call onQuit');
	assert.equal(quits(), 1, 'onQuit is called once');
	assert.deepEqual(store.calls, [], 'quitting changes nothing in the store');
});

test('without a TTY the monitor still renders and ignores the keyboard instead of crashing', async t => {
	class Output extends EventEmitter {
		columns = 80;
		rows = 24;
		frames: string[] = [];
		write = (frame: string) => {
			this.frames.push(frame);
			return true;
		};
	}

	// A stdin that is not a terminal: Ink reports isRawModeSupported false.
	class Input extends EventEmitter {
		// eslint-disable-next-line @typescript-eslint/naming-convention -- Node's tty streams spell it so
		isTTY = false;
		setEncoding() {}
		setRawMode() {
			throw new Error('raw mode is not supported');
		}

		resume() {}
		pause() {}
		ref() {}
		unref() {}
		read = () => null;
	}

	const stdout = new Output();
	const input = new Input();
	const store = new FakeStore(threeAccounts());
	const instance = render(<App store={store} onQuit={() => {}}/>, {
		stdout: stdout as unknown as NodeJS.WriteStream,
		stderr: new Output() as unknown as NodeJS.WriteStream,
		stdin: input as unknown as NodeJS.ReadStream,
		debug: true,
		exitOnCtrlC: false,
		patchConsole: false,
	});
	t.after(() => {
		instance.unmount();
	});
	const frame = stripAnsi(await waitFor(() => stdout.frames.findLast(frame => frame.includes('accounts')), 'a frame with the accounts pane'));
	for (const name of ['home', 'work', 'side']) {
		assert.ok(frame.includes(name), `the frame lists ${name}:\n${frame}`);
	}

	// Still running after its effects ran (a crash would have replaced the monitor with an error).
	store.push(snapshot => ({...snapshot, events: [makeEvent({kind: 'info', message: 'still drawing'})]}));
	await waitFor(() => stdout.frames.some(frame => frame.includes('still drawing')), 'a frame with the new event');
	assert.deepEqual(stdout.frames.filter(frame => frame.includes('ERROR')), []);
	assert.equal(input.listenerCount('readable') + input.listenerCount('data'), 0, 'nothing reads a stdin that is not a terminal');
	assert.deepEqual(store.calls, []);
});
