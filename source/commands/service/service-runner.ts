// `shunt service install | uninstall | status`: the file from unit-files.ts in the place the
// platform's service manager reads it, and the commands that make the manager run it. Install is
// idempotent (an unchanged file is not rewritten and a running service not restarted; a changed
// one is rewritten and restarted), uninstall removes exactly what install made (the file, and the
// link `enable` made), and --dry-run prints the file and the commands instead. The commands are
// run through an injected runner, so tests never touch the real user's service manager.
import {
	existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, rmSync,
} from 'node:fs';
import path from 'node:path';
import {writeFileAtomic} from '../../util/atomic-write.js';
import {terminalSafe} from '../../util/terminal-safe.js';
import {UserError} from '../../util/user-error.js';
import {
	launchdLabel, launchdMarker, launchdPlist, serviceName, systemdMarker, systemdUnit, type ServiceSpec,
} from './unit-files.js';

export type ServicePlatform = 'linux' | 'darwin';

export type Command = {command: string; args: string[]};

export type CommandResult = {code: number; stdout: string; stderr: string};

/** Runs one command (no shell); a command that cannot be started at all rejects with a UserError. */
export type Runner = (command: Command) => Promise<CommandResult>;

export type ServiceLayout = {
	platform: ServicePlatform;
	/** Where the unit file or the plist goes. */
	file: string;
	content: string;
	/** The marker its first lines carry when shunt wrote it. */
	marker: string;
	/** launchd's domain for this user (gui/<uid>). */
	domain?: string;
	/** systemd: the link `enable` makes. */
	wantsLink?: string;
	url: string;
};

export function serviceLayout(options: {platform: NodeJS.Platform; env: NodeJS.ProcessEnv; homedir: string; uid: number; spec: ServiceSpec}): ServiceLayout {
	const {platform, env, homedir, spec} = options;
	if (platform === 'linux') {
		const directory = path.join(env['XDG_CONFIG_HOME'] || path.join(homedir, '.config'), 'systemd', 'user');
		return {
			platform: 'linux',
			file: path.join(directory, serviceName),
			content: systemdUnit(spec),
			marker: systemdMarker,
			wantsLink: path.join(directory, 'default.target.wants', serviceName),
			url: spec.url,
		};
	}

	if (platform === 'darwin') {
		return {
			platform: 'darwin',
			file: path.join(homedir, 'Library', 'LaunchAgents', `${launchdLabel}.plist`),
			content: launchdPlist({...spec, logFile: spec.logFile ?? path.join(homedir, 'Library', 'Logs', 'shunt.log')}),
			marker: launchdMarker,
			domain: `gui/${options.uid}`,
			url: spec.url,
		};
	}

	throw new UserError(`shunt service knows systemd (Linux) and launchd (macOS), not ${platform}; run \`shunt --headless\` under your own supervisor`);
}

const systemctl = (...args: string[]): Command => ({command: 'systemctl', args: ['--user', ...args]});
const launchctl = (...args: string[]): Command => ({command: 'launchctl', args});

export function describe(command: Command): string {
	return [command.command, ...command.args].map(word => (/^[\w./:@=+-]+$/.test(word) ? word : `'${word.replaceAll('\'', String.raw`'\''`)}'`)).join(' ');
}

type FileState = 'absent' | 'same' | 'different';

function fileState(layout: ServiceLayout): FileState {
	if (!existsSync(layout.file)) {
		return 'absent';
	}

	const text = readFileSync(layout.file, 'utf8');
	if (text === layout.content) {
		return 'same';
	}

	if (!text.split('\n', 3).includes(layout.marker)) {
		throw new UserError(`${layout.file} exists and was not written by shunt; it was left alone. Move it aside to install shunt's.`);
	}

	return 'different';
}

/** A command's own output, fit to quote in one line. */
function output(result: CommandResult): string {
	const text = terminalSafe(`${result.stderr} ${result.stdout}`).replaceAll(/\s+/g, ' ').trim();
	return text.length > 300 ? `${text.slice(0, 299)}…` : text;
}

async function mustRun(run: Runner, command: Command): Promise<CommandResult> {
	const result = await run(command);
	if (result.code !== 0) {
		throw new UserError(`\`${describe(command)}\` failed (exit ${result.code})${output(result) ? `: ${output(result)}` : ''}`);
	}

	return result;
}

export type RunOptions = {dryRun: boolean; run: Runner};

function afterwards(layout: ServiceLayout): string[] {
	const lines = [`shunt runs as a service on ${layout.url}: \`shunt service status\`, \`shunt monitor\`, \`shunt logs -f\`; \`shunt setup\` points Claude Code at it.`];
	if (layout.platform === 'linux') {
		lines.push('To keep it running while you are logged out: loginctl enable-linger "$USER"');
	}

	return lines;
}

