/** Reads all of standard input (for `--api-key -`, so a key never lands in shell history). */
import {Buffer} from 'node:buffer';
import process from 'node:process';

export async function readStdin(): Promise<string> {
	const chunks: Buffer[] = [];
	for await (const chunk of process.stdin) {
		chunks.push(chunk as Buffer);
	}

	return Buffer.concat(chunks).toString('utf8');
}
