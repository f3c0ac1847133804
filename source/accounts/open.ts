// Opening the account files for a command or the runtime: every way they can be broken becomes
// one line for the user that names the file.
import {removeStaleTempFiles} from '../util/atomic-write.js';
import {terminalSafe} from '../util/terminal-safe.js';
import {UserError} from '../util/user-error.js';
import {ShuntConfig, ConfigError} from './config.js';
import {CredentialsError, loadCredentials} from './credentials.js';
import {DirectoryError, preparePrivateDirectories, type ShuntPaths} from './paths.js';

export function openConfig(paths: ShuntPaths): ShuntConfig {
	try {
		preparePrivateDirectories(paths);
	} catch (error) {
		throw error instanceof DirectoryError ? new UserError(terminalSafe(error.message)) : error;
	}

	try {
		return new ShuntConfig(paths.configDir);
	} catch (error) {
		if (error instanceof ConfigError) {
			throw new UserError(error.message);
		}

		throw error;
	}
}

/**
 * credentials.json for a command (and the runtime): a broken file becomes a one-line error that
 * names it. Temp files of writes that were killed midway are removed first.
 */
export function readCredentials(paths: ShuntPaths) {
	removeStaleTempFiles(paths.credentialsFile);
	try {
		return loadCredentials(paths.credentialsFile);
	} catch (error) {
		if (error instanceof CredentialsError) {
			throw new UserError(error.message);
		}

		throw error;
	}
}
