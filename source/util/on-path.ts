import process from 'node:process';
import {accessSync, constants} from 'node:fs';
import path from 'node:path';

/** The first executable called `name` in PATH's absolute directories, or undefined. */
export function onPath(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
	for (const directory of (env['PATH'] ?? '').split(path.delimiter)) {
		if (!directory || !path.isAbsolute(directory)) {
			continue;
		}

		const candidate = path.join(directory, name);
		try {
			accessSync(candidate, constants.X_OK);
			return candidate;
		} catch {
			// Not here.
		}
	}

	return undefined;
}
