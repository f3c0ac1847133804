// Team mode's settings, read once at start-up: where Redis is (SHUNT_REDIS_URL), who this instance
// is, and the pool's encryption key. Anything wrong is a one-line UserError before anything
// connects: team mode never starts half-configured, and never without the key (tokens would have
// to go to Redis in plain text).
import {createHash} from 'node:crypto';
import {readFileSync, statSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {UserError} from '../util/user-error.js';

/** Where Redis is, as ioredis takes it; the password never leaves this object. */
export type RedisTarget = {
	host: string;
	port: number;
	db: number;
	username?: string;
	password?: string;
	/** rediss:// */
	tls: boolean;
};

export type TeamConfig = {
	redis: RedisTarget;
	/** The URL without credentials, for messages. */
	display: string;
	/** Stable per machine and data directory: the same instance after a restart. */
	instanceId: string;
	/** Shown in the header and on other instances' log rows. */
	instanceName: string;
	/** AES-256 key shared by the pool's instances (SHUNT_TEAM_KEY or team.key). */
	key: Buffer;
};

export const keyFileName = 'team.key';
const namePattern = /^[\w.-]{1,32}$/;
const keyHelp = 'every instance of the pool needs the same 32-byte key: set SHUNT_TEAM_KEY (e.g. `openssl rand -base64 32`), or put it in';

/** Parses SHUNT_REDIS_URL: redis:// or rediss://, a host, an optional port, database and credentials. */
export function parseRedisUrl(text: string): {target: RedisTarget; display: string} {
	let url: URL;
	try {
		url = new URL(text);
	} catch {
		throw new UserError('SHUNT_REDIS_URL is not a URL: use redis://[user:password@]host[:port][/db] or rediss://… for TLS');
	}

	if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
		throw new UserError(`SHUNT_REDIS_URL must start with redis:// or rediss:// (TLS), not ${url.protocol}//`);
	}

	if (url.hostname === '') {
		throw new UserError('SHUNT_REDIS_URL has no host: use redis://host:6379');
	}

	if (url.search !== '' || url.hash !== '') {
		throw new UserError('SHUNT_REDIS_URL takes no query or fragment: use redis://[user:password@]host[:port][/db]');
	}

	const port = url.port === '' ? 6379 : Number(url.port);
	const dbText = url.pathname.replace(/^\//, '');
	if (!/^\d{0,4}$/.test(dbText)) {
		throw new UserError('SHUNT_REDIS_URL: the path is the database number (0–9999), e.g. redis://host:6379/2');
	}

	const tls = url.protocol === 'rediss:';
	const host = url.hostname.replace(/^\[|\]$/g, '');
	const target: RedisTarget = {host, port, db: dbText === '' ? 0 : Number(dbText), tls};
	try {
		if (url.username !== '') {
			target.username = decodeURIComponent(url.username);
		}

		if (url.password !== '') {
			target.password = decodeURIComponent(url.password);
		}
	} catch {
		throw new UserError('SHUNT_REDIS_URL: the user or password is not valid percent-encoding');
	}

	const shownHost = host.includes(':') ? `[${host}]` : host;
	return {target, display: `${url.protocol}//${shownHost}:${port}/${target.db}`};
}

/** 32 bytes from base64 (standard or url-safe) or hex text; undefined otherwise. */
export function decodeKey(text: string): Buffer | undefined {
	const trimmed = text.trim();
	if (/^[\da-f]{64}$/i.test(trimmed)) {
		return Buffer.from(trimmed, 'hex');
	}

	if (/^[\w+/-]{43}=?$/.test(trimmed)) {
		const bytes = Buffer.from(trimmed.replaceAll('-', '+').replaceAll('_', '/'), 'base64');
		return bytes.length === 32 ? bytes : undefined;
	}

	return undefined;
}

function readKeyFile(file: string): Buffer {
	let mode: number;
	try {
		mode = statSync(file).mode;
	} catch {
		throw new UserError(`team mode (SHUNT_REDIS_URL) needs the pool's encryption key: ${keyHelp} ${file} (mode 0600)`);
	}

	// Like ssh with a private key: a key others can read is not a key.
	if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
		throw new UserError(`${file} can be read by others (mode ${(mode & 0o777).toString(8)}): chmod 600 ${file}`);
	}

	const key = decodeKey(readFileSync(file, 'utf8'));
	if (!key) {
		throw new UserError(`${file} must hold 32 bytes in base64 or hex (e.g. \`openssl rand -base64 32\`)`);
	}

	return key;
}

function defaultName(): string {
	const name = os.hostname().replaceAll(/[^\w.-]/g, '-').slice(0, 32);
	return name === '' ? 'shunt' : name;
}

/**
 * Team mode's configuration from the environment and the config directory. Throws a UserError
 * for a bad URL, a bad instance name, or a missing, malformed or exposed key.
 */
export function teamConfig(env: Readonly<Record<string, string | undefined>>, dirs: {configDir: string; dataDir: string}): TeamConfig {
	const {target, display} = parseRedisUrl(env['SHUNT_REDIS_URL'] ?? '');
	const chosen = env['SHUNT_INSTANCE_NAME']?.trim();
	if (chosen && !namePattern.test(chosen)) {
		throw new UserError('SHUNT_INSTANCE_NAME: use 1–32 letters, digits, ".", "_" or "-"');
	}

	const keyText = env['SHUNT_TEAM_KEY'];
	let key: Buffer;
	if (keyText !== undefined && keyText !== '') {
		const decoded = decodeKey(keyText);
		if (!decoded) {
			throw new UserError('SHUNT_TEAM_KEY must be 32 bytes in base64 or hex (e.g. `openssl rand -base64 32`)');
		}

		key = decoded;
	} else {
		key = readKeyFile(path.join(dirs.configDir, keyFileName));
	}

	const instanceId = createHash('sha256').update(`${os.hostname()}\0${path.resolve(dirs.dataDir)}`).digest('hex').slice(0, 12);
	return {redis: target, display, instanceId, instanceName: chosen || defaultName(), key};
}
