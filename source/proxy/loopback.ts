import {isIP} from 'node:net';

/** True for 127.0.0.0/8, ::1 and IPv4-mapped loopback, and for the name localhost. */
export function isLoopbackAddress(address: string | undefined): boolean {
	if (!address) {
		return false;
	}

	const bare = address.replaceAll(/^\[|\]$/g, '');
	if (bare === 'localhost' || bare === '::1') {
		return true;
	}

	const v4 = bare.startsWith('::ffff:') ? bare.slice(7) : bare;
	return isIP(v4) === 4 && v4.startsWith('127.');
}
