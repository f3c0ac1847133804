/**
 * A fixed-size ring of the newest items. Adding is O(1) (the request log adds one per request);
 * reading newest-first copies, which only snapshots do, a few times a second.
 */
export class Ring<T> {
	readonly #items: Array<T | undefined>;
	#next = 0;
	#size = 0;

	constructor(readonly capacity: number) {
		this.#items = Array.from({length: capacity});
	}

	push(item: T): void {
		this.#items[this.#next] = item;
		this.#next = (this.#next + 1) % this.capacity;
		this.#size = Math.min(this.#size + 1, this.capacity);
	}

	get size(): number {
		return this.#size;
	}

	/** Newest first. */
	newestFirst(): T[] {
		const result: T[] = [];
		for (let index = 1; index <= this.#size; index++) {
			result.push(this.#items[(this.#next - index + this.capacity) % this.capacity]!);
		}

		return result;
	}
}
