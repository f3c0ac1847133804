// Identifiers shaped like Anthropic's, so clients that pattern-match them are exercised.
import {createHash, randomBytes} from 'node:crypto';

const base58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

function base58Id(length: number): string {
	let out = '';
	for (const byte of randomBytes(length)) {
		out += base58.charAt(byte % base58.length);
	}

	return out;
}

export const requestId = (): string => `req_011C${base58Id(20)}`;

export const messageId = (): string => `msg_01${base58Id(22)}`;

export const toolUseId = (): string => `toolu_01${base58Id(22)}`;

export const sha256Hex = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

/** A stable UUID-shaped id derived from a seed: the same account always reports the same org. */
export function uuidFrom(seed: string): string {
	const digest = sha256Hex(seed);
	return `${digest.slice(0, 8)}-${digest.slice(8, 12)}-4${digest.slice(13, 16)}-8${digest.slice(17, 20)}-${digest.slice(20, 32)}`;
}

/** A short, non-reversible stand-in for a credential in anything that may be printed. */
export const fingerprint = (credential: string): string => sha256Hex(credential).slice(0, 12);
