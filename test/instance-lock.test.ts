// covers: source/state/instance-lock.ts
// The instance lock that keeps two shunts off one data directory: its mode, who may release it,
// and when a lock left behind is stale.
import process from 'node:process';
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {
	existsSync, readFileSync, statSync, writeFileSync, utimesSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {describe, test} from 'node:test';
import {acquireInstanceLock, InstanceLockedError, lockFileName} from '../source/state/instance-lock.js';
import {tempDir} from './helpers/temp-dir.js';

describe('the lock file itself', () => {
	test('is created 0600 in a 0700 directory and released only by its holder', () => {
		const dir = path.join(tempDir(), 'data');
		const lock = acquireInstanceLock(dir, {host: '127.0.0.1'});
		assert.equal(statSync(dir).mode & 0o777, 0o700);
		assert.equal(statSync(lock.file).mode & 0o777, 0o600);
		assert.throws(() => acquireInstanceLock(dir, {host: '127.0.0.1'}), InstanceLockedError, 'the same process cannot take it twice');
		lock.setAddress('http://127.0.0.1:4321', 4321);
		const written = JSON.parse(readFileSync(lock.file, 'utf8')) as {pid: number; host: string; port: number; startedMs: number};
		assert.deepEqual([written.pid, written.host, written.port], [process.pid, '127.0.0.1', 4321]);
		assert.equal(statSync(lock.file).mode & 0o777, 0o600, 'the rewrite keeps 0600');

		// Someone else's lock now sits there (say, a new instance after this one was judged stale):
		// releasing must not delete it.
		const foreign = {
			pid: process.pid, hostname: os.hostname(), host: '127.0.0.1', port: 1, url: 'http://127.0.0.1:1', startedMs: Date.now() + 1,
		};
		writeFileSync(lock.file, JSON.stringify(foreign));
		lock.release();
		assert.ok(existsSync(lock.file), 'a lock that is no longer ours is left alone');
	});

	test('a lock left by a dead process is taken over; one from a live process is refused', async () => {
		const dir = tempDir();
		const file = path.join(dir, lockFileName);
		const dead = await deadPid();
		writeFileSync(file, JSON.stringify({
			pid: dead, hostname: os.hostname(), host: '127.0.0.1', port: 8082, url: 'http://127.0.0.1:8082', startedMs: Date.now() - 60_000,
		}), {mode: 0o600});
		const lock = acquireInstanceLock(dir, {host: '127.0.0.1'});
		assert.equal((JSON.parse(readFileSync(file, 'utf8')) as {pid: number}).pid, process.pid);
		lock.release();
		assert.ok(!existsSync(file));

		// pid 1 is always alive (and not ours).
		writeFileSync(file, JSON.stringify({
			pid: 1, hostname: os.hostname(), host: '127.0.0.1', port: 9, url: 'http://127.0.0.1:9', startedMs: Date.now(),
		}), {mode: 0o600});
		assert.throws(() => acquireInstanceLock(dir, {host: '127.0.0.1'}), (error: unknown) => error instanceof InstanceLockedError && error.holder?.pid === 1 && error.holder.port === 9);
	});

	test('our own pid in a lock written before this process started is a previous process (pid reuse): stale', () => {
		const dir = tempDir();
		const file = path.join(dir, lockFileName);
		const beforeUs = Date.now() - (process.uptime() * 1000) - 60_000;
		writeFileSync(file, JSON.stringify({
			pid: process.pid, hostname: os.hostname(), host: '127.0.0.1', port: 8082, url: 'http://127.0.0.1:8082', startedMs: beforeUs,
		}), {mode: 0o600});
		const lock = acquireInstanceLock(dir, {host: '127.0.0.1'});
		const taken = JSON.parse(readFileSync(file, 'utf8')) as {pid: number; port: number | null; startedMs: number};
		assert.equal(taken.pid, process.pid);
		assert.ok(taken.startedMs > beforeUs && taken.port === null, 'the previous process\'s lock was replaced by ours');
		lock.release();
		assert.ok(!existsSync(file));
	});

	test('a lock from another machine cannot be judged by its pid: refused, naming the file to delete', () => {
		const dir = tempDir();
		const file = path.join(dir, lockFileName);
		writeFileSync(file, JSON.stringify({
			pid: 999_999, hostname: 'elsewhere.example', host: '127.0.0.1', port: 8082, url: 'http://127.0.0.1:8082', startedMs: Date.now(),
		}), {mode: 0o600});
		assert.throws(() => acquireInstanceLock(dir, {host: '127.0.0.1'}), (error: unknown) => error instanceof InstanceLockedError && error.holder?.hostname === 'elsewhere.example');
	});

	test('garbage in the lock file: refused while fresh (it may be being written), taken over once old', () => {
		const dir = tempDir();
		const file = path.join(dir, lockFileName);
		writeFileSync(file, '');
		assert.throws(() => acquireInstanceLock(dir, {host: '127.0.0.1'}), InstanceLockedError);
		const old = (Date.now() / 1000) - 60;
		utimesSync(file, old, old);
		acquireInstanceLock(dir, {host: '127.0.0.1'}).release();
	});
});

/** The pid of a process that has exited (and been reaped). */
async function deadPid(): Promise<number> {
	const child = spawn(process.execPath, ['-e', ''], {stdio: 'ignore'});
	await new Promise(resolve => {
		child.once('exit', resolve);
	});
	return child.pid!;
}
