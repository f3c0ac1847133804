// What `shunt service install` writes, as pure functions of what it runs: a systemd user unit on
// Linux and a launchd agent on macOS, each running `shunt --headless` with the user's port and
// data directory, restarted when it fails. The first line says who wrote the file, so uninstall
// removes only a file that install wrote.

export type ServiceSpec = {
	/** Absolute path of the node binary. */
	node: string;
	/** Absolute path of shunt's dist/cli.js. */
	cli: string;
	/** The arguments after cli.js (--headless, --port, …). */
	args: string[];
	/** Variables the service needs to find the user's files (SHUNT_HOME, XDG_*). Never a secret. */
	env: Record<string, string>;
	/** The address it will answer on, for the description. */
	url: string;
	/** macOS: where launchd writes the service's stderr (the headless log). */
	logFile?: string;
};

export const serviceName = 'shunt.service';
export const launchdLabel = 'local.shunt.proxy';
export const systemdMarker = '# Written by `shunt service install`; `shunt service uninstall` removes it.';
export const launchdMarker = '<!-- Written by `shunt service install`; `shunt service uninstall` removes it. -->';

export class UnitFileError extends Error {}

// Paths and values land in a file another program parses: a line break or another control
// character would end the line early and start a directive of its own.
function checked(value: string, what: string): string {
	// eslint-disable-next-line no-control-regex
	if (/[\u0000-\u001F\u007F]/.test(value)) {
		throw new UnitFileError(`${what} contains a control character; the service file cannot hold it`);
	}

	return value;
}

/** One word of ExecStart=: quoted, with systemd's escapes, its specifiers (%) and variables ($) kept literal. */
export function systemdWord(value: string): string {
	return `"${checked(value, 'an argument').replaceAll('\\', '\\\\').replaceAll('"', String.raw`\"`).replaceAll('%', '%%').replaceAll('$', '$$$$')}"`;
}

/** One Environment= assignment (no variable expansion there, specifiers still). */
function systemdAssignment(name: string, value: string): string {
	return `"${name}=${checked(value, name).replaceAll('\\', '\\\\').replaceAll('"', String.raw`\"`).replaceAll('%', '%%')}"`;
}

export function systemdUnit(spec: ServiceSpec): string {
	const environment = Object.entries(spec.env).map(([name, value]) => `Environment=${systemdAssignment(name, value)}`);
	return [
		systemdMarker,
		'[Unit]',
		`Description=shunt: your Claude accounts pooled on ${checked(spec.url, 'the URL').replaceAll('%', '%%')}`,
		// Five failed starts within five minutes (no accounts, the port taken): it stops trying.
		'StartLimitIntervalSec=300',
		'StartLimitBurst=5',
		'',
		'[Service]',
		'Type=simple',
		`ExecStart=${[spec.node, spec.cli, ...spec.args].map(word => systemdWord(word)).join(' ')}`,
		...environment,
		'Restart=on-failure',
		'RestartSec=5',
		// SIGTERM: in-flight requests finish and state is saved, within shunt's own 10 s grace.
		'KillSignal=SIGTERM',
		'TimeoutStopSec=30',
		'',
		'[Install]',
		'WantedBy=default.target',
		'',
	].join('\n');
}

function xml(value: string): string {
	return checked(value, 'a value').replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll('\'', '&apos;');
}

export function launchdPlist(spec: ServiceSpec): string {
	const words = [spec.node, spec.cli, ...spec.args].map(word => `\t\t<string>${xml(word)}</string>`);
	const environment = Object.entries(spec.env).flatMap(([name, value]) => [`\t\t<key>${xml(name)}</key>`, `\t\t<string>${xml(value)}</string>`]);
	const log = spec.logFile === undefined
		? []
		: [
			'\t<key>StandardErrorPath</key>',
			`\t<string>${xml(spec.logFile)}</string>`,
			'\t<key>StandardOutPath</key>',
			`\t<string>${xml(spec.logFile)}</string>`,
		];
	return [
		'<?xml version="1.0" encoding="UTF-8"?>',
		launchdMarker,
		'<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
		'<plist version="1.0">',
		'<dict>',
		'\t<key>Label</key>',
		`\t<string>${launchdLabel}</string>`,
		'\t<key>ProgramArguments</key>',
		'\t<array>',
		...words,
		'\t</array>',
		...(environment.length > 0 ? ['\t<key>EnvironmentVariables</key>', '\t<dict>', ...environment, '\t</dict>'] : []),
		'\t<key>RunAtLoad</key>',
		'\t<true/>',
		// Restarted when it fails, not when it stops cleanly (a quit, a SIGTERM).
		'\t<key>KeepAlive</key>',
		'\t<dict>',
		'\t\t<key>SuccessfulExit</key>',
		'\t\t<false/>',
		'\t</dict>',
		'\t<key>ThrottleInterval</key>',
		'\t<integer>5</integer>',
		'\t<key>ProcessType</key>',
		'\t<string>Background</string>',
		...log,
		'</dict>',
		'</plist>',
		'',
	].join('\n');
}
