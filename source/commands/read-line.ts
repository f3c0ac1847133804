import process from 'node:process';
import {createInterface} from 'node:readline';

/**
 * Reads one line (the pasted login code). Resolves undefined when input ends first. Stops reading
 * right after, so a caller that keeps stdin open cannot hold the process.
 */
export async function readLine(input: NodeJS.ReadableStream = process.stdin): Promise<string | undefined> {
	const lines = createInterface({input, terminal: false, crlfDelay: Number.POSITIVE_INFINITY});
	return new Promise(resolve => {
		let answered = false;
		lines.once('line', line => {
			answered = true;
			lines.close();
			resolve(line);
		});
		lines.once('close', () => {
			if (!answered) {
				resolve(undefined);
			}

			input.pause();
			(input as {unref?: () => void}).unref?.();
		});
	});
}
