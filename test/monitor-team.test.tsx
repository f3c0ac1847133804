/** @jsxRuntime automatic */
// covers: source/monitor/panes/header/header-lines.ts, source/monitor/panes/log/log-rows.ts, source/monitor/app.tsx
// Team mode on screen: the header names the pool's instances (this one in bold) and whether Redis
// answers, shortened to a count when the names do not fit; other instances' requests and events
// are in the log among ours, each saying which instance it happened on.
import assert from 'node:assert/strict';
import {after, test, type TestContext} from 'node:test';
import {cleanup} from 'ink-testing-library';
import App from '../source/monitor/app.js';
import type {StoreSnapshot, TeamView} from '../source/monitor/contract.js';
import {
	FakeStore, makeAccount, makeEvent, makeRequest, makeSnapshot,
} from './helpers/fake-store.js';
import {overlongLines, renderAt, waitForFrame} from './helpers/ink.js';

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

function team(fields: Partial<TeamView> = {}): TeamView {
	return {
		self: 'laptop',
		instances: [{name: 'laptop', self: true}, {name: 'desktop', self: false}, {name: 'devbox', self: false}],
		redis: 'connected',
		requests: [],
		events: [],
		...fields,
	};
}

test('the header names the instances in the pool and says Redis is connected', async t => {
	const {app} = await mount(t, makeSnapshot({accounts: [makeAccount('home')], team: team()}));
	const frame = await waitForFrame(app.lastFrame, text => text.includes('redis connected'));
	assert.match(lineWith(frame, 'redis connected'), /team\s+laptop · desktop · devbox · redis connected/);
});

test('Redis unreachable: the header says the instance serves on its local state; without team mode there is no team line', async t => {
	const {app, store} = await mount(t, makeSnapshot({accounts: [makeAccount('home')], team: team({redis: 'unreachable'})}));
	const frame = await waitForFrame(app.lastFrame, text => text.includes('unreachable'));
	assert.match(lineWith(frame, 'unreachable'), /team\s+laptop · desktop · devbox · redis unreachable · serving on local state/);
	store.push(snapshot => ({...snapshot, team: undefined}));
	const solo = await waitForFrame(app.lastFrame, text => !text.includes('redis'));
	assert.doesNotMatch(solo, /team\s+laptop/);
});

test('names that do not fit the width become a count', async t => {
	const long = Array.from({length: 6}, (_, index) => ({name: `workstation-number-${index}`, self: index === 0}));
	const {app} = await mount(t, makeSnapshot({accounts: [makeAccount('home')], team: team({self: 'workstation-number-0', instances: long, redis: 'unreachable'})}), 80, 24);
	const frame = await waitForFrame(app.lastFrame, text => text.includes('6 instances'));
	assert.match(lineWith(frame, '6 instances'), /team\s+6 instances · redis unreachable/);
	assert.deepEqual(overlongLines(frame, 80), []);
});

test('other instances\' requests and events are in the log among ours, with the instance\'s name', async t => {
	const now = Date.now();
	const ours = makeRequest({account: 'home', tsMs: now - 3000, model: 'claude-haiku-4-5-20251001'});
	const theirs = {...makeRequest({account: 'work', tsMs: now - 2000, model: 'claude-opus-4-8'}), id: 'a1b2c3d4e5f6:req-9', instance: 'desktop'};
	const failedOver = {
		...makeRequest({
			account: 'work', tsMs: now - 1500, model: 'claude-sonnet-4-6', attempts: [{account: 'home', status: 429, reason: 'quota'}],
		}), id: 'a1b2c3d4e5f6:req-10', instance: 'desktop',
	};
	const event = {
		...makeEvent({
			kind: 'cooldown', account: 'work', message: 'work: quota, cooling 58m', tsMs: now - 1000,
		}), instance: 'devbox',
	};
	const {app} = await mount(t, makeSnapshot({
		accounts: [makeAccount('home'), makeAccount('work')],
		requests: [ours],
		team: team({requests: [failedOver, theirs], events: [event]}),
	}), 120, 30);
	const frame = await waitForFrame(app.lastFrame, text => text.includes('opus-4-8') && text.includes('cooling 58m'));
	// Served on its first try: nothing follows the name, so no separator either.
	assert.match(lineWith(frame, 'opus-4-8'), /\s{2}on desktop$/, 'the other instance\'s request says where it ran');
	assert.match(lineWith(frame, 'sonnet'), /on desktop · 429 home →/, 'and its route after the name');
	assert.doesNotMatch(lineWith(frame, 'haiku'), /on \w+ · /, 'ours carries no instance');
	assert.match(lineWith(frame, 'cooling 58m'), /on devbox · .*work: quota, cooling 58m/);
	// One log, in time order: ours, then the desktop's request, then the devbox's event.
	const lines = frame.split('\n');
	const rows = ['haiku', 'opus-4-8', 'cooling 58m'].map(text => lines.findIndex(line => line.includes(text)));
	assert.deepEqual([...rows].toSorted((a, b) => b - a), rows, 'newest first');
	assert.ok(rows.every(at => at !== -1), frame);
});
