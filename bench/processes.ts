// The benchmark's child processes: the simulator, shunt (headless, or rendering its monitor under a
// pseudo-terminal) and the pipe proxy. Each runs in its own process so the load generator never
// shares an event loop with what it measures. Every child is registered and killed when the
// benchmark exits, however it exits.
//
// The benchmark runs from source with tsx, but what it measures is the built shunt (dist/cli.js),
// exactly what users run. The simulator process runs from source under tsx too. The pipe proxy
// does not: tsx's loader stays resident (a hooks thread, about 30 MB of RSS), and the pipe proxy
// is the floor that shunt's RSS is compared with, so it runs on plain node from a copy with its
// types stripped (see pipeProxyScript).
import {type Buffer} from 'node:buffer';
import {spawn, execFile, type ChildProcess} from 'node:child_process';
import {
	cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync,
} from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import {tmpdir} from 'node:os';
import path from 'node:path';
import process from 'node:process';
import {fileURLToPath} from 'node:url';
import {promisify} from 'node:util';

const benchDir = fileURLToPath(new URL('.', import.meta.url));
export const repoRoot = path.resolve(benchDir, '..');
export const cliPath = path.join(repoRoot, 'dist', 'cli.js');
const simulatorPath = path.join(benchDir, 'simulator-process.ts');
const pipeProxySource = path.join(benchDir, 'pipe-proxy.ts');
// Resolved here, not by the child: `--import=tsx` alone would be looked up from the child's cwd.
const tsxLoader = import.meta.resolve('tsx');

// eslint-disable-next-line @typescript-eslint/strict-void-return -- execFile returns its ChildProcess; promisify uses execFile's own promisified form
const runFile = promisify(execFile);

/** A clear error, before anything starts, when the shunt to be measured has not been built. */
export function assertBuilt(cli = cliPath): void {
	if (!existsSync(cli)) {
		throw new Error(`${path.relative(process.cwd(), cli) || cli} does not exist: build shunt first (npx tsc), or use npm run bench, which does`);
	}
}

// ---------------------------------------------------------------- cleanup

const liveChildren = new Set<ChildProcess>();
/** Processes that are not our direct children (shunt under `script`), killed by pid. */
const livePids = new Set<number>();
const temporaryDirs = new Set<string>();

function killEverything(): void {
	for (const pid of livePids) {
		try {
			process.kill(pid, 'SIGKILL');
		} catch {}
	}

	for (const child of liveChildren) {
		child.kill('SIGKILL');
	}

	for (const dir of temporaryDirs) {
		rmSync(dir, {recursive: true, force: true});
	}

	livePids.clear();
	liveChildren.clear();
	temporaryDirs.clear();
}

/** Kills every child on exit, Ctrl-C, SIGTERM and crashes. Call once, first thing. */
export function installCleanup(): void {
	process.once('exit', killEverything);
	for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
		process.once(signal, () => {
			process.stderr.write(`\nbench: ${signal}, stopping children\n`);
			killEverything();
			process.exit(130);
		});
	}
}

export function makeTempDir(prefix: string): string {
	const dir = mkdtempSync(path.join(tmpdir(), prefix));
	temporaryDirs.add(dir);
	return dir;
}

// ---------------------------------------------------------------- plumbing

type Spawned = {
	child: ChildProcess;
	/** Recent output, for the error message when a child dies early. */
	tail: () => string;
};

/** Spawns, registers, and drains both pipes forever (a full pipe would stall the child). */
function spawnTracked(command: string, args: string[], env: NodeJS.ProcessEnv): Spawned {
	const child = spawn(command, args, {env: {...process.env, ...env}, stdio: ['ignore', 'pipe', 'pipe']});
	liveChildren.add(child);
	child.once('exit', () => {
		liveChildren.delete(child);
	});
	let tail = '';
	const keep = (chunk: Buffer) => {
		tail = (tail + chunk.toString('utf8')).slice(-4000);
	};

	child.stdout.on('data', keep);
	child.stderr.on('data', keep);
	return {child, tail: () => tail};
}

