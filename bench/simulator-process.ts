// Runs our simulator (source/simulator/) as its own process, so the benchmark's load generator
// never shares an event loop with it. The benchmark spawns it; by hand:
//   node --import=tsx bench/simulator-process.ts --port 0 --accounts 3 [--chunk-delay-ms N] [--stamp-events]
// Prints one JSON line {"url", "credentials"} on stdout, then serves until SIGTERM or SIGINT.
import process from 'node:process';
import {parseArgs} from 'node:util';
import {Simulator} from '../source/simulator/index.js';

function fail(message: string): never {
	process.stderr.write(`simulator: ${message}\n`);
	process.exit(2);
}

function count(name: string, value: string | undefined, fallback?: number): number | undefined {
	if (value === undefined) {
		return fallback;
	}

	const parsed = Number(value);
	if (!Number.isInteger(parsed) || parsed < 0) {
		fail(`--${name} needs a whole number >= 0, got "${value}"`);
	}

	return parsed;
}

let parsed;
try {
	parsed = parseArgs({
		options: {
			port: {type: 'string'},
			host: {type: 'string'},
			accounts: {type: 'string'},
			'chunk-delay-ms': {type: 'string'},
			'stamp-events': {type: 'boolean'},
			'reply-text': {type: 'string'},
			rpm: {type: 'string'},
			itpm: {type: 'string'},
			otpm: {type: 'string'},
		},
	});
} catch (error) {
	fail((error as Error).message);
}

const options = parsed.values;
const simulator = new Simulator({
	chunkDelayMs: count('chunk-delay-ms', options['chunk-delay-ms']),
	stampEvents: options['stamp-events'] ?? false,
	replyText: options['reply-text'],
});
const credentials: string[] = [];
for (let index = 1; index <= (count('accounts', options.accounts, 1) ?? 1); index++) {
	const credential = `sim-key-${index}`;
	credentials.push(credential);
	simulator.addAccount({
		kind: 'apikey',
		credential,
		name: credential,
		rpm: count('rpm', options.rpm),
		itpm: count('itpm', options.itpm),
		otpm: count('otpm', options.otpm),
	});
}

const url = await simulator.listen(count('port', options.port, 0), options.host ?? '127.0.0.1');
process.stdout.write(`${JSON.stringify({url, credentials})}\n`);

let stopping = false;
async function stop(): Promise<void> {
	if (stopping) {
		return;
	}

	stopping = true;
	await simulator.close();
	process.exit(0);
}

process.once('SIGTERM', () => {
	void stop();
});
process.once('SIGINT', () => {
	void stop();
});
