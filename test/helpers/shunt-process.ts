import process from 'node:process';
import {spawn, type ChildProcess} from 'node:child_process';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

export const cliPath = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

const running = new Set<ChildProcess>();
// A test that fails midway must not leave a shunt running behind it.
process.once('exit', () => {
	for (const child of running) {
		child.kill('SIGKILL');
	}
});

export type ShuntProcess = {
	child: ChildProcess;
	url: string;
	stderr: () => string;
	/** Resolves with the exit code. */
	exited: Promise<number | null>;
	stop(signal?: NodeJS.Signals): Promise<number | null>;
};

export type Completed = {code: number | null; stdout: string; stderr: string};

/**
 * Runs a built script to completion with this node, collecting its output. A run still going after
 * timeoutMs is killed, so a hung child fails its test instead of holding the suite.
 */
export async function runScript(script: string, args: string[], env: NodeJS.ProcessEnv = {}, input?: string, timeoutMs = 90_000): Promise<Completed> {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, [script, ...args], {env: {...process.env, ...env}, stdio: ['pipe', 'pipe', 'pipe']});
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', chunk => {
			stdout += String(chunk);
		});
		child.stderr.on('data', chunk => {
			stderr += String(chunk);
		});
		const timer = setTimeout(() => {
			child.kill('SIGTERM');
		}, timeoutMs);
		child.on('error', reject);
		child.on('close', code => {
			clearTimeout(timer);
			resolve({code, stdout, stderr});
		});
		child.stdin.end(input ?? '');
	});
}

/** Runs the built CLI to completion (commands like add-account, status). */
export async function runCli(args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<Completed> {
	return runScript(cliPath, args, env, input);
}

/** Starts `shunt --headless` from dist/ (on any free port unless args name one) and waits until it says where it listens. */
export async function startShunt(args: string[], env: NodeJS.ProcessEnv): Promise<ShuntProcess> {
	const child = spawn(process.execPath, [cliPath, '--headless', ...(args.includes('--port') ? [] : ['--port', '0']), ...args], {
		env: {...process.env, ...env},
		stdio: ['ignore', 'pipe', 'pipe'],
		cwd: path.dirname(cliPath),
	});
	let stderr = '';
	child.stdout.resume();
	const exited = new Promise<number | null>(resolve => {
		child.on('exit', code => {
			resolve(code);
		});
	});
	running.add(child);
	child.once('exit', () => {
		running.delete(child);
	});
	const url = await new Promise<string>((resolve, reject) => {
		child.stderr.on('data', chunk => {
			stderr += String(chunk);
			const match = /listening on (http:\/\/\S+)/.exec(stderr);
			if (match) {
				resolve(match[1]!);
			}
		});
		void exited.then(code => {
			reject(new Error(`shunt exited with ${code} before listening:\n${stderr}`));
		});
	});
	return {
		child,
		url,
		stderr: () => stderr,
		exited,
		async stop(signal = 'SIGTERM') {
			child.kill(signal);
			return exited;
		},
	};
}
