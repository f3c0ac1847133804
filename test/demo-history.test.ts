// covers: source/demo/demo-history.ts, source/demo/demo.ts
// The demo's synthetic week: every slice of every window the history pane offers has tokens in it
// from the first screen, the 5h sparklines have readings, and the savings line still counts only
// what the demo's live traffic saves.
import assert from 'node:assert/strict';
import path from 'node:path';
import {test} from 'node:test';
import {demoAccounts} from '../source/demo/demo.js';
import {seedDemoHistory} from '../source/demo/demo-history.js';
import {historyWindows} from '../source/monitor/contract.js';
import {StateStore} from '../source/state/store.js';
import {tempDir} from './helpers/temp-dir.js';
import {waitFor} from './helpers/wait.js';

/** The same numbers every run: a small linear congruential generator. */
function seeded(seed: number): () => number {
	let state = seed;
	return () => {
		state = ((state * 1_103_515_245) + 12_345) % 2_147_483_648;
		return state / 2_147_483_648;
	};
}

test('the demo\'s history fills every window of the chart, with readings for the sparklines, and leaves the savings alone', async () => {
	const directory = tempDir();
	const historyFile = path.join(directory, 'history.db');
	const nowMs = Date.now();
	const written = seedDemoHistory({
		file: historyFile, version: 't', accounts: demoAccounts, nowMs, random: seeded(7),
	});
	assert.ok(written.requests > 1000 && written.requests < 10_000, `a week of requests, not millions: ${written.requests}`);
	assert.ok(written.samples > 1000 && written.samples < 10_000, `readings: ${written.samples}`);

	const store = new StateStore({
		accounts: demoAccounts.map(account => ({name: account.name, kind: 'oauth' as const})),
		settings: {
			strategy: 'maximus', burstRpmLimit: 60, stickyTtlMs: 600_000, expirySoonSeconds: 1800, fallbackModel: null,
		},
		version: 't',
		stateFile: path.join(directory, 'state.json'),
		historyFile,
		notifyIntervalMs: 5,
		historyTimings: {refreshEveryMs: 50},
	});
	try {
		assert.equal(store.getSnapshot().savings.allTime.usd, 0, 'the made-up past saved nothing');
		for (const window of historyWindows) {
			store.setHistoryWindow(window);

			const view = await waitFor(() => (store.getSnapshot().history?.window === window ? store.getSnapshot().history : undefined), `the ${window} view`);
			// The last slice is the one filling now: the live traffic fills it.
			const empty = view.buckets.slice(0, -1).filter(bucket => Object.keys(bucket.perAccount).length === 0);
			assert.deepEqual(empty, [], `${window}: every slice has tokens`);
			for (const account of demoAccounts) {
				const known = view.sparklines[account.name]!.filter(value => value !== null);
				assert.ok(known.length >= view.buckets.length - 1, `${window}: ${account.name}'s 5h readings cover the window`);
				if (window === '7d') {
					assert.ok(known.some(value => value > 0.5), `${account.name}'s 5h window fills on its busy days`);
				}
			}
		}
	} finally {
		store.close();
	}
});
