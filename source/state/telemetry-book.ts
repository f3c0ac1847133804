// The latest rate-limit telemetry per account, merged response by response.
import type {RateLimitTelemetry} from '../anthropic/telemetry.js';

export class TelemetryBook {
	readonly #telemetry = new Map<string, RateLimitTelemetry>();

	constructor(saved: Readonly<Record<string, RateLimitTelemetry>>, known: ReadonlySet<string>) {
		for (const [name, telemetry] of Object.entries(saved)) {
			if (known.has(name)) {
				this.#telemetry.set(name, telemetry);
			}
		}
	}

	get(name: string): RateLimitTelemetry | undefined {
		return this.#telemetry.get(name);
	}

	/**
	 * Merges what one response's rate-limit headers said. Fields a response did not carry (or
	 * carried unparseable) keep their previous value instead of being wiped.
	 */
	record(name: string, telemetry: RateLimitTelemetry): void {
		const merged: RateLimitTelemetry = {...this.#telemetry.get(name), updatedMs: telemetry.updatedMs};
		for (const key in telemetry) {
			const value = telemetry[key as keyof RateLimitTelemetry];
			if (value !== undefined) {
				(merged as Record<string, unknown>)[key] = value;
			}
		}

		this.#telemetry.set(name, merged);
	}

	serialize(): Record<string, RateLimitTelemetry> {
		return Object.fromEntries(this.#telemetry);
	}
}
