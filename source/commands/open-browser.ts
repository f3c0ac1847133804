import process from 'node:process';
import {spawn} from 'node:child_process';
import {accessSync, constants} from 'node:fs';
import path from 'node:path';

function onPath(command: string, env: NodeJS.ProcessEnv): boolean {
	for (const directory of (env['PATH'] ?? '').split(path.delimiter)) {
		try {
			accessSync(path.join(directory, command), constants.X_OK);
			return true;
		} catch {}
	}

	return false;
}

/**
 * Opens the URL in the user's browser when there is one to open: an interactive terminal and an
 * opener on PATH (`open` on macOS, `xdg-open` elsewhere). Never fails; the URL is printed anyway.
 */
export function openBrowser(url: string, env: NodeJS.ProcessEnv = process.env): boolean {
	if (!process.stdin.isTTY || !process.stdout.isTTY) {
		return false;
	}

	const opener = process.platform === 'darwin' ? 'open' : (process.platform === 'win32' ? undefined : 'xdg-open');
	if (!opener || !onPath(opener, env)) {
		return false;
	}

	try {
		const child = spawn(opener, [url], {stdio: 'ignore', detached: true});
		child.on('error', () => {
			// No browser after all; the printed URL still works.
		});
		child.unref();
		return true;
	} catch {
		return false;
	}
}
