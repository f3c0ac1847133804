import {type Buffer} from 'node:buffer';
import {createHash, timingSafeEqual} from 'node:crypto';
import type {IncomingHttpHeaders} from 'node:http';

function digest(value: string): Buffer {
	return createHash('sha256').update(value).digest();
}

/** Whether a request presents the proxy's client key (x-api-key or Authorization: Bearer), compared in constant time. */
export function presentsClientKey(headers: IncomingHttpHeaders, key: string): boolean {
	const expected = digest(key);
	const candidates: string[] = [];
	const apiKey = headers['x-api-key'];
	if (typeof apiKey === 'string') {
		candidates.push(apiKey);
	}

	const {authorization} = headers;
	if (typeof authorization === 'string' && /^bearer /i.test(authorization)) {
		candidates.push(authorization.slice(7).trim());
	}

	return candidates.some(candidate => timingSafeEqual(digest(candidate), expected));
}
