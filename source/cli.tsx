#!/usr/bin/env node
// The entry point stays thin: meow parses first, and the proxy, the monitor (ink, react) and
// conf are imported only by the command that needs them, so `shunt --help` answers at once.
import process from 'node:process';
import meow from 'meow';
import {
	asksFor, parsePort, parseStrategy, parserError, quote, rejectUnknownFlags, usageError,
} from './commands/cli-arguments.js';
import {UserError} from './util/user-error.js';
import {flags, help} from './commands/cli-usage.js';

// Ink otherwise loads React's development build, which is far slower.
process.env['NODE_ENV'] = 'production';
// Ink draws nothing but a last frame when CI or CONTINUOUS_INTEGRATION is set (is-in-ci), and
// those leak into terminals from dev containers and build shells. On a real terminal the user
// asked for a live monitor, so they must not decide. Ink reads them once, when it is first
// imported, so this must run here, before any command loads it. They are removed rather than set
// to "false": chalk's colour detection treats any CI variable as a CI log and turns colours off.
if (process.stdout.isTTY) {
	delete process.env['CI'];
	delete process.env['CONTINUOUS_INTEGRATION'];
}

// NO_COLOR (no-color.org): the monitor's colour library does not read it, FORCE_COLOR=0 it does.
if (process.env['NO_COLOR']) {
	process.env['FORCE_COLOR'] = '0';
}

// `shunt status --json | head -1`: the reader has what it wanted and went away. Not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
	if (error.code === 'EPIPE') {
		process.exit(0);
	}

	throw error;
});

// The argument parser reads a lone "-" after a flag as a new argument, not as the flag's value;
// `--api-key -` (read the key from stdin) must mean the value "-".
const argv = process.argv.slice(2).flatMap((argument, index, all) => {
	if (argument === '-' && (all[index - 1] === '--api-key' || all[index - 1] === '--apiKey')) {
		return [];
	}

	return (argument === '--api-key' || argument === '--apiKey') && all[index + 1] === '-' ? [`${argument}=-`] : [argument];
});

function parseArguments() {
	// Before meow, which would print "Unknown flag" and exit by itself.
	rejectUnknownFlags(argv, flags);
	let parsed;
	try {
		parsed = meow(help, {
			importMeta: import.meta, argv, allowUnknownFlags: false, flags,
		});
	} catch (error) {
		throw parserError(error as Error);
	}

	// meow answers these only when alone; `shunt add-account me --help` must not start a login.
	if (asksFor('--help', argv)) {
		parsed.showHelp(0);
	}

	if (asksFor('--version', argv)) {
		parsed.showVersion();
	}

	return parsed;
}

// The command being run, once the arguments parsed: `shunt statusline` turns its errors into its line.
let running: string | undefined;

