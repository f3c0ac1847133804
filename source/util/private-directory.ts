import process from 'node:process';
import {chmodSync, mkdirSync, statSync} from 'node:fs';

/**
 * Makes sure a directory for shunt's files exists, 0700: every directory this creates (parents
 * included) is 0700, so credentials and state never sit in a directory others can list.
 * An existing directory keeps its mode unless tightenExisting says it is shunt's own (the
 * platform default named "shunt", which older versions created 0755); a directory the user chose
 * is theirs to set. Windows has no such modes; there this only creates.
 */
export function ensurePrivateDirectory(directory: string, tightenExisting = false): void {
	const created = mkdirSync(directory, {recursive: true, mode: 0o700});
	if ((created !== undefined || tightenExisting) && process.platform !== 'win32') {
		const stats = statSync(directory);
		// The mode given to mkdir is masked by umask; an unusual umask could leave it off.
		if (stats.isDirectory() && (stats.mode & 0o777) !== 0o700) {
			chmodSync(directory, 0o700);
		}
	}
}
