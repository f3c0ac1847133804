// A real redis-server for team-mode tests: on a free loopback port, in a temp directory, without
// persistence unless asked, optionally with a password or TLS. It can be killed (SIGKILL, as a
// crash) and started again on the same port and directory. .ci/run installs redis-server when the
// machine lacks it; a missing binary fails the test loudly, it never skips.
import {spawn, type ChildProcess} from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import {tempDir} from './temp-dir.js';

const running = new Set<ChildProcess>();
process.once('exit', () => {
	for (const child of running) {
		child.kill('SIGKILL');
	}
});

export type RedisServerOptions = {
	/** Append-only file with fsync on every write: a restart keeps everything. */
	persistence?: boolean;
	password?: string;
	/** Serve TLS only, with this certificate and key (PEM files). */
	tls?: {certFile: string; keyFile: string};
};

export type RedisServer = {
	port: number;
	/** redis:// (or rediss://) with the password, when there is one. */
	url: string;
	dir: string;
	/** Kills it as a crash would (SIGKILL), and waits until it is gone. */
	kill(): Promise<void>;
	/** Starts it again on the same port and directory. */
	restart(): Promise<void>;
	stop(): Promise<void>;
};

async function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const {port} = server.address() as net.AddressInfo;
			server.close(() => resolve(port));
		});
	});
}

function launch(args: string[], dir: string): Promise<ChildProcess> {
	return new Promise((resolve, reject) => {
		const child = spawn('redis-server', args, {cwd: dir, stdio: ['ignore', 'pipe', 'pipe']});
		running.add(child);
		let output = '';
		const timer = setTimeout(() => {
			child.kill('SIGKILL');
			reject(new Error(`redis-server was not ready within 10 s:\n${output}`));
		}, 10_000);
		const onData = (chunk: Buffer) => {
			output += chunk.toString();
			if (output.includes('Ready to accept connections')) {
				clearTimeout(timer);
				child.stdout!.off('data', onData);
				child.stdout!.resume();
				resolve(child);
			}
		};

		child.stdout!.on('data', onData);
		child.stderr!.on('data', (chunk: Buffer) => {
			output += chunk.toString();
		});
		child.once('error', error => {
			clearTimeout(timer);
			reject(new Error(`cannot start redis-server (${error.message}); install it (apt-get install redis-server): the team-mode tests need a real one`));
		});
		child.once('exit', code => {
			running.delete(child);
			clearTimeout(timer);
			reject(new Error(`redis-server exited (${code}) before it was ready:\n${output}`));
		});
	});
}

async function ended(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
	if (child.exitCode !== null || child.signalCode !== null) {
		return;
	}

	const exited = new Promise<void>(resolve => {
		child.once('exit', () => resolve());
	});
	child.kill(signal);
	await exited;
}

export async function startRedis(options: RedisServerOptions = {}): Promise<RedisServer> {
	const port = await freePort();
	const dir = tempDir('shunt-redis-');
	const args = ['--bind', '127.0.0.1', '--dir', dir, '--save', '', '--daemonize', 'no', '--logfile', ''];
	args.push(...(options.persistence ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']));
	if (options.password) {
		args.push('--requirepass', options.password);
	}

	if (options.tls) {
		args.push('--port', '0', '--tls-port', String(port), '--tls-cert-file', path.resolve(options.tls.certFile), '--tls-key-file', path.resolve(options.tls.keyFile), '--tls-auth-clients', 'no');
	} else {
		args.push('--port', String(port));
	}

	let child = await launch(args, dir);
	const scheme = options.tls ? 'rediss' : 'redis';
	const auth = options.password ? `:${encodeURIComponent(options.password)}@` : '';
	return {
		port,
		url: `${scheme}://${auth}127.0.0.1:${port}`,
		dir,
		async kill() {
			await ended(child, 'SIGKILL');
		},
		async restart() {
			await ended(child, 'SIGKILL');
			child = await launch(args, dir);
		},
		async stop() {
			await ended(child, 'SIGKILL');
		},
	};
}