export async function installService(layout: ServiceLayout, {dryRun, run}: RunOptions): Promise<string[]> {
	const state = fileState(layout);
	const lines: string[] = [];
	if (dryRun) {
		lines.push(state === 'same' ? `${layout.file} is up to date:` : `would write ${layout.file}:`, '', layout.content);
	} else if (state === 'same') {
		lines.push(`${layout.file} is up to date`);
	} else {
		mkdirSync(path.dirname(layout.file), {recursive: true, mode: 0o700});
		// Read by the service manager, holds no secret.
		await writeFileAtomic(layout.file, layout.content, 0o644);
		lines.push(`wrote ${layout.file}`);
	}

	let commands: Command[];
	if (layout.platform === 'linux') {
		// A changed unit is restarted to take effect; an unchanged one only started (a no-op when it runs).
		commands = [systemctl('daemon-reload'), systemctl('enable', serviceName), systemctl(state === 'different' ? 'restart' : 'start', serviceName)];
	} else {
		const target = `${layout.domain!}/${launchdLabel}`;
		const printed = dryRun ? undefined : await run(launchctl('print', target));
		const loaded = printed === undefined ? undefined : printed.code === 0;
		commands = [launchctl('enable', target)];
		if (loaded === undefined) {
			commands.push(launchctl('bootstrap', layout.domain!, layout.file));
			lines.push(`(if ${launchdLabel} is loaded already: \`launchctl bootout ${target}\` first when the file changed, else \`launchctl kickstart ${target}\` instead of bootstrap)`);
		} else if (loaded && state === 'different') {
			commands.push(launchctl('bootout', target), launchctl('bootstrap', layout.domain!, layout.file));
		} else if (loaded) {
			commands.push(launchctl('kickstart', target));
		} else {
			commands.push(launchctl('bootstrap', layout.domain!, layout.file));
		}
	}

	for (const command of commands) {
		if (dryRun) {
			lines.push(`would run: ${describe(command)}`);
		} else {
			// eslint-disable-next-line no-await-in-loop
			await mustRun(run, command);
			lines.push(`ran: ${describe(command)}`);
		}
	}

	if (!dryRun) {
		lines.push(...afterwards(layout));
	}

	return lines;
}

export async function uninstallService(layout: ServiceLayout, {dryRun, run}: RunOptions): Promise<string[]> {
	if (!existsSync(layout.file)) {
		return [`not installed: there is no ${layout.file}`];
	}

	const text = readFileSync(layout.file, 'utf8');
	if (!text.split('\n', 3).includes(layout.marker)) {
		throw new UserError(`${layout.file} was not written by shunt; it was left alone`);
	}

	const lines: string[] = [];
	const before = layout.platform === 'linux' ? [systemctl('disable', '--now', serviceName)] : [launchctl('bootout', `${layout.domain!}/${launchdLabel}`)];
	const after = layout.platform === 'linux' ? [systemctl('daemon-reload')] : [];
	const step = async (command: Command) => {
		if (dryRun) {
			lines.push(`would run: ${describe(command)}`);
			return;
		}

		const result = await run(command);
		// Stopping a service that is not loaded fails; the files still go.
		lines.push(result.code === 0 ? `ran: ${describe(command)}` : `ran: ${describe(command)} (exit ${result.code}${output(result) ? `: ${output(result)}` : ''})`);
	};

	for (const command of before) {
		// eslint-disable-next-line no-await-in-loop
		await step(command);
	}

	// The link `enable` made, in case disable could not remove it (no user manager answering).
	const link = layout.wantsLink && isLinkTo(layout.wantsLink, layout.file) ? layout.wantsLink : undefined;
	for (const file of [layout.file, ...(link ? [link] : [])]) {
		if (dryRun) {
			lines.push(`would remove ${file}`);
		} else {
			rmSync(file, {force: true});
			lines.push(`removed ${file}`);
		}
	}

	for (const command of after) {
		// eslint-disable-next-line no-await-in-loop
		await step(command);
	}

	return lines;
}

function isLinkTo(link: string, file: string): boolean {
	try {
		return lstatSync(link).isSymbolicLink() && path.resolve(path.dirname(link), readlinkSync(link)) === file;
	} catch {
		return false;
	}
}

export type StatusOptions = {run: Runner; dryRun: boolean; health: () => Promise<string>};

export async function serviceStatus(layout: ServiceLayout, {run, dryRun, health}: StatusOptions): Promise<string[]> {
	const commands = layout.platform === 'linux'
		? [systemctl('is-enabled', serviceName), systemctl('is-active', serviceName)]
		: [launchctl('print', `${layout.domain!}/${launchdLabel}`)];
	if (dryRun) {
		return commands.map(command => `would run: ${describe(command)}`);
	}

	const lines: string[] = [];
	const text = existsSync(layout.file) ? readFileSync(layout.file, 'utf8') : undefined;
	const installed = text !== undefined;
	if (text === undefined) {
		lines.push(`not installed (no ${layout.file})`);
	} else if (text.split('\n', 3).includes(layout.marker)) {
		lines.push(`installed: ${layout.file}${text === layout.content ? '' : ' (differs from what install would write now: `shunt service install` updates it)'}`);
	} else {
		lines.push(`${layout.file} exists but was not written by shunt`);
	}

	if (installed) {
		if (layout.platform === 'linux') {
			const [enabled, active] = await Promise.all(commands.map(async command => run(command)));
			lines.push(`systemd: ${terminalSafe(active!.stdout.trim() || 'unknown').slice(0, 40)}, ${terminalSafe(enabled!.stdout.trim() || 'unknown').slice(0, 40)}`);
		} else {
			const result = await run(commands[0]!);
			const state = /^\s*state = (\S+)/m.exec(result.stdout)?.[1];
			const pid = /^\s*pid = (\d+)/m.exec(result.stdout)?.[1];
			lines.push(result.code === 0 ? `launchd: loaded${state ? `, ${terminalSafe(state).slice(0, 40)}` : ''}${pid ? ` (pid ${pid})` : ''}` : 'launchd: not loaded');
		}
	}

	lines.push(await health());
	return lines;
}
