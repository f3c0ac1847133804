// covers: source/accounts/config.ts, source/accounts/config-schema.ts, source/accounts/settings.ts
// config.json is input: a harmful number (a 0 s health-check interval hammered the API ~1300 times
// a second; a 1e12 s timeout overflowed node's timer to 1 ms) must be refused. Every setting has
// bounds, and the largest fits a timer; e2e/config-bounds.test.ts checks the built CLI's refusal.
import assert from 'node:assert/strict';
import {writeFileSync} from 'node:fs';
import path from 'node:path';
import {describe, test} from 'node:test';
import {configSchema, ShuntConfig} from '../source/accounts/config.js';
import {defaultSettings} from '../source/accounts/settings.js';
import {tempDir} from './helpers/temp-dir.js';

// Node's timers hold a signed 32-bit number of milliseconds; anything longer fires at once.
const longestTimerMs = (2 ** 31) - 1;

type NumberSchema = {type: string; minimum?: number; maximum?: number};
const settingsSchema = configSchema.settings.properties as Record<string, NumberSchema | Record<string, unknown>>;

describe('every setting is bounded', () => {
	const numericKeys = Object.entries(defaultSettings).filter(([, value]) => typeof value === 'number').map(([key]) => key);

	test('there are numeric settings to check', () => {
		assert.ok(numericKeys.length >= 10, numericKeys.join(', '));
	});

	for (const key of numericKeys) {
		test(`${key} has a minimum and a maximum, and its largest value fits a timer`, () => {
			const rule = settingsSchema[key] as NumberSchema | undefined;
			assert.ok(rule, `${key} is in the schema`);
			assert.ok(rule.type === 'number' || rule.type === 'integer', `${key} is a number in the schema`);
			assert.ok(Number.isFinite(rule.minimum), `${key} has a minimum`);
			assert.ok(Number.isFinite(rule.maximum), `${key} has a maximum`);
			assert.ok(rule.minimum! >= 0 && rule.minimum! <= rule.maximum!);
			const unitMs = key.endsWith('Seconds') ? 1000 : key.endsWith('Minutes') ? 60_000 : 1;
			assert.ok(rule.maximum! * unitMs <= longestTimerMs, `${key}'s maximum overflows a timer`);
		});
	}

	test('every setting has a rule in the schema', () => {
		for (const key of Object.keys(defaultSettings)) {
			assert.ok(settingsSchema[key], `${key} has no rule`);
		}
	});

	test('the defaults themselves are valid', () => {
		const dir = tempDir();
		writeFileSync(path.join(dir, 'config.json'), JSON.stringify({accounts: [], settings: defaultSettings}));
		assert.deepEqual(new ShuntConfig(dir).settings, defaultSettings);
	});

	test('lists of origins and forwarded paths accept what they are for', () => {
		const dir = tempDir();
		const settings = {allowedOrigins: ['http://localhost:3000', 'https://app.example.com'], extraForwardedPaths: ['POST /v1/messages/batches', 'GET /v1/files/*']};
		writeFileSync(path.join(dir, 'config.json'), JSON.stringify({settings}));
		assert.deepEqual(new ShuntConfig(dir).settings.extraForwardedPaths, settings.extraForwardedPaths);
	});
});

describe('the OpenAI front door\'s settings', () => {
	test('a model map and the subscription opt-in are read', () => {
		const dir = tempDir();
		const settings = {openaiModelMap: {'gpt-4o': 'claude-opus-4-8', '*': 'claude-sonnet-4-6'}, openaiAllowSubscriptions: true};
		writeFileSync(path.join(dir, 'config.json'), JSON.stringify({settings}));
		const read = new ShuntConfig(dir).settings;
		assert.deepEqual(read.openaiModelMap, settings.openaiModelMap);
		assert.equal(read.openaiAllowSubscriptions, true);
	});

	test('by default the map is empty and subscriptions are not used', () => {
		assert.deepEqual(defaultSettings.openaiModelMap, {});
		assert.equal(defaultSettings.openaiAllowSubscriptions, false);
	});

	const refused: Array<[string, unknown, RegExp]> = [
		['a model that is not a string', {openaiModelMap: {'gpt-4o': 7}}, /settings\.openaiModelMap\.gpt-4o must be a Claude model id/],
		['a model with a space', {openaiModelMap: {'gpt-4o': 'claude sonnet'}}, /settings\.openaiModelMap\.gpt-4o must be a Claude model id/],
		['a map that is a list', {openaiModelMap: ['gpt-4o']}, /settings\.openaiModelMap must be an object mapping OpenAI model names/],
		['an opt-in that is not a boolean', {openaiAllowSubscriptions: 'yes'}, /settings\.openaiAllowSubscriptions must be boolean/],
	];
	for (const [name, settings, message] of refused) {
		test(`refused: ${name}`, () => {
			const dir = tempDir();
			writeFileSync(path.join(dir, 'config.json'), JSON.stringify({settings}));
			assert.throws(() => new ShuntConfig(dir).settings, message);
		});
	}
});