/** Resolves with the first match of `pattern` in the stream's text; rejects if the child exits first. */
async function waitForOutput(spawned: Spawned, stream: 'stdout' | 'stderr', pattern: RegExp, what: string, timeoutMs = 15_000): Promise<RegExpExecArray> {
	return new Promise((resolve, reject) => {
		let text = '';
		const source = spawned.child[stream]!;
		const onData = (chunk: Buffer) => {
			text += chunk.toString('utf8');
			const match = pattern.exec(text);
			if (match) {
				done();
				resolve(match);
			}
		};

		const onExit = (code: number | null) => {
			done();
			reject(new Error(`${what} exited (${code}) before it was ready:\n${spawned.tail()}`));
		};

		const timer = setTimeout(() => {
			done();
			reject(new Error(`${what} was not ready within ${timeoutMs} ms:\n${spawned.tail()}`));
		}, timeoutMs);
		const done = () => {
			clearTimeout(timer);
			source.off('data', onData);
			spawned.child.off('exit', onExit);
		};

		source.on('data', onData);
		spawned.child.once('exit', onExit);
	});
}

/** SIGTERM, then SIGKILL if it has not gone within graceMs (a --cpu-prof child needs the clean exit). */
async function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
	if (child.exitCode !== null || child.signalCode !== null) {
		return;
	}

	const exited = new Promise<void>(resolve => {
		child.once('exit', () => {
			resolve();
		});
	});
	child.kill('SIGTERM');
	const timer = setTimeout(() => {
		child.kill('SIGKILL');
	}, graceMs);
	await exited;
	clearTimeout(timer);
}

/** A port that was free a moment ago (the monitor does not print its URL, so we choose it). */
export async function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const {port} = server.address() as net.AddressInfo;
			server.close(() => {
				resolve(port);
			});
		});
	});
}

async function getStatus(url: string): Promise<number> {
	return new Promise(resolve => {
		const request = http.get(url, {agent: false}, response => {
			response.resume();
			response.once('end', () => {
				resolve(response.statusCode ?? 0);
			});
		});
		request.once('error', () => {
			resolve(0);
		});
		request.setTimeout(1000, () => {
			request.destroy();
		});
	});
}

async function sleep(ms: number): Promise<void> {
	await new Promise(resolve => {
		setTimeout(resolve, ms);
	});
}

function readStatusMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
	const status = readFileSync(`/proc/${pid}/status`, 'utf8');
	const match = new RegExp(String.raw`^${field}:\s+(\d+)\s+kB$`, 'm').exec(status);
	if (!match) {
		throw new Error(`no ${field} in /proc/${pid}/status`);
	}

	return Number(match[1]) / 1024;
}

/** VmRSS of a live process, in MB (Linux /proc). */
export function readRssMb(pid: number): number {
	return readStatusMb(pid, 'VmRSS');
}

/** VmHWM: the highest RSS the process has had. Unlike RSS it does not drop when V8 shrinks its heap. */
export function readPeakRssMb(pid: number): number {
	return readStatusMb(pid, 'VmHWM');
}

/**
 * CPU time (user + system) a live process has used so far, in ms, from /proc/<pid>/stat. Its
 * resolution is the kernel tick (10 ms at the usual 100 Hz): good enough over runs of seconds.
 */
export function readCpuMs(pid: number): number {
	const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
	// Fields after the parenthesised command name, which may itself hold spaces.
	const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	const ticks = Number(fields[11]) + Number(fields[12]);
	return ticks * (1000 / clockTicksPerSecond);
}

// getconf CLK_TCK is 100 on every mainstream Linux build; USER_HZ is fixed ABI.
const clockTicksPerSecond = 100;

// ---------------------------------------------------------------- simulator

export type SimulatorProcess = {url: string; credentials: string[]; pid: number; stop(): Promise<void>};

export type SimulatorOptions = {
	accounts: number;
	chunkDelayMs: number;
	stampEvents: boolean;
	/** Per-key request bucket; the benchmark sets it far above what it sends (default 4000/min). */
	rpm: number;
};

