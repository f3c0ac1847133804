// The attempt stamps in one account's burst window, oldest first. A busy API key records tens of
// thousands a minute, and Array#shift on an array that large moves all of it (V8 keeps big arrays
// in large-object space, where it cannot trim the front): measured at 6 µs per shift at 50 000
// stamps, paid on every request once the first minute had passed. Expired stamps are skipped by an
// index instead and cut off in one go once they are the larger part.

// Below this many expired stamps, skipping them costs less than moving the rest.
const compactAfter = 1024;

export class StampWindow {
	#stamps: number[] = [];
	#head = 0;

	/** Stamps kept (the live ones, after dropUpTo). */
	get size(): number {
		return this.#stamps.length - this.#head;
	}

	/** The oldest stamp kept, if any. */
	oldest(): number | undefined {
		return this.#head < this.#stamps.length ? this.#stamps[this.#head] : undefined;
	}

	/** A stamp taken now: no older than any kept. */
	push(stampMs: number): void {
		this.#stamps.push(stampMs);
	}

	/** A stamp from elsewhere (another instance), put in its place so the order holds. */
	insert(stampMs: number): void {
		let at = this.#stamps.length;
		while (at > this.#head && this.#stamps[at - 1]! > stampMs) {
			at--;
		}

		this.#stamps.splice(at, 0, stampMs);
	}

	/** Takes one stamp back (the newest equal to it); false when it is not kept. */
	remove(stampMs: number): boolean {
		const at = this.#stamps.lastIndexOf(stampMs);
		if (at < this.#head) {
			return false;
		}

		this.#stamps.splice(at, 1);
		return true;
	}

	/** Forgets every stamp at or before cutoffMs. */
	dropUpTo(cutoffMs: number): void {
		const stamps = this.#stamps;
		while (this.#head < stamps.length && stamps[this.#head]! <= cutoffMs) {
			this.#head++;
		}

		if (this.#head === stamps.length) {
			this.#stamps = [];
			this.#head = 0;
		} else if (this.#head >= compactAfter && this.#head * 2 >= stamps.length) {
			this.#stamps = stamps.slice(this.#head);
			this.#head = 0;
		}
	}
}
