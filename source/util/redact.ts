/** A secret as it may appear on screen or in a log: a short prefix, never the whole value. */
export function redactSecret(secret: string): string {
	if (secret.length <= 12) {
		return '…';
	}

	return `${secret.slice(0, 10)}…`;
}
