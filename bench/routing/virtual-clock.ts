// One virtual clock for the whole simulation: the simulator, shunt's store and the workload all
// read it, and nothing in the benchmark waits on a wall-clock timer. Time moves only when the
// driver says so (bench/routing/driver.ts): it waits until nothing is left to do at the current
// instant, then jumps to the soonest sleeper. Requests in flight complete at the current instant.
import type {Cancellation} from '../../source/util/cancellation.js';

type Sleeper = {
	atMs: number;
	/** Arrival order: sleepers due at one instant wake in the order they went to sleep. */
	seq: number;
	/** A hold inside shunt, not a workload actor waiting for its next step. */
	held: boolean;
	wake: () => void;
};

export class VirtualClock {
	#nowMs: number;
	#seq = 0;
	#sleepers: Sleeper[] = [];
	/** Every hold shunt started on this clock, and how long they were in all (virtual ms). */
	holds = 0;
	heldMs = 0;
	#onSleep: () => void = () => {
		// Nobody listens until onSleep() is called.
	};

	constructor(startMs: number) {
		this.#nowMs = startMs;
	}

	readonly now = (): number => this.#nowMs;

	/** Holds inside shunt right now: requests shunt is making wait for a cooldown or a burst slot. */
	get holding(): number {
		return this.#sleepers.filter(sleeper => sleeper.held).length;
	}

	/** Called whenever something goes to sleep, so the driver can look again. */
	onSleep(listener: () => void): void {
		this.#onSleep = listener;
	}

	/** A workload actor's wait: resolves once the driver has moved the clock ms ahead. */
	readonly sleep = async (ms: number): Promise<void> => this.#park(ms, false);

	/** shunt's hold (its ProxyServerOptions.sleep): like sleep, and it ends early when the client goes away. */
	readonly hold = async (ms: number, cancellation: Cancellation): Promise<void> => {
		this.holds++;
		this.heldMs += Math.max(0, ms);
		return this.#park(ms, true, cancellation);
	};

	/** When the soonest sleeper is due (epoch ms), or undefined when nobody sleeps. */
	nextWakeMs(): number | undefined {
		let soonest: number | undefined;
		for (const sleeper of this.#sleepers) {
			soonest = soonest === undefined ? sleeper.atMs : Math.min(soonest, sleeper.atMs);
		}

		return soonest;
	}

	/** Moves the clock to atMs (never back) and wakes every sleeper due by then, soonest first. */
	advanceTo(atMs: number): void {
		this.#nowMs = Math.max(this.#nowMs, atMs);
		const due = this.#sleepers.filter(sleeper => sleeper.atMs <= this.#nowMs).toSorted((a, b) => a.atMs - b.atMs || a.seq - b.seq);
		this.#sleepers = this.#sleepers.filter(sleeper => sleeper.atMs > this.#nowMs);
		for (const sleeper of due) {
			sleeper.wake();
		}
	}

	async #park(ms: number, held: boolean, cancellation?: Cancellation): Promise<void> {
		return new Promise(resolve => {
			// eslint-disable-next-line prefer-const -- wake() closes over it before the cancellation is attached
			let forget: (() => void) | undefined;
			const sleeper: Sleeper = {
				atMs: this.#nowMs + Math.max(0, ms),
				seq: this.#seq++,
				held,
				wake() {
					forget?.();
					resolve();
				},
			};
			this.#sleepers.push(sleeper);
			forget = cancellation?.onAbort(() => {
				this.#sleepers = this.#sleepers.filter(other => other !== sleeper);
				resolve();
			});
			this.#onSleep();
		});
	}
}