export async function startSimulator(options: SimulatorOptions): Promise<SimulatorProcess> {
	// Token buckets too: tens of thousands of requests must never meet a 429.
	const bigBucket = String(1_000_000_000);
	const args = [simulatorPath, '--port', '0', '--accounts', String(options.accounts), '--chunk-delay-ms', String(options.chunkDelayMs), '--rpm', String(options.rpm), '--itpm', bigBucket, '--otpm', bigBucket];
	if (options.stampEvents) {
		args.push('--stamp-events');
	}

	const spawned = spawnTracked(process.execPath, [`--import=${tsxLoader}`, ...args], {});
	const match = await waitForOutput(spawned, 'stdout', /^(\{.*\})\n/m, 'simulator');
	const ready = JSON.parse(match[1]!) as {url: string; credentials: string[]};
	return {...ready, pid: spawned.child.pid!, stop: async () => stopChild(spawned.child)};
}

// ---------------------------------------------------------------- redis

export type RedisProcess = {url: string; pid: number; stop(): Promise<void>};

/**
 * A redis-server of our own for team mode: a free loopback port, a temp directory, no
 * persistence. A machine without redis-server gets a clear error (CI installs it).
 */
export async function startRedisServer(): Promise<RedisProcess> {
	const port = await freePort();
	const dir = makeTempDir('shunt-bench-redis-');
	const spawned = spawnTracked('redis-server', ['--bind', '127.0.0.1', '--port', String(port), '--dir', dir, '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--logfile', ''], {});
	const missing = new Promise<never>((_, reject) => {
		spawned.child.once('error', error => {
			reject(new Error(`cannot start redis-server (${error.message}): team mode's section needs it (apt-get install redis-server)`));
		});
	});
	await Promise.race([waitForOutput(spawned, 'stdout', /Ready to accept connections/, 'redis-server'), missing]);
	return {url: `redis://127.0.0.1:${port}`, pid: spawned.child.pid!, stop: async () => stopChild(spawned.child)};
}

// ---------------------------------------------------------------- shunt

/**
 * A throwaway SHUNT_HOME with one API-key account per credential, made through the real CLI.
 * Later shunts copy it (cloneHome) rather than paying three CLI starts again.
 */
export async function makeShuntHome(credentials: string[]): Promise<string> {
	const home = makeTempDir('shunt-bench-home-');
	for (const [index, credential] of credentials.entries()) {
		// Sequential: each add-account rewrites config.json.
		// eslint-disable-next-line no-await-in-loop
		await runFile(process.execPath, [cliPath, 'add-account', `sim${index + 1}`, '--api-key', credential], {env: {...process.env, SHUNT_HOME: home}});
	}

	return home;
}

/** Each shunt gets its own home so their state.json writes never meet. */
export function cloneHome(home: string): string {
	const copy = makeTempDir('shunt-bench-home-');
	cpSync(home, copy, {recursive: true});
	return copy;
}

/** A copy of a bench home whose config.json has these settings changed (copy it before a shunt runs there: a running shunt's home holds its lock). */
export function cloneHomeWith(home: string, settings: Record<string, unknown>): string {
	const copy = cloneHome(home);
	const file = path.join(copy, 'config.json');
	const config = JSON.parse(readFileSync(file, 'utf8')) as {settings?: Record<string, unknown>};
	writeFileSync(file, JSON.stringify({...config, settings: {...config.settings, ...settings}}), {mode: 0o600});
	return copy;
}

export type ShuntProcess = {
	url: string;
	/** The node process that runs shunt (under a pty: not our direct child). */
	pid: number;
	/** Bytes the monitor has written to its terminal so far (0 when headless). */
	terminalBytes(): number;
	stop(): Promise<void>;
};

export type ShuntOptions = {
	home: string;
	upstream: string;
	/** Extra node flags for the shunt process, e.g. ['--cpu-prof', '--cpu-prof-dir', dir]. */
	nodeArgs?: string[];
	/** Another build's cli.js, to compare a candidate change against this one (default: ours). */
	cli?: string;
	/** More environment for shunt (team mode's SHUNT_REDIS_URL, say). */
	env?: Record<string, string>;
};

export async function startShuntHeadless(options: ShuntOptions): Promise<ShuntProcess> {
	const args = [...(options.nodeArgs ?? []), options.cli ?? cliPath, '--headless', '--port', '0', '--upstream', options.upstream];
	const spawned = spawnTracked(process.execPath, args, {...options.env, SHUNT_HOME: options.home});
	const match = await waitForOutput(spawned, 'stderr', /listening on (http:\/\/\S+)/, 'shunt --headless');
	return {
		url: match[1]!,
		pid: spawned.child.pid!,
		terminalBytes: () => 0,
		stop: async () => stopChild(spawned.child, 15_000),
	};
}

