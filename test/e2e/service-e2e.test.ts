// covers: source/commands/service/service-command.ts, source/commands/service/service-runner.ts, source/cli.tsx
// `shunt service` through the built CLI, with HOME and XDG_CONFIG_HOME in a temporary directory
// and a stand-in `systemctl` first on PATH that records what it is asked: the real user's
// systemd is never touched.
import process from 'node:process';
import assert from 'node:assert/strict';
import {
	chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync,
} from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';
import {runCli} from '../helpers/shunt-process.js';
import {tempDir} from '../helpers/temp-dir.js';

const linux = process.platform === 'linux';

/** A fake systemctl that appends its arguments to a file and answers is-active / is-enabled. */
function fakeSystemctl(): {bin: string; calls: () => string[]} {
	const bin = tempDir();
	const log = path.join(bin, 'calls.log');
	writeFileSync(path.join(bin, 'systemctl'), `#!/bin/sh
echo "$*" >> '${log}'
case "$*" in
	*is-active*) echo active ;;
	*is-enabled*) echo enabled ;;
esac
exit 0
`);
	chmodSync(path.join(bin, 'systemctl'), 0o755);
	return {bin, calls: () => (existsSync(log) ? readFileSync(log, 'utf8').trimEnd().split('\n') : [])};
}

test('shunt service install --dry-run prints the unit with this shell\'s port and SHUNT_HOME, and writes nothing', {skip: linux ? false : 'the systemd layout is Linux\'s'}, async () => {
	const home = tempDir();
	const shuntHome = tempDir();
	const result = await runCli(['service', 'install', '--dry-run', '--port', '9555'], {HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), SHUNT_HOME: shuntHome});
	assert.equal(result.code, 0, result.stderr);
	const unit = path.join(home, '.config', 'systemd', 'user', 'shunt.service');
	assert.match(result.stdout, new RegExp(`^would write ${unit.replaceAll('/', String.raw`\/`)}:`));
	assert.match(result.stdout, /"--headless" "--port" "9555"/);
	assert.match(result.stdout, new RegExp(`Environment="SHUNT_HOME=${shuntHome.replaceAll('/', String.raw`\/`)}"`));
	assert.match(result.stdout, /would run: systemctl --user enable shunt.service/);
	assert.deepEqual(readdirSync(home), [], 'nothing written');
});

test('shunt service install / status / uninstall with a stand-in systemctl: idempotent, and uninstall leaves the home as it was', {skip: linux ? false : 'the systemd layout is Linux\'s'}, async () => {
	const home = tempDir();
	mkdirSync(path.join(home, '.config'));
	const fake = fakeSystemctl();
	const env = {
		HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), SHUNT_HOME: tempDir(), PATH: `${fake.bin}:${process.env['PATH'] ?? ''}`,
	};
	const unit = path.join(home, '.config', 'systemd', 'user', 'shunt.service');

	const install = await runCli(['service', 'install', '--port', '9556'], env);
	assert.equal(install.code, 0, install.stderr);
	assert.match(install.stdout, new RegExp(`^wrote ${unit.replaceAll('/', String.raw`\/`)}`));
	assert.match(install.stdout, /shunt runs as a service on http:\/\/127\.0\.0\.1:9556/);
	assert.deepEqual(fake.calls(), ['--user daemon-reload', '--user enable shunt.service', '--user start shunt.service']);
	const content = readFileSync(unit, 'utf8');

	const again = await runCli(['service', 'install', '--port', '9556'], env);
	assert.equal(again.code, 0, again.stderr);
	assert.match(again.stdout, /is up to date/);
	assert.equal(readFileSync(unit, 'utf8'), content);
	assert.deepEqual(fake.calls().slice(3), ['--user daemon-reload', '--user enable shunt.service', '--user start shunt.service']);

	const status = await runCli(['service', 'status', '--port', '9556'], env);
	assert.equal(status.code, 0, status.stderr);
	assert.deepEqual(status.stdout.trimEnd().split('\n'), [`installed: ${unit}`, 'systemd: active, enabled', 'nothing answers on http://127.0.0.1:9556']);

	const uninstall = await runCli(['service', 'uninstall'], env);
	assert.equal(uninstall.code, 0, uninstall.stderr);
	assert.equal(existsSync(unit), false);
	assert.deepEqual(fake.calls().slice(-2), ['--user disable --now shunt.service', '--user daemon-reload']);
	assert.deepEqual(readdirSync(path.join(home, '.config', 'systemd', 'user')), []);

	const usage = await runCli(['service', 'start'], env);
	assert.equal(usage.code, 2);
	assert.match(usage.stderr, /^shunt: usage: shunt service install\|uninstall\|status \[--dry-run\]/);
});

test('without systemd, shunt service install says so in one line and points at --dry-run', {skip: linux ? false : 'the systemd layout is Linux\'s'}, async () => {
	const home = tempDir();
	// A PATH without systemctl (node itself is run by its full path).
	const result = await runCli(['service', 'install'], {
		HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), SHUNT_HOME: tempDir(), PATH: tempDir(),
	});
	assert.equal(result.code, 1);
	assert.match(result.stderr, /^shunt: systemctl not found: this system has no systemd to run shunt as a service; run `shunt --headless` under your own supervisor/);
	assert.equal(result.stderr.split('\n').length, 2, 'one line, no stack');
	assert.deepEqual(readdirSync(home), [], 'no unit left behind for nothing');
});
