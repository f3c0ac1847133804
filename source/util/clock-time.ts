let cachedSecond = Number.NaN;
let cachedText = '';

// The largest instant a Date can hold (ECMAScript: ±100 000 000 days around the epoch).
const maxDateMs = 8.64e15;

/**
 * Local wall-clock time as HH:MM:SS (24-hour), for log lines and event messages. An instant no
 * Date can hold (NaN, Infinity, a reset header's 1e20) is `--:--:--`, never "Invalid Date".
 */
export function clockTime(epochMs: number): string {
	if (!(Math.abs(epochMs) <= maxDateMs)) {
		return '--:--:--';
	}

	// Formatted once per second: headless mode stamps every request with it.
	const second = Math.floor(epochMs / 1000);
	if (second !== cachedSecond) {
		cachedSecond = second;
		cachedText = new Date(second * 1000).toTimeString().slice(0, 8);
	}

	return cachedText;
}
