// covers: source/commands/service/unit-files.ts, source/commands/service/service-runner.ts, source/commands/service/service-command.ts
// `shunt service`: the systemd unit and the launchd plist it writes (checked by systemd-analyze
// and a plist parser where they are installed), and install / uninstall against a temporary home
// with a recording runner, so the real user's service manager is never touched.
import process from 'node:process';
import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {
	existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync,
} from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';
import {serviceSpec} from '../source/commands/service/service-command.js';
import {
	installService, serviceLayout, serviceStatus, uninstallService, type Command, type CommandResult,
} from '../source/commands/service/service-runner.js';
import {
	launchdPlist, systemdUnit, systemdWord, UnitFileError, type ServiceSpec,
} from '../source/commands/service/unit-files.js';
import {UserError} from '../source/util/user-error.js';
import {tempDir} from './helpers/temp-dir.js';

const hasSystemdAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;
const hasPython = spawnSync('python3', ['-c', 'import plistlib']).status === 0;

function spec(overrides: Partial<ServiceSpec> = {}): ServiceSpec {
	return {
		node: process.execPath,
		cli: '/opt/shunt with space/dist/cli.js',
		args: ['--headless', '--port', '8082'],
		env: {SHUNT_HOME: '/home/u/my shunt/100%'},
		url: 'http://127.0.0.1:8082',
		...overrides,
	};
}

