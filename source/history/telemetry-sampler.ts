// Rate-limit readings over time, for the gauges' history and the burn rate: each account's latest
// telemetry is looked at on a timer (never per response), and kept when it changed, at most once
// a minute per account.
import {keyHeadroom, type RateLimitTelemetry, type UnifiedWindow} from '../anthropic/telemetry.js';
import type {TelemetrySample} from './rows.js';

export type SamplerOptions = {
	accounts(): readonly string[];
	telemetry(name: string): RateLimitTelemetry | undefined;
	now(): number;
	add(sample: TelemetrySample): void;
	/** The latest sample already kept per account (from the database), so a restart repeats none. */
	last?: ReadonlyMap<string, TelemetrySample>;
	checkEveryMs?: number;
	minSpacingMs?: number;
};

function utilizationOf(window: UnifiedWindow | undefined): number | null {
	const value = window?.utilization;
	return value !== undefined && Number.isFinite(value) ? value : null;
}

function resetOf(window: UnifiedWindow | undefined): number | null {
	const value = window?.reset;
	return value !== undefined && Number.isFinite(value) ? Math.round(value) : null;
}

function statusOf(window: UnifiedWindow | undefined): string | null {
	return typeof window?.status === 'string' ? window.status.slice(0, 40) : null;
}

/** What one account's telemetry says now, as a sample; undefined when it says nothing worth keeping. */
export function sampleOf(account: string, telemetry: RateLimitTelemetry, nowMs: number): Omit<TelemetrySample, 'tsMs'> | undefined {
	const headroom = keyHeadroom(telemetry, nowMs).headroom;
	const sample = {
		account,
		utilization5h: utilizationOf(telemetry.fiveHour),
		reset5h: resetOf(telemetry.fiveHour),
		status5h: statusOf(telemetry.fiveHour),
		utilization7d: utilizationOf(telemetry.sevenDay),
		reset7d: resetOf(telemetry.sevenDay),
		status7d: statusOf(telemetry.sevenDay),
		keyHeadroom: headroom === undefined ? null : Math.round(headroom * 10_000) / 10_000,
	};
	return sample.utilization5h === null && sample.utilization7d === null && sample.keyHeadroom === null ? undefined : sample;
}

function sameReading(a: Omit<TelemetrySample, 'tsMs'>, b: TelemetrySample): boolean {
	return a.utilization5h === b.utilization5h && a.reset5h === b.reset5h && a.status5h === b.status5h
		&& a.utilization7d === b.utilization7d && a.reset7d === b.reset7d && a.status7d === b.status7d
		&& a.keyHeadroom === b.keyHeadroom;
}

export class TelemetrySampler {
	readonly #options: SamplerOptions;
	readonly #last: Map<string, TelemetrySample>;
	#timer: NodeJS.Timeout | undefined;

	constructor(options: SamplerOptions) {
		this.#options = options;
		this.#last = new Map(options.last);
	}

	start(): void {
		this.#timer ??= setInterval(() => this.sample(), this.#options.checkEveryMs ?? 10_000).unref();
	}

	stop(): void {
		clearInterval(this.#timer);
		this.#timer = undefined;
	}

	/** Looks at every account once; keeps what changed since its last sample a minute or more ago. */
	sample(): void {
		const nowMs = this.#options.now();
		const spacing = this.#options.minSpacingMs ?? 60_000;
		for (const account of this.#options.accounts()) {
			const telemetry = this.#options.telemetry(account);
			const reading = telemetry ? sampleOf(account, telemetry, nowMs) : undefined;
			const last = this.#last.get(account);
			if (!reading || (last && (nowMs - last.tsMs < spacing || sameReading(reading, last)))) {
				continue;
			}

			// When the headers were read, if that is a sane time after the last sample.
			const readMs = telemetry!.updatedMs;
			const tsMs = Number.isFinite(readMs) && readMs <= nowMs && readMs > (last?.tsMs ?? 0) ? readMs : nowMs;
			const sample = {tsMs, ...reading};
			this.#last.set(account, sample);
			this.#options.add(sample);
		}
	}
}
