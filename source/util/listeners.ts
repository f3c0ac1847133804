/** The subscribe/notify pair of anything the monitor reads with useSyncExternalStore. */
export class Listeners {
	readonly #listeners = new Set<() => void>();

	get size(): number {
		return this.#listeners.size;
	}

	/** Adds a listener; returns the function that removes it. */
	subscribe = (listener: () => void): (() => void) => {
		this.#listeners.add(listener);
		return () => {
			this.#listeners.delete(listener);
		};
	};

	notify(): void {
		for (const listener of this.#listeners) {
			listener();
		}
	}

	clear(): void {
		this.#listeners.clear();
	}
}
