// covers: source/alerts/alerts.ts
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {Alerts, desktopNotification} from '../source/alerts/alerts.js';
import type {StoreEventKind} from '../source/state/records.js';

function target(start = 0) {
	const events: Array<{kind: StoreEventKind; message: string}> = [];
	const state = {now: start, muted: false};
	return {
		events,
		state,
		target: {
			addEvent(kind: StoreEventKind, message: string) {
				events.push({kind, message});
			},
			get overrides() {
				return {alertsMuted: state.muted};
			},
			now: () => state.now,
		},
	};
}

test('alerts ring the terminal and are recorded; muted alerts are recorded but silent', () => {
	const {events, state, target: eventTarget} = target();
	const rung: string[] = [];
	const alerts = new Alerts(eventTarget, (title, body) => rung.push(`${title}: ${body}`));
	alerts.raise('rate-limited', 'work hit its 5h limit', 'work');
	assert.deepEqual(rung, ['shunt: rate limited: work hit its 5h limit']);
	state.muted = true;
	alerts.raise('forbidden', 'home got 403', 'home');
	assert.equal(rung.length, 1);
	assert.deepEqual(events.map(event => event.kind), ['rate-limited', 'forbidden']);
});

test('"all accounts offline" is announced at most once an hour', () => {
	const {events, state, target: eventTarget} = target(1_000_000);
	const rung: string[] = [];
	const alerts = new Alerts(eventTarget, title => rung.push(title));
	alerts.raise('all-offline', 'nothing can serve');
	state.now += 30 * 60_000;
	alerts.raise('all-offline', 'nothing can serve');
	assert.equal(rung.length, 1);
	state.now += 31 * 60_000;
	alerts.raise('all-offline', 'nothing can serve');
	assert.equal(rung.length, 2);
	assert.equal(events.length, 2);
});

test('the desktop notification is one bell and one OSC 9 whose text cannot end it early or start another', () => {
	const body = 'work: \u001B]52;c;ZXZpbA==\u0007 refresh failed\u009C\u001B[2J\u009D0;t\u0007\nnext\u202E';
	const written = desktopNotification('shunt: re-login needed', body);
	assert.equal(written, '\u0007\u001B]9;shunt: re-login needed: work:  refresh failed next\u0007');
	assert.equal(desktopNotification('shunt: account back', 'home is back'), '\u0007\u001B]9;shunt: account back: home is back\u0007');
});

test('a recovery is logged once: the "back online" alert rings but adds no second log line', () => {
	const {events, target: eventTarget} = target();
	const rung: string[] = [];
	const alerts = new Alerts(eventTarget, title => rung.push(title));
	alerts.raise('resumed', 'work is back online after 20 minutes', 'work');
	assert.deepEqual(rung, ['shunt: account back']);
	assert.deepEqual(events, [], 'the cooldown watch already logged "work is back"');
});