test('the systemd unit runs shunt --headless with the user\'s port and SHUNT_HOME, restarts on failure, and systemd-analyze finds nothing to say', () => {
	const unit = systemdUnit(spec());
	assert.match(unit, /^# Written by `shunt service install`/);
	assert.match(unit, new RegExp(`^ExecStart="${process.execPath.replaceAll('/', String.raw`\/`)}" "/opt/shunt with space/dist/cli.js" "--headless" "--port" "8082"$`, 'm'));
	assert.match(unit, /^Environment="SHUNT_HOME=\/home\/u\/my shunt\/100%%"$/m, '% is a specifier in systemd: doubled');
	assert.match(unit, /^Restart=on-failure$/m);
	assert.match(unit, /^WantedBy=default.target$/m);
	assert.equal(systemdWord(String.raw`a"b\c$d%e`), String.raw`"a\"b\\c$$d%%e"`);
	assert.throws(() => systemdUnit(spec({env: {SHUNT_HOME: '/tmp/x\nExecStartPre=/bin/rm -rf ~'}})), UnitFileError, 'a line break cannot add a directive');
	assert.throws(() => systemdUnit(spec({cli: '/tmp/\u001B[2J'})), UnitFileError);

	if (!hasSystemdAnalyze) {
		return;
	}

	const directory = tempDir();
	const file = path.join(directory, 'shunt.service');
	writeFileSync(file, systemdUnit(spec()));
	const verified = spawnSync('systemd-analyze', ['verify', file], {encoding: 'utf8'});
	assert.equal(verified.status, 0, verified.stderr);
	// It warns on stderr and still exits 0 for a directive it does not understand.
	assert.equal(verified.stderr.trim(), '', 'no warning about the unit');

	// The check would catch a broken unit: a misspelt directive value.
	writeFileSync(file, systemdUnit(spec()).replace('Restart=on-failure', 'Restart=on-failur'));
	assert.match(spawnSync('systemd-analyze', ['verify', file], {encoding: 'utf8'}).stderr, /restart specifier/);
});

test('the launchd plist runs the same command, keeps it alive on failure only, and parses as a property list', () => {
	const plist = launchdPlist(spec({env: {SHUNT_HOME: '/Users/u/a & <b>'}, logFile: '/Users/u/Library/Logs/shunt.log'}));
	assert.match(plist, /<string>local\.shunt\.proxy<\/string>/);
	assert.match(plist, /<string>\/Users\/u\/a &amp; &lt;b&gt;<\/string>/);
	assert.throws(() => launchdPlist(spec({cli: '/tmp/x\u0000y'})), UnitFileError);
	if (!hasPython) {
		return;
	}

	const directory = tempDir();
	const file = path.join(directory, 'shunt.plist');
	writeFileSync(file, plist);
	const parsed = spawnSync('python3', ['-c', 'import json,plistlib,sys; print(json.dumps(plistlib.load(open(sys.argv[1],"rb"))))', file], {encoding: 'utf8'});
	assert.equal(parsed.status, 0, parsed.stderr);
	assert.deepEqual(JSON.parse(parsed.stdout), {
		Label: 'local.shunt.proxy',
		ProgramArguments: [process.execPath, '/opt/shunt with space/dist/cli.js', '--headless', '--port', '8082'],
		EnvironmentVariables: {SHUNT_HOME: '/Users/u/a & <b>'},
		RunAtLoad: true,
		KeepAlive: {SuccessfulExit: false},
		ThrottleInterval: 5,
		ProcessType: 'Background',
		StandardErrorPath: '/Users/u/Library/Logs/shunt.log',
		StandardOutPath: '/Users/u/Library/Logs/shunt.log',
	});
});

test('what the service runs: this node and this shunt, the port and data directory of this shell, never a secret', () => {
	const target = {host: '127.0.0.1', port: 9123};
	const built = serviceSpec({
		action: 'install', target, dryRun: true, env: {SHUNT_HOME: 'relative/home', SHUNT_CLIENT_KEY: 'secret-key', XDG_DATA_HOME: '/x'}, upstream: 'http://127.0.0.1:9999',
	});
	assert.equal(built.node, process.execPath);
	assert.match(built.cli, /[/\\]cli\.js$/);
	assert.deepEqual(built.args, ['--headless', '--port', '9123', '--upstream', 'http://127.0.0.1:9999']);
	assert.deepEqual(built.env, {SHUNT_HOME: path.resolve('relative/home')}, 'SHUNT_HOME wins over XDG; the client key is not written');
	assert.deepEqual(serviceSpec({
		action: 'install', target, dryRun: true, env: {XDG_CONFIG_HOME: '/c', XDG_DATA_HOME: '/d'},
	}).env, {XDG_CONFIG_HOME: '/c', XDG_DATA_HOME: '/d'});
	assert.throws(() => serviceSpec({
		action: 'install', target: {host: '0.0.0.0', port: 8082}, dryRun: true, env: {},
	}), UserError);
	assert.throws(() => serviceSpec({
		action: 'install', target: {host: '127.0.0.1', port: 0}, dryRun: true, env: {},
	}), UserError);
});

/** A runner that records commands and answers like systemctl / launchctl would. */
function recorder(answers: (command: Command) => CommandResult = () => ({code: 0, stdout: '', stderr: ''})) {
	const ran: string[] = [];
	return {
		ran,
		async run(command: Command) {
			ran.push([command.command, ...command.args].join(' '));
			return answers(command);
		},
	};
}

/** Every file under a directory, with its content (for "exactly what install wrote"). */
function tree(root: string): Record<string, string> {
	const files: Record<string, string> = {};
	for (const entry of readdirSync(root, {recursive: true, withFileTypes: true})) {
		if (!entry.isDirectory()) {
			const full = path.join(entry.parentPath, entry.name);
			files[path.relative(root, full)] = entry.isSymbolicLink() ? '→ link' : readFileSync(full, 'utf8');
		}
	}

	return files;
}

test('systemd: install is idempotent, restarts only a changed unit, and uninstall removes exactly what install made', async () => {
	const home = tempDir();
	const config = path.join(home, '.config');
	mkdirSync(path.join(config, 'systemd', 'user'), {recursive: true});
	writeFileSync(path.join(config, 'systemd', 'user', 'other.service'), '[Service]\nExecStart=/bin/true\n');
	const before = tree(home);
	const layout = (port: number) => serviceLayout({
		platform: 'linux', env: {XDG_CONFIG_HOME: config}, homedir: '/nowhere', uid: 1000, spec: spec({args: ['--headless', '--port', String(port)]}),
	});
	const unit = path.join(config, 'systemd', 'user', 'shunt.service');
	assert.equal(layout(8082).file, unit);

	const first = recorder();
	await installService(layout(8082), {dryRun: false, run: first.run});
	assert.deepEqual(first.ran, ['systemctl --user daemon-reload', 'systemctl --user enable shunt.service', 'systemctl --user start shunt.service']);
	assert.equal(readFileSync(unit, 'utf8'), layout(8082).content);
	assert.equal(statSync(unit).mode & 0o777, 0o644);
	const written = statSync(unit);

	const again = recorder();
	const lines = await installService(layout(8082), {dryRun: false, run: again.run});
	assert.match(lines[0]!, /is up to date$/);
	assert.deepEqual(again.ran, ['systemctl --user daemon-reload', 'systemctl --user enable shunt.service', 'systemctl --user start shunt.service'], 'no restart of a service that did not change');
	assert.equal(statSync(unit).mtimeMs, written.mtimeMs, 'an unchanged unit is not rewritten');
	assert.equal(statSync(unit).ino, written.ino);

	const changed = recorder();
	await installService(layout(9000), {dryRun: false, run: changed.run});
	assert.deepEqual(changed.ran.at(-1), 'systemctl --user restart shunt.service', 'a changed unit is restarted');
	assert.match(readFileSync(unit, 'utf8'), /"--port" "9000"/);

	// What `systemctl enable` makes: the link in default.target.wants.
	mkdirSync(path.join(config, 'systemd', 'user', 'default.target.wants'));
	symlinkSync(unit, path.join(config, 'systemd', 'user', 'default.target.wants', 'shunt.service'));
	const status = recorder(command => ({code: 0, stdout: command.args.includes('is-active') ? 'active\n' : 'enabled\n', stderr: ''}));
	const shown = await serviceStatus(layout(9000), {run: status.run, dryRun: false, health: async () => 'answering'});
	assert.deepEqual(shown, [`installed: ${unit}`, 'systemd: active, enabled', 'answering']);

	// disable fails (no user manager answering): the files still go, the link too.
	const removal = recorder(command => ({code: command.args.includes('disable') ? 1 : 0, stdout: '', stderr: 'Failed to connect to bus'}));
	const removed = await uninstallService(layout(9000), {dryRun: false, run: removal.run});
	assert.deepEqual(removal.ran, ['systemctl --user disable --now shunt.service', 'systemctl --user daemon-reload']);
	assert.ok(removed.some(line => line.includes('exit 1: Failed to connect to bus')));
	assert.deepEqual(tree(home), before, 'only what install made is gone; other units stay');
	assert.deepEqual(await uninstallService(layout(9000), {dryRun: false, run: recorder().run}), [`not installed: there is no ${unit}`]);
});

test('a unit shunt did not write is never overwritten or removed', async () => {
	const home = tempDir();
	const layout = serviceLayout({
		platform: 'linux', env: {}, homedir: home, uid: 1000, spec: spec(),
	});
	mkdirSync(path.dirname(layout.file), {recursive: true});
	writeFileSync(layout.file, '[Service]\nExecStart=/usr/bin/someone-elses\n');
	const run = recorder();
	await assert.rejects(installService(layout, {dryRun: false, run: run.run}), /was not written by shunt; it was left alone/);
	await assert.rejects(uninstallService(layout, {dryRun: false, run: run.run}), /was not written by shunt/);
	assert.deepEqual(run.ran, []);
	assert.equal(readFileSync(layout.file, 'utf8'), '[Service]\nExecStart=/usr/bin/someone-elses\n');
});

test('--dry-run prints the file and the commands and changes nothing', async () => {
	const home = tempDir();
	const layout = serviceLayout({
		platform: 'linux', env: {}, homedir: home, uid: 1000, spec: spec(),
	});
	const run = recorder();
	const lines = await installService(layout, {dryRun: true, run: run.run});
	assert.equal(lines[0], `would write ${layout.file}:`);
	assert.ok(lines.includes(layout.content));
	assert.deepEqual(lines.slice(-3), ['would run: systemctl --user daemon-reload', 'would run: systemctl --user enable shunt.service', 'would run: systemctl --user start shunt.service']);
	assert.deepEqual(run.ran, []);
	assert.equal(existsSync(path.join(home, '.config')), false);
});

test('a failing systemctl is one clear error naming the command', async () => {
	const home = tempDir();
	const layout = serviceLayout({
		platform: 'linux', env: {}, homedir: home, uid: 1000, spec: spec(),
	});
	const run = recorder(command => ({code: command.args.includes('enable') ? 1 : 0, stdout: '', stderr: 'Failed to connect to bus: No medium found\n'}));
	await assert.rejects(installService(layout, {dryRun: false, run: run.run}), (error: Error) => error instanceof UserError && error.message === '`systemctl --user enable shunt.service` failed (exit 1): Failed to connect to bus: No medium found');
});

test('launchd: bootstrap when not loaded, kickstart when loaded and unchanged, bootout + bootstrap when changed; uninstall boots it out and removes the plist', async () => {
	const home = tempDir();
	const layout = (port: number) => serviceLayout({
		platform: 'darwin', env: {}, homedir: home, uid: 501, spec: spec({args: ['--headless', '--port', String(port)]}),
	});
	const plist = path.join(home, 'Library', 'LaunchAgents', 'local.shunt.proxy.plist');
	assert.equal(layout(8082).file, plist);
	assert.match(layout(8082).content, new RegExp(`<string>${path.join(home, 'Library', 'Logs', 'shunt.log').replaceAll('/', String.raw`\/`)}</string>`));
	let loaded = false;
	const launchctl = () => recorder(command => ({code: command.args[0] === 'print' ? (loaded ? 0 : 113) : 0, stdout: loaded ? 'gui/501/local.shunt.proxy = {\n\tstate = running\n\tpid = 4242\n' : '', stderr: ''}));

	const fresh = launchctl();
	await installService(layout(8082), {dryRun: false, run: fresh.run});
	assert.deepEqual(fresh.ran, ['launchctl print gui/501/local.shunt.proxy', 'launchctl enable gui/501/local.shunt.proxy', `launchctl bootstrap gui/501 ${plist}`]);
	loaded = true;

	const same = launchctl();
	await installService(layout(8082), {dryRun: false, run: same.run});
	assert.deepEqual(same.ran.slice(1), ['launchctl enable gui/501/local.shunt.proxy', 'launchctl kickstart gui/501/local.shunt.proxy']);

	const changed = launchctl();
	await installService(layout(9000), {dryRun: false, run: changed.run});
	assert.deepEqual(changed.ran.slice(1), ['launchctl enable gui/501/local.shunt.proxy', 'launchctl bootout gui/501/local.shunt.proxy', `launchctl bootstrap gui/501 ${plist}`]);

	const status = await serviceStatus(layout(9000), {run: launchctl().run, dryRun: false, health: async () => 'answering'});
	assert.deepEqual(status, [`installed: ${plist}`, 'launchd: loaded, running (pid 4242)', 'answering']);

	const removal = launchctl();
	await uninstallService(layout(9000), {dryRun: false, run: removal.run});
	assert.deepEqual(removal.ran, ['launchctl bootout gui/501/local.shunt.proxy']);
	assert.equal(existsSync(plist), false);
});
