// OAuth pairs as they travel through Redis: sealed with AES-256-GCM under a key only the pool's
// instances hold (team-config.ts), bound to the account they belong to, so Redis (and anyone who
// can read it) sees only ciphertext, and a pair can be neither read, altered nor moved to another
// account. The expiry stays in the clear: instances compare pairs by it without opening them.
import {createCipheriv, createDecipheriv, hkdfSync, randomBytes} from 'node:crypto';
import type {TokenPair} from '../accounts/oauth/stored-pairs.js';
import {isRecord} from '../util/json.js';

export type SealedPair = {v: 1; iv: string; tag: string; data: string; expiresAt: number};

const maxTokenLength = 4096;

/** The token key, derived from the pool key, so the pool key could serve other purposes too. */
export function tokenKey(poolKey: Buffer): Buffer {
	return Buffer.from(hkdfSync('sha256', poolKey, Buffer.alloc(0), 'shunt team tokens v1', 32));
}

const aad = (account: string) => Buffer.from(`shunt-team-token:v1:${account}`);

export function seal(key: Buffer, account: string, pair: TokenPair): SealedPair {
	const iv = randomBytes(12);
	const cipher = createCipheriv('aes-256-gcm', key, iv, {authTagLength: 16});
	cipher.setAAD(aad(account));
	const plain = Buffer.from(JSON.stringify({accessToken: pair.accessToken, refreshToken: pair.refreshToken, expiresAt: pair.expiresAt}));
	const data = Buffer.concat([cipher.update(plain), cipher.final()]);
	return {v: 1, iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64'), expiresAt: pair.expiresAt};
}

/** A sealed pair as it came from Redis: its shape checked, nothing opened yet. */
export function asSealed(value: unknown): SealedPair | undefined {
	if (!isRecord(value) || value['v'] !== 1) {
		return undefined;
	}

	const {iv, tag, data, expiresAt} = value;
	const base64 = (text: unknown, max: number): text is string => typeof text === 'string' && text.length <= max && /^[A-Za-z\d+/]*={0,2}$/.test(text);
	if (!base64(iv, 24) || !base64(tag, 32) || !base64(data, 3 * maxTokenLength) || typeof expiresAt !== 'number' || !Number.isFinite(expiresAt)) {
		return undefined;
	}

	return {v: 1, iv, tag, data, expiresAt};
}

/**
 * The pair inside, or undefined when it does not open (another key, another account, altered) or
 * holds anything but a pair.
 */
export function open(key: Buffer, account: string, sealed: SealedPair): TokenPair | undefined {
	let plain: Buffer;
	try {
		// A fixed tag length: a shortened tag would be easier to forge.
		const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'), {authTagLength: 16});
		decipher.setAAD(aad(account));
		decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
		plain = Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]);
	} catch {
		return undefined;
	}

	let parsed: unknown;
	try {
		parsed = JSON.parse(plain.toString('utf8'));
	} catch {
		return undefined;
	}

	if (!isRecord(parsed)) {
		return undefined;
	}

	const {accessToken, refreshToken, expiresAt} = parsed;
	const token = (text: unknown): text is string => typeof text === 'string' && text.length > 0 && text.length <= maxTokenLength;
	// The clear expiry must be the sealed one: it decides which pair is newer.
	if (!token(accessToken) || !token(refreshToken) || expiresAt !== sealed.expiresAt) {
		return undefined;
	}

	return {accessToken, refreshToken, expiresAt: sealed.expiresAt};
}
