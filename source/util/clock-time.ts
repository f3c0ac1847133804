let cachedSecond = Number.NaN;
let cachedText = '';

/** Local wall-clock time as HH:MM:SS (24-hour), for log lines and event messages. */
export function clockTime(epochMs: number): string {
	// Formatted once per second: headless mode stamps every request with it.
	const second = Math.floor(epochMs / 1000);
	if (second !== cachedSecond) {
		cachedSecond = second;
		cachedText = new Date(second * 1000).toTimeString().slice(0, 8);
	}

	return cachedText;
}
