// covers: source/proxy/exchange.ts, source/proxy/server.ts
// A held request waits on the sleep the proxy was started with (the routing benchmark holds
// requests on its virtual clock), never on a wall-clock timer of the same length.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {Simulator} from '../source/simulator/index.js';
import {message, startHarness} from './helpers/proxy-harness.js';

test('a hold for the burst limit waits on the injected sleep, then the request is served', async t => {
	let nowMs = Date.now();
	const clock = () => nowMs;
	const simulator = new Simulator({now: clock});
	await simulator.listen();
	t.after(async () => simulator.close());
	simulator.addAccount({kind: 'oauth', credential: 'tok-a', name: 'a'});
	const sleeps: number[] = [];
	const harness = await startHarness({
		upstream: simulator.url,
		accounts: [{name: 'a', kind: 'oauth', secret: 'tok-a'}],
		settings: {burstRpmLimit: 1},
		now: clock,
		async sleep(ms) {
			// Virtual time: the wait passes at once, and the clock says it did.
			sleeps.push(ms);
			nowMs += ms;
		},
	});
	t.after(async () => harness.close());

	assert.equal((await harness.post(message())).status, 200);
	const started = performance.now();
	const held = await harness.post(message());
	assert.equal(held.status, 200, await held.clone().text());
	assert.ok(performance.now() - started < 5000, 'no real minute went by');
	assert.equal(sleeps.length, 1);
	// The one counted request leaves the burst minute 60 s after it was made, plus the hold's margin.
	assert.ok(sleeps[0]! > 59_000 && sleeps[0]! <= 60_100, `slept ${sleeps[0]} ms`);
	assert.equal(simulator.requests.length, 2);
	assert.equal(harness.store.freshSnapshot().requests[0]?.holds?.length, 1);
});
