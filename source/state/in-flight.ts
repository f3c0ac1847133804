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

	get size(): number {
		return this.#live.size;
	}

	add(request: InFlightRequest): void {
		this.#live.set(request.id, request);
	}

	delete(id: string): void {
		this.#live.delete(id);
	}

	/** Copies, oldest first (Map order is insertion order): a snapshot must not change afterwards. */
	list(): InFlightRequest[] {
		return [...this.#live.values()].map(request => ({...request}));
	}
}
