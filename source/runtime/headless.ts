// Headless mode: the proxy on this thread, one log line per request and event on stderr.
import process from 'node:process';
import {version} from '../version.js';
import {attachHeadlessLog, eventLine} from './headless-log.js';
import {startRuntime, type Runtime, type StartOptions} from './runtime.js';

/** Headless: the proxy on this thread, one log line per request and event on stderr, until a signal. */
export async function runHeadless(runtime: Runtime, options: StartOptions): Promise<number> {
	const log = (line: string) => {
		process.stderr.write(`${line}\n`);
	};

	const running = await startRuntime(runtime, {...options, headless: true});
	const {store} = running;
	// What happened while starting (warnings about files); events from before a restart were logged then.
	for (const event of store.freshSnapshot().events.toReversed().filter(event => event.tsMs >= store.startedMs)) {
		log(eventLine(event));
	}

	log(`shunt ${version} listening on ${running.url} (${runtime.accounts.length} account${runtime.accounts.length === 1 ? '' : 's'}, strategy ${store.effectiveStrategy()})`);
	log(`point clients at it: export ANTHROPIC_BASE_URL=${running.url}`);
	const detachLog = attachHeadlessLog(store, log);
	return new Promise<number>(resolve => {
		const stop = async () => {
			const farewell = await running.stop();
			detachLog();
			log(farewell.line);
			resolve(farewell.saved ? 0 : 1);
		};

		// SIGHUP too: closing the terminal or the tmux pane must save state like a quit does.
		for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
			process.once(signal, () => {
				void stop();
			});
		}
	});
}
