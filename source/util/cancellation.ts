/**
 * "The client went away", as cheaply as possible: one is made per proxied request, and an
 * AbortController (with its EventTarget machinery) showed up in the request path's profile.
 */
export class Cancellation {
	aborted = false;
	#handlers: Array<() => void> = [];

	/** Runs handler when cancelled (at once if already); returns a function that forgets it. */
	onAbort(handler: () => void): () => void {
		if (this.aborted) {
			handler();
			return () => {
				// Already ran: nothing to detach.
			};
		}

		this.#handlers.push(handler);
		return () => {
			this.#handlers = this.#handlers.filter(candidate => candidate !== handler);
		};
	}

	abort(): void {
		if (this.aborted) {
			return;
		}

		this.aborted = true;
		const handlers = this.#handlers;
		this.#handlers = [];
		for (const handler of handlers) {
			handler();
		}
	}
}
