// The suite's one way to wait: poll a condition with a timeout, never a fixed sleep.

/**
 * Polls `check` until it gives a value other than undefined or false, and returns that value. After
 * `timeoutMs` it fails, naming what it waited for; `description` may be a function so the message
 * can show the last state seen (a frame, a log).
 */
export async function waitFor<T>(
	check: () => T | undefined | false | Promise<T | undefined | false>,
	description: string | (() => string),
	timeoutMs = 5000,
): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await check();
		if (value !== undefined && value !== false) {
			return value;
		}

		if (Date.now() > deadline) {
			const what = typeof description === 'function' ? description() : description;
			throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
		}

		await new Promise(resolve => {
			setTimeout(resolve, 10);
		});
	}
}
