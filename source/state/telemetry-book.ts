// The latest rate-limit telemetry per account, merged response by response.
import {maxScopedWindows} from '../anthropic/rate-limit-headers.js';
import type {RateLimitTelemetry, UnifiedWindow} from '../anthropic/telemetry.js';

/**
 * Scoped windows merge window by window: a response that reports only the weekly Sonnet window
 * leaves the weekly Opus one as it was. Newest first when there are too many to keep.
 */
function mergeScoped(previous: Record<string, UnifiedWindow>, fresh: Record<string, UnifiedWindow>): Record<string, UnifiedWindow> {
	const merged: Record<string, UnifiedWindow> = {...fresh};
	for (const [key, window] of Object.entries(previous)) {
		if (Object.keys(merged).length >= maxScopedWindows) {
			break;
		}

		merged[key] = fresh[key] ? {...window, ...fresh[key]} : window;
	}

	return merged;
}

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
		const previous = this.#telemetry.get(name);
		const merged: RateLimitTelemetry = {...previous, updatedMs: telemetry.updatedMs};
		// eslint-disable-next-line guard-for-in -- a parsed telemetry record is a plain object; this runs for every answer
		for (const key in telemetry) {
			const value = telemetry[key as keyof RateLimitTelemetry];
			if (value !== undefined) {
				(merged as Record<string, unknown>)[key] = value;
			}
		}

		if (telemetry.scoped && previous?.scoped) {
			merged.scoped = mergeScoped(previous.scoped, telemetry.scoped);
		}

		this.#telemetry.set(name, merged);
	}

	serialize(): Record<string, RateLimitTelemetry> {
		return Object.fromEntries(this.#telemetry);
	}
}
