// Token counts and dollar amounts in a few characters, the one way shunt writes them (screen,
// event lines, CLI).

const scaled = (value: number, units: ReadonlyArray<[number, string]>, prefix = ''): string | undefined => {
	// Walk from the largest unit down; bump to the next unit when rounding would print "1000k".
	for (const [index, [size, suffix]] of units.entries()) {
		if (value < size) {
			continue;
		}

		const shown = value / size;
		const text = shown < 100 ? shown.toFixed(1).replace(/\.0$/, '') : String(Math.round(shown));
		if (Number(text) >= 1000 && index > 0) {
			const [biggerSize, biggerSuffix] = units[index - 1]!;
			return `${prefix}${(value / biggerSize).toFixed(1).replace(/\.0$/, '')}${biggerSuffix}`;
		}

		return `${prefix}${text}${suffix}`;
	}

	return undefined;
};

const tokenUnits: ReadonlyArray<[number, string]> = [[1e9, 'B'], [1e6, 'M'], [1e3, 'k']];

/** Token counts: `950`, `12.3k`, `4.5M`. */
export function formatTokens(count: number): string {
	const value = Math.max(0, Math.round(count));
	return scaled(value, tokenUnits) ?? String(value);
}

/** Dollars: `$0.00`, `<$0.01`, `$12.34`, `$1.2k`, `$3.4M`. */
export function formatUsd(usd: number): string {
	if (!Number.isFinite(usd) || usd <= 0) {
		return '$0.00';
	}

	if (usd < 0.01) {
		return '<$0.01';
	}

	// Round first so 999.996 prints as "$1k", not "$1000.00".
	const cents = Math.round(usd * 100) / 100;
	if (cents < 1000) {
		return `$${cents.toFixed(2)}`;
	}

	return scaled(cents, [[1e6, 'M'], [1e3, 'k']], '$')!;
}
