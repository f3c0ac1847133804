// covers: source/cli.tsx, source/accounts/config.ts
// An out-of-range config.json stops the built CLI with one line naming the file and the key, and
// leaves the file as it was.
import assert from 'node:assert/strict';
import {readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {describe, test} from 'node:test';
import {cliPath, runScript} from '../helpers/shunt-process.js';
import {tempDir} from '../helpers/temp-dir.js';

describe('an out-of-range config.json (the built CLI)', () => {
	const account = {name: 'alpha', kind: 'apikey', plan: 'console'};
	const cases: Array<[string, Record<string, unknown>, RegExp]> = [
		['a 0 s health-check interval', {healthCheckIntervalSeconds: 0}, /settings\.healthCheckIntervalSeconds must be >= 10 \(a number from 10 to 86400\)$/],
		['a timeout that overflows a timer', {firstByteTimeoutSeconds: 1e12}, /settings\.firstByteTimeoutSeconds must be <= 3600/],
		['a negative hold', {maxHoldSeconds: -5}, /settings\.maxHoldSeconds must be >= 0/],
		['a fractional burst limit', {burstRpmLimit: 2.5}, /settings\.burstRpmLimit must be a whole number from 0 to 100000$/],
		['a number as a string', {stickyTtlMinutes: '10'}, /settings\.stickyTtlMinutes must be a number from 0 to 1440$/],
		['an unknown strategy', {strategy: 'fastest'}, /settings\.strategy must be one of maximus, reaper, cushion, carousel/],
		['an origin with a path', {allowedOrigins: ['https://evil.example/path']}, /settings\.allowedOrigins\[0\] must be an origin such as https:\/\/app\.example\.com/],
		['a forwarded path without a method', {extraForwardedPaths: ['/v1/files']}, /settings\.extraForwardedPaths\[0\] must be a method and a path/],
		['a huge fallback model name', {fallbackModel: 'x'.repeat(1000)}, /settings\.fallbackModel must NOT have more than 200 characters/],
	];

	for (const [what, settings, expected] of cases) {
		test(`${what}: one line naming the file and the key, non-zero exit, file untouched`, async () => {
			const home = tempDir();
			const file = path.join(home, 'config.json');
			const text = `${JSON.stringify({accounts: [account], settings}, undefined, '\t')}\n`;
			writeFileSync(file, text, {mode: 0o600});
			for (const args of [['--headless', '--port', '0', '--upstream', 'http://127.0.0.1:9'], ['accounts']]) {
				// A shunt that accepts the file starts and serves: killed after 15 s, which fails the test.

				const result = await runScript(cliPath, args, {SHUNT_HOME: home}, undefined, 15_000);
				assert.equal(result.code, 1, `${args[0]}: ${result.stderr}`);
				const lines = result.stderr.trimEnd().split('\n');
				assert.equal(lines.length, 1, result.stderr);
				assert.ok(lines[0]!.startsWith(`shunt: ${file}: `), result.stderr);
				assert.match(lines[0]!, expected);
				assert.doesNotMatch(result.stderr, /^\s+at /m, 'no stack trace');
				assert.equal(readFileSync(file, 'utf8'), text, 'config.json is left as it was');
			}
		});
	}
});
