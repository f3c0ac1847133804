// The requests being served right now, for the live rows of the monitor and the status
// document's inFlightRequests: where each is (waiting for an answer, held, streaming), on which
// account, since when, and how far it got.

export type InFlightState = 'waiting' | 'held' | 'streaming';

export type InFlightRequest = {
	id: string;
	startedMs: number;
	/** The account it is on (null while none is chosen, or while held). */
	account: string | null;
	model: string;
	state: InFlightState;
	/** While held: when it will be tried again, and why nobody can serve it now. */
	heldUntilMs: number | null;
	heldReason: string | null;
	/** When the first byte of the answer went to the client (epoch ms). */
	firstByteMs: number | null;
	/** Output so far, counted from the stream's deltas (an estimate until the final usage). */
	outputTokens: number;
	stream: boolean;
};

export class InFlightRequests {
	readonly #live = new Map<string, InFlightRequest>();
	// Requests on each account right now, kept as they move: routing reads it on every request.
	readonly #perAccount = new Map<string, number>();

	get size(): number {
		return this.#live.size;
	}

	add(request: InFlightRequest): void {
		this.#live.set(request.id, request);
		this.#count(request.account, 1);
	}

	/** Applies a change to a live request, keeping the per-account counts right. */
	update(request: InFlightRequest, change: Partial<InFlightRequest>): void {
		if (change.account !== undefined && change.account !== request.account) {
			this.#count(request.account, -1);
			this.#count(change.account, 1);
		}

		Object.assign(request, change);
	}

	delete(id: string): void {
		const request = this.#live.get(id);
		if (request) {
			this.#live.delete(id);
			this.#count(request.account, -1);
		}
	}

	/** How many requests are on an account now. */
	onAccount(name: string): number {
		return this.#perAccount.get(name) ?? 0;
	}

	#count(account: string | null, by: number): void {
		if (account === null) {
			return;
		}

		const next = (this.#perAccount.get(account) ?? 0) + by;
		if (next > 0) {
			this.#perAccount.set(account, next);
		} else {
			this.#perAccount.delete(account);
		}
	}

	/** Copies, oldest first (Map order is insertion order): a snapshot must not change afterwards. */
	list(): InFlightRequest[] {
		return [...this.#live.values()].map(request => ({...request}));
	}
}