const shellQuote = (value: string): string => `'${value.replaceAll('\'', String.raw`'\''`)}'`;

/** Terminal escape sequences out, so the screen's words can be looked for. */
// eslint-disable-next-line no-control-regex -- terminal escapes are what it strips
const stripAnsi = (text: string): string => text.replaceAll(/\u001B\[[\d;?]*[ -/]*[@-~]|\u001B[()][\dA-Z]|\u001B[=>78]/g, '');

/** A node process under `script`: a pseudo-terminal as its stdin, stdout and stderr. */
type PtyProcess = {
	/** The node process (not our direct child: script's). */
	pid: number;
	bytes(): number;
	/** The last 16 000 characters drawn, escape sequences removed. */
	screen(): string;
	exited(): boolean;
	stop(): Promise<void>;
};

/**
 * Runs node with `args` under `script`, so it draws on a pty exactly as in a real terminal.
 * Everything it draws comes back through script's stdout, which we read and discard (a terminal
 * that stopped reading would block the screen, and that is not what we measure).
 */
async function spawnUnderPty(args: string[], home: string, pidName: string): Promise<PtyProcess> {
	const pidFile = path.join(home, pidName);
	// A pty created without a terminal on our side has 0×0 cells, and the monitor would only show
	// its "too small" notice: give it a real size first. exec keeps the shell's pid for node.
	const node = [process.execPath, ...args].map(value => shellQuote(value)).join(' ');
	const command = `stty cols 120 rows 40; echo $$ > ${shellQuote(pidFile)}; exec ${node}`;
	const child = spawn('script', ['-qfec', command, '/dev/null'], {
		env: {
			...process.env, SHUNT_HOME: home, TERM: 'xterm-256color', COLUMNS: '120', LINES: '40',
		},
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	liveChildren.add(child);
	child.once('exit', () => {
		liveChildren.delete(child);
	});
	let bytes = 0;
	let screen = '';
	child.stdout.on('data', (chunk: Buffer) => {
		bytes += chunk.length;
		screen = (screen + chunk.toString('utf8')).slice(-16_000);
	});
	child.stderr.resume();

	const deadline = Date.now() + 15_000;
	let pid = 0;
	while (pid === 0) {
		try {
			pid = Number(readFileSync(pidFile, 'utf8').trim()) || 0;
		} catch {}

		if (pid === 0 && (child.exitCode !== null || Date.now() > deadline)) {
			throw new Error(`${args.join(' ')} under a pty did not start:\n${stripAnsi(screen)}`);
		}

		// eslint-disable-next-line no-await-in-loop
		await sleep(20);
	}

	livePids.add(pid);
	return {
		pid,
		bytes: () => bytes,
		screen: () => stripAnsi(screen),
		exited: () => child.exitCode !== null,
		async stop() {
			const exited = child.exitCode === null
				? new Promise<void>(resolve => {
					child.once('exit', () => {
						resolve();
					});
				})
				: Promise.resolve();
			try {
				process.kill(pid, 'SIGTERM');
			} catch {}

			const timer = setTimeout(() => {
				try {
					process.kill(pid, 'SIGKILL');
				} catch {}

				child.kill('SIGKILL');
			}, 15_000);
			await exited;
			clearTimeout(timer);
			livePids.delete(pid);
		},
	};
}

/** Waits until the monitor, not a notice or the headless log, is on that terminal: its header and the accounts. */
async function waitForMonitor(pty: PtyProcess, what: string, ready: (screen: string) => boolean): Promise<void> {
	const deadline = Date.now() + 15_000;
	while (!ready(pty.screen())) {
		if (pty.exited() || pty.screen().includes('listening on http') || Date.now() > deadline) {
			throw new Error(`${what} did not render its monitor:\n${pty.screen()}`);
		}

		// eslint-disable-next-line no-await-in-loop
		await sleep(50);
	}
}

/**
 * shunt without --headless under a pty: its stdout is a terminal, so it renders its live monitor
 * in the same process as the proxy (on its own thread).
 */
export async function startShuntPty(options: ShuntOptions): Promise<ShuntProcess> {
	const port = await freePort();
	const pty = await spawnUnderPty([...(options.nodeArgs ?? []), options.cli ?? cliPath, '--port', String(port), '--upstream', options.upstream], options.home, 'shunt.pid');
	const url = `http://127.0.0.1:${port}`;
	const deadline = Date.now() + 15_000;
	// eslint-disable-next-line no-await-in-loop -- polls until it answers
	while (await getStatus(`${url}/_shunt/status`) !== 200) {
		if (pty.exited() || Date.now() > deadline) {
			throw new Error(`shunt under a pty did not come up on ${url}:\n${pty.screen()}`);
		}

		// eslint-disable-next-line no-await-in-loop
		await sleep(50);
	}

	await waitForMonitor(pty, 'shunt under a pty', screen => /shunt v\S+/.test(screen) && screen.includes('accounts'));
	return {
		url, pid: pty.pid, terminalBytes: pty.bytes, stop: pty.stop,
	};
}

export type AttachedShuntProcess = ShuntProcess & {
	/** The `shunt monitor` process, whose own CPU time is not the proxy's. */
	monitorPid: number;
};

/**
 * shunt --headless (what a service runs) with `shunt monitor` attached to it from a pty: the proxy
 * pushes its snapshots over GET /_shunt/stream and the monitor process draws them. pid is the
 * proxy's: what the monitor costs the proxy is measured there.
 */
export async function startShuntAttached(options: ShuntOptions): Promise<AttachedShuntProcess> {
	const shunt = await startShuntHeadless(options);
	const {port} = new URL(shunt.url);
	let monitor: PtyProcess | undefined;
	try {
		monitor = await spawnUnderPty([options.cli ?? cliPath, 'monitor', '--port', port], options.home, 'monitor.pid');
		// The instance's own accounts on screen: the stream is connected and its snapshot drawn
		// (while nothing answers the monitor shows only a notice).
		await waitForMonitor(monitor, 'shunt monitor', screen => /shunt v\S+/.test(screen) && /\bsim1\b/.test(screen));
	} catch (error) {
		await Promise.all([monitor?.stop(), shunt.stop()]);
		throw error;
	}

	const attached = monitor;
	return {
		url: shunt.url,
		pid: shunt.pid,
		monitorPid: attached.pid,
		terminalBytes: attached.bytes,
		async stop() {
			await attached.stop();
			await shunt.stop();
		},
	};
}

// ---------------------------------------------------------------- pipe proxy

export type PipeProxyProcess = {url: string; pid: number; stop(): Promise<void>};

let pipeProxyScriptPath: string | undefined;

/**
 * bench/pipe-proxy.ts as plain JavaScript in a temp dir, made once per benchmark process with
 * TypeScript's own single-file transpiler. It imports only node: builtins, so one file is all of
 * it; a relative import would not resolve from the temp dir, and is refused here.
 */
async function pipeProxyScript(): Promise<string> {
	if (pipeProxyScriptPath) {
		return pipeProxyScriptPath;
	}

	const {default: ts} = await import('typescript');
	const {outputText} = ts.transpileModule(readFileSync(pipeProxySource, 'utf8'), {
		fileName: pipeProxySource,
		compilerOptions: {module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022, sourceMap: false},
	});
	if (/\bfrom\s*['"]\.|\bimport\s*\(?\s*['"]\./.test(outputText)) {
		throw new Error(`${pipeProxySource} must import only node: builtins (it runs from a temp dir)`);
	}

	const script = path.join(makeTempDir('shunt-bench-pipe-'), 'pipe-proxy.mjs');
	writeFileSync(script, outputText);
	pipeProxyScriptPath = script;
	return script;
}

export async function startPipeProxyProcess(upstream: string, nodeArgs: string[] = []): Promise<PipeProxyProcess> {
	const spawned = spawnTracked(process.execPath, [...nodeArgs, await pipeProxyScript(), '--upstream', upstream], {});
	const match = await waitForOutput(spawned, 'stdout', /^(\{.*\})\n/m, 'pipe proxy');
	const {url} = JSON.parse(match[1]!) as {url: string};
	return {url, pid: spawned.child.pid!, stop: async () => stopChild(spawned.child)};
}
