import os from 'node:os';
import path from 'node:path';
import {ensurePrivateDirectory} from '../util/private-directory.js';

export type ShuntPaths = {
	configDir: string;
	dataDir: string;
	configFile: string;
	credentialsFile: string;
	stateFile: string;
	/** history.db (SQLite): every finished request, event and telemetry sample. */
	historyFile: string;
	/** The directories came from SHUNT_HOME (the user's choice), not the platform defaults. */
	fromShuntHome: boolean;
};

/**
 * Where shunt keeps its files. SHUNT_HOME puts all of them in one directory (tests, the demo and
 * users who want everything together); otherwise the platform's config and data directories.
 */
export function shuntPaths(env: NodeJS.ProcessEnv = process.env, platform = process.platform): ShuntPaths {
	let configDir: string;
	let dataDir: string;
	const home = env['SHUNT_HOME'];
	const fromShuntHome = Boolean(home);
	if (home) {
		configDir = path.resolve(home);
		dataDir = configDir;
	} else if (platform === 'darwin') {
		configDir = path.join(os.homedir(), 'Library', 'Application Support', 'shunt');
		dataDir = configDir;
	} else if (platform === 'win32') {
		const appData = env['APPDATA'] ?? path.join(os.homedir(), 'AppData', 'Roaming');
		configDir = path.join(appData, 'shunt');
		dataDir = configDir;
	} else {
		configDir = path.join(env['XDG_CONFIG_HOME'] ?? path.join(os.homedir(), '.config'), 'shunt');
		dataDir = path.join(env['XDG_DATA_HOME'] ?? path.join(os.homedir(), '.local', 'share'), 'shunt');
	}

	return {
		configDir,
		dataDir,
		configFile: path.join(configDir, 'config.json'),
		credentialsFile: path.join(configDir, 'credentials.json'),
		stateFile: path.join(dataDir, 'state.json'),
		historyFile: path.join(dataDir, 'history.db'),
		fromShuntHome,
	};
}

/**
 * Creates the config and data directories 0700 before anything is written there. The platform
 * defaults are shunt's own and are tightened to 0700 if an older version left them 0755; an
 * existing SHUNT_HOME keeps the mode its owner gave it.
 */
export function preparePrivateDirectories(paths: ShuntPaths): void {
	for (const [directory, role] of [[paths.configDir, 'config'], [paths.dataDir, 'data']] as const) {
		try {
			ensurePrivateDirectory(directory, !paths.fromShuntHome);
		} catch (error) {
			throw new DirectoryError(directory, role, error as NodeJS.ErrnoException);
		}
	}
}

/** A directory shunt needs cannot be made or used (permissions, a file in the way, a read-only disk). */
export class DirectoryError extends Error {
	constructor(readonly directory: string, readonly role: 'config' | 'data', cause: NodeJS.ErrnoException) {
		// "ENOTDIR: not a directory, mkdir '…'": the path is said once, by us.
		super(`cannot use the ${role} directory ${directory} (${cause.message.split(',')[0]!}); check it, or set SHUNT_HOME`);
	}
}
