/**
 * Remembers a pure function's answers for strings that keep coming back (header names, model ids,
 * texts on screen). The keys come from outside, so the table is bounded: when it is full it is
 * emptied and refills with whatever is current, which costs one recomputation per key.
 */
export function boundedMemo<T>(compute: (key: string) => T, maxEntries: number): (key: string) => T {
	const known = new Map<string, T>();
	return (key: string): T => {
		if (known.has(key)) {
			return known.get(key)!;
		}

		const value = compute(key);
		if (known.size >= maxEntries) {
			known.clear();
		}

		known.set(key, value);
		return value;
	};
}
