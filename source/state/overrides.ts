// Runtime overrides: what the monitor's keys and the control API change until shunt restarts.
import type {StrategyName} from '../routing/strategies.js';

/** Effort levels a request may be overridden to, in the order the monitor's `e` key cycles. */
export const efforts = ['low', 'medium', 'high', 'max'] as const;

export type Effort = (typeof efforts)[number];

export type Overrides = {
	strategy: StrategyName | null;
	model: string | null;
	effort: Effort | null;
	/** Requests per minute per subscription account; 0 = off; null = the configured default. */
	burstRpmLimit: number | null;
	fallbackModel: string | null;
	alertsMuted: boolean;
};
