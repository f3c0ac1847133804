// The CLI side of `shunt service`: what the service runs (this node, this shunt, the user's port,
// data directory and upstream), and the real runner for systemctl / launchctl.
import process from 'node:process';
import {execFile} from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {isLoopbackAddress} from '../../proxy/loopback.js';
import {onPath} from '../../util/on-path.js';
import {UserError} from '../../util/user-error.js';
import {baseUrl, requestControl, type Target} from '../control-client.js';
import {usageError} from '../cli-arguments.js';
import {
	installService, serviceLayout, serviceStatus, uninstallService, type Command, type CommandResult, type Runner,
} from './service-runner.js';
import {UnitFileError, type ServiceSpec} from './unit-files.js';

export type ServiceRequest = {
	action: string | undefined;
	target: Target;
	upstream?: string;
	strategy?: string;
	dryRun: boolean;
	env: NodeJS.ProcessEnv;
	platform?: NodeJS.Platform;
	homedir?: string;
	run?: Runner;
};

function missing(command: string): UserError {
	return new UserError(`${command} not found: this system has no ${command === 'systemctl' ? 'systemd' : 'launchd'} to run shunt as a service; run \`shunt --headless\` under your own supervisor (\`shunt service install --dry-run\` shows the unit)`);
}

// Service managers over SSH or without a session bus can hang; nothing here waits forever.
const commandTimeoutMs = 15_000;

/** Runs a command without a shell, bounded in time and output. */
export const execRunner: Runner = async (command: Command) => new Promise<CommandResult>((resolve, reject) => {
	execFile(command.command, command.args, {timeout: commandTimeoutMs, maxBuffer: 1024 * 1024, encoding: 'utf8'}, (error, stdout, stderr) => {
		const code = (error as NodeJS.ErrnoException | null)?.code;
		if (code === 'ENOENT') {
			reject(missing(command.command));
			return;
		}

		resolve({code: error ? (typeof (error as {code?: unknown}).code === 'number' ? (error as {code: number}).code : 1) : 0, stdout, stderr});
	});
});

/** The variables the service needs to read the same files as this shell: SHUNT_HOME, else the XDG directories. */
function serviceEnv(env: NodeJS.ProcessEnv): Record<string, string> {
	const result: Record<string, string> = {};
	if (env['SHUNT_HOME']) {
		result['SHUNT_HOME'] = path.resolve(env['SHUNT_HOME']);
	} else {
		for (const name of ['XDG_CONFIG_HOME', 'XDG_DATA_HOME']) {
			if (env[name]) {
				result[name] = path.resolve(env[name]);
			}
		}
	}

	if (env['SHUNT_OAUTH_TOKEN_URL']) {
		result['SHUNT_OAUTH_TOKEN_URL'] = env['SHUNT_OAUTH_TOKEN_URL'];
	}

	return result;
}

export function serviceSpec(request: ServiceRequest): ServiceSpec {
	const {target} = request;
	if (target.port === 0) {
		throw usageError('a service needs a fixed --port (clients are pointed at it)');
	}

	if (!isLoopbackAddress(target.host)) {
		// SHUNT_CLIENT_KEY is a secret: it is never written into a unit file.
		throw new UserError(`a service on ${target.host} would need SHUNT_CLIENT_KEY, which shunt does not write into a service file; use a loopback --host, or run \`shunt --headless\` under your own supervisor`);
	}

	const args = ['--headless', '--port', String(target.port)];
	if (target.host !== '127.0.0.1') {
		args.push('--host', target.host);
	}

	if (request.upstream) {
		args.push('--upstream', request.upstream);
	}

	if (request.strategy) {
		args.push('--strategy', request.strategy);
	}

	return {
		node: process.execPath,
		cli: fileURLToPath(new URL('../../cli.js', import.meta.url)),
		args,
		env: serviceEnv(request.env),
		url: baseUrl(target),
	};
}

export async function serviceCommand(request: ServiceRequest): Promise<string> {
	const {action} = request;
	if (action !== 'install' && action !== 'uninstall' && action !== 'status') {
		throw usageError('usage: shunt service install|uninstall|status [--dry-run]');
	}

	let layout;
	try {
		layout = serviceLayout({
			platform: request.platform ?? process.platform,
			env: request.env,
			homedir: request.homedir ?? os.homedir(),
			uid: process.getuid?.() ?? 0,
			spec: serviceSpec(request),
		});
	} catch (error) {
		if (error instanceof UnitFileError) {
			throw new UserError(error.message);
		}

		throw error;
	}

	const run = request.run ?? execRunner;
	// Before anything is written: without the service manager, install would leave a file behind for nothing.
	const manager = layout.platform === 'linux' ? 'systemctl' : 'launchctl';
	if (!request.run && !request.dryRun && action !== 'status' && !onPath(manager, request.env)) {
		throw missing(manager);
	}

	const options = {dryRun: request.dryRun, run};
	let lines: string[];
	if (action === 'install') {
		lines = await installService(layout, options);
		if (!request.dryRun && /\/(?:\.nvm|\.fnm|\.volta|\.asdf|n\/versions)\//.test(process.execPath)) {
			lines.push(`The service runs ${process.execPath}; after switching Node versions, run \`shunt service install\` again.`);
		}
	} else if (action === 'uninstall') {
		lines = await uninstallService(layout, options);
	} else {
		lines = await serviceStatus(layout, {
			...options,
			async health() {
				try {
					const answer = await requestControl(request.target, 'health', {timeoutMs: 1000});
					return answer.status === 200 ? `answering on ${layout.url}` : `${layout.url} answers ${answer.status}, not like shunt`;
				} catch {
					return `nothing answers on ${layout.url}`;
				}
			},
		});
	}

	return lines.join('\n');
}
