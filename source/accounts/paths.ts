import os from 'node:os';
import path from 'node:path';

export type ShuntPaths = {
	configDir: string;
	dataDir: string;
	configFile: string;
	credentialsFile: string;
	stateFile: string;
};

/**
 * Where shunt keeps its files. SHUNT_HOME puts all of them in one directory (tests, the demo and
 * users who want everything together); otherwise the platform's config and data directories.
 */
export function shuntPaths(env: NodeJS.ProcessEnv = process.env, platform = process.platform): ShuntPaths {
	let configDir: string;
	let dataDir: string;
	if (env['SHUNT_HOME']) {
		configDir = path.resolve(env['SHUNT_HOME']);
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
	};
}
