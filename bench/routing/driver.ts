// Runs the workload in virtual time. Between steps the driver waits until nothing can happen at
// the current instant any more: every request in flight has been answered or is held by shunt
// (asleep on the virtual clock), and every workload actor is asleep too. Then it moves the clock
// to the soonest sleeper and wakes it. So a simulated day takes as long as its requests take to
// serve, and a request completes at the instant it was sent (holds excepted).
import {setImmediate as nextTurn} from 'node:timers/promises';
import type {VirtualClock} from './virtual-clock.js';

export class Driver {
	readonly clock: VirtualClock;
	readonly #stuckAfterMs: number;
	#inFlight = 0;
	#changed: (() => void) | undefined;

	/** stuckAfterMs: real time with requests in flight and nothing finishing before the run fails. */
	constructor(clock: VirtualClock, stuckAfterMs = 60_000) {
		this.clock = clock;
		this.#stuckAfterMs = stuckAfterMs;
		clock.onSleep(() => {
			this.#poke();
		});
	}

	/** Wraps one client request, so the driver knows it is in flight. */
	async request<T>(send: () => Promise<T>): Promise<T> {
		this.#inFlight++;
		try {
			return await send();
		} finally {
			this.#inFlight--;
			this.#poke();
		}
	}

	/** Plays the actors to their end, moving the clock whenever everything is waiting for it. */
	async run(play: () => Promise<void>): Promise<void> {
		let finished = false;
		let failure: unknown;
		const playing = play().then(() => {
			finished = true;
		}, (error: unknown) => {
			failure = error;
			finished = true;
		}).finally(() => {
			this.#poke();
		});

		for (;;) {
			// eslint-disable-next-line no-await-in-loop
			await this.#settle();
			if (finished) {
				break;
			}

			const next = this.clock.nextWakeMs();
			if (next === undefined) {
				throw new Error(`routing bench stuck: ${this.#inFlight} requests in flight, nothing asleep to wake`);
			}

			this.clock.advanceTo(next);
		}

		await playing;
		if (failure !== undefined) {
			// eslint-disable-next-line @typescript-eslint/no-base-to-string -- whatever was thrown, as text
			throw failure instanceof Error ? failure : new Error(String(failure));
		}
	}

	/** Resolves once every request in flight is held and every actor asleep (or done). */
	async #settle(): Promise<void> {
		const deadline = performance.now() + this.#stuckAfterMs;
		for (;;) {
			// Two turns of the event loop: whatever a finished request set going has started by then.
			// eslint-disable-next-line no-await-in-loop
			await nextTurn();
			// eslint-disable-next-line no-await-in-loop
			await nextTurn();
			if (this.#inFlight === this.clock.holding) {
				return;
			}

			const left = deadline - performance.now();
			if (left <= 0) {
				throw new Error(`routing bench stuck: ${this.#inFlight} requests in flight (${this.clock.holding} held) for ${this.#stuckAfterMs} ms of real time`);
			}

			// eslint-disable-next-line no-await-in-loop
			await new Promise<void>(resolve => {
				const timer = setTimeout(resolve, left);
				this.#changed = () => {
					clearTimeout(timer);
					resolve();
				};
			});
		}
	}

	#poke(): void {
		const changed = this.#changed;
		this.#changed = undefined;
		changed?.();
	}
}
