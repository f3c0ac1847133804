// Server-sent-event framing, one write per event so a stamp and its event travel together.
import {once} from 'node:events';
import type {ServerResponse} from 'node:http';
import {performance} from 'node:perf_hooks';

export class SseWriter {
	readonly #response: ServerResponse;
	readonly #stamp: boolean;
	readonly #signal: AbortSignal;

	constructor(response: ServerResponse, stamp: boolean, signal: AbortSignal) {
		this.#response = response;
		this.#stamp = stamp;
		this.#signal = signal;
	}

	get open(): boolean {
		return !this.#signal.aborted && !this.#response.destroyed && !this.#response.writableEnded;
	}

	/** Resolves false once the stream is gone, so callers can simply stop. Honours backpressure. */
	async send(event: string, data: unknown): Promise<boolean> {
		if (!this.open) {
			return false;
		}

		// The stamp is wall-clock-comparable across processes: timeOrigin + now, with decimals.
		const stamp = this.#stamp ? `: t=${(performance.timeOrigin + performance.now()).toFixed(3)}\n` : '';
		const flushed = this.#response.write(`${stamp}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
		if (!flushed) {
			try {
				await once(this.#response, 'drain', {signal: this.#signal});
			} catch {
				return false;
			}
		}

		return this.open;
	}

	end(): void {
		if (this.open) {
			this.#response.end();
		}
	}
}