async function main(): Promise<number> {
	const cli = parseArguments();
	running = cli.input[0];
	const {shuntPaths} = await import('./accounts/paths.js');
	const [command, ...rest] = cli.input;
	const {flags} = cli;
	const {env} = process;
	const port = parsePort(flags.port, '--port') ?? parsePort(env['SHUNT_PORT'] || undefined, 'SHUNT_PORT') ?? 8082;
	const strategy = parseStrategy(flags.strategy);
	const target = {host: flags.host ?? env['SHUNT_HOST'] ?? '127.0.0.1', port};
	const paths = shuntPaths(env);
	const print = (text: string) => {
		process.stdout.write(`${text}\n`);
	};

	switch (command) {
		case undefined: {
			const options = {
				...target,
				upstream: flags.upstream ?? env['SHUNT_UPSTREAM_URL'] ?? 'https://api.anthropic.com',
				strategy,
				// No TTY on stdout: nothing to draw on, so run headless.
				headless: flags.headless || !process.stdout.isTTY,
				clientKey: env['SHUNT_CLIENT_KEY'] || undefined,
				// The demo takes any free port unless one was asked for.
				...(flags.demo && flags.port === undefined ? {port: 0} : {}),
			};
			const start = {demo: flags.demo, env: {...env}, options};
			if (options.headless) {
				const [{runHeadless}, {prepareRuntime}] = await Promise.all([import('./runtime/headless.js'), import('./runtime/load.js')]);
				const prepared = await prepareRuntime(start);
				return runHeadless(prepared.runtime, prepared.options);
			}

			const {runMonitor} = await import('./runtime/threads/screen-thread.js');
			return runMonitor(start);
		}

		case 'add-account': {
			const {addApiKeyAccount} = await import('./commands/account-commands.js');
			if (flags.apiKey === undefined) {
				const {addOAuthAccount} = await import('./commands/oauth-commands.js');
				print(await addOAuthAccount(paths, rest[0], {env, upstream: flags.upstream ?? env['SHUNT_UPSTREAM_URL'] ?? 'https://api.anthropic.com'}));
				return 0;
			}

			print(await addApiKeyAccount(paths, rest[0], flags.apiKey));
			return 0;
		}

		case 'remove-account': {
			const {removeAccount} = await import('./commands/account-commands.js');
			print(removeAccount(paths, rest[0]));
			return 0;
		}

		case 'accounts': {
			const {listAccounts} = await import('./commands/account-commands.js');
			print(listAccounts(paths, flags.json));
			return 0;
		}

		case 'status': {
			const {showStatus} = await import('./commands/remote-commands.js');
			print(await showStatus(target, flags.json));
			return 0;
		}

		case 'report': {
			const {reportCommand} = await import('./commands/report-command.js');
			print(reportCommand(paths.historyFile, {since: flags.since, by: flags.by, json: flags.json}));
			return 0;
		}

		case 'pin': {
			const {pinRemote} = await import('./commands/remote-commands.js');
			print(await pinRemote(target, rest[0]));
			return 0;
		}

		case 'strategy': {
			const {strategyRemote} = await import('./commands/remote-commands.js');
			print(await strategyRemote(target, rest[0]));
			return 0;
		}

		case 'model': {
			const {modelRemote} = await import('./commands/remote-commands.js');
			print(await modelRemote(target, rest[0]));
			return 0;
		}

		case 'effort': {
			const {effortRemote} = await import('./commands/remote-commands.js');
			print(await effortRemote(target, rest[0]));
			return 0;
		}

		case 'burst-limit': {
			const {burstLimitRemote} = await import('./commands/remote-commands.js');
			print(await burstLimitRemote(target, rest[0]));
			return 0;
		}

		case 'fallback': {
			const {fallbackRemote} = await import('./commands/remote-commands.js');
			print(await fallbackRemote(target, rest[0]));
			return 0;
		}

		case 'alerts': {
			const {alertsRemote} = await import('./commands/remote-commands.js');
			print(await alertsRemote(target, rest[0]));
			return 0;
		}

		case 'pause':
		case 'resume': {
			const {pauseRemote} = await import('./commands/remote-commands.js');
			print(await pauseRemote(target, rest[0], command === 'pause'));
			return 0;
		}

		case 'monitor': {
			const {runAttachedMonitor} = await import('./commands/monitor-command.js');
			return runAttachedMonitor(target);
		}

		case 'statusline': {
			const {statusLine} = await import('./commands/statusline-command.js');
			print(await statusLine(target));
			return 0;
		}

		case 'logs': {
			const {parseLineCount, showLogs} = await import('./commands/logs-command.js');
			const lines = parseLineCount(flags.lines);
			const stop = new AbortController();
			// Ctrl-C ends following; it is how one stops `tail -f`, not an error.
			process.once('SIGINT', () => {
				stop.abort();
			});
			await showLogs({
				directory: paths.dataDir, json: flags.json, follow: flags.follow, lines, signal: stop.signal, write(text) {
					process.stdout.write(text);
				},
			});
			return 0;
		}

		case 'setup': {
			const {claudeSettingsFile, setupClaudeCode, undoSetup} = await import('./commands/setup-command.js');
			const path = await import('node:path');
			const local = {host: ['0.0.0.0', '::'].includes(target.host) ? '127.0.0.1' : target.host, port};
			const {baseUrl} = await import('./commands/control-client.js');
			const common = {settingsFile: claudeSettingsFile(env), recordFile: path.join(paths.configDir, 'claude-setup.json'), url: baseUrl(local)};
			if (flags.undo) {
				print(await undoSetup(common));
				return 0;
			}

			const ask = process.stdin.isTTY
				? async (question: string) => {
					const {readLine} = await import('./commands/read-line.js');
					process.stderr.write(question);
					return /^\s*y(?:es)?\s*$/i.test(await readLine() ?? '');
				}
				: undefined;
			print(await setupClaudeCode({
				...common, yes: flags.yes, force: flags.force, ask,
			}));
			const {requestControl} = await import('./commands/control-client.js');
			const running = await requestControl(local, 'health', {timeoutMs: 500}).then(answer => answer.status === 200, () => false);
			if (!running) {
				print(`Nothing answers on ${common.url} yet: \`shunt service install\` keeps shunt running in the background.`);
			}

			return 0;
		}

		case 'service': {
			const {serviceCommand} = await import('./commands/service/service-command.js');
			print(await serviceCommand({
				action: rest[0], target, upstream: flags.upstream ?? env['SHUNT_UPSTREAM_URL'], strategy, dryRun: flags.dryRun, env,
			}));
			return 0;
		}

		case 'import-claude-code': {
			const {importClaudeCode} = await import('./commands/oauth-commands.js');
			print(await importClaudeCode(paths, rest[0]));
			return 0;
		}

		default: {
			throw usageError(`unknown command ${quote(command)}`);
		}
	}
}

try {
	process.exitCode = await main();
} catch (error) {
	if (running === 'statusline') {
		// Claude Code shows whatever a status line prints; an error is one more line, and exit 0.
		process.stdout.write(`shunt: ${error instanceof UserError ? error.message : 'statusline failed'}\n`);
		process.exitCode = 0;
	} else if (error instanceof UserError) {
		process.stderr.write(`shunt: ${error.message}\n`);
		process.exitCode = error.exitCode;
	} else {
		// Only for bugs: every mistake a user can make is a UserError above, without a stack.
		process.stderr.write(`shunt: unexpected error: ${(error as Error).stack ?? String(error)}\n`);
		process.exitCode = 1;
	}
}
