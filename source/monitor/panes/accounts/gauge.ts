// The 5h / 7d usage gauges. Convention (labelled in the accounts pane title): the bar fills as the
// window is USED, and the number is the percentage used, so "full and red" means "about to run out".
import {formatCountdown, formatPercent} from '../../kit/format.js';
import type {Segment} from '../../kit/segments.js';
import {colors, usageColor} from '../../kit/theme.js';

export type GaugeInput = {
	utilization: number | null;
	/** Epoch seconds. */
	resetSec: number | null;
	status?: string;
	nowMs: number;
	/** Cells of bar; 0 shows the percentage alone. */
	barWidth: number;
	/** Reserve room for a reset countdown so the columns line up. */
	showReset: boolean;
	/** Count down to this instant instead of the reset (a spent window: when the account is back). */
	untilMs?: number;
};

/** Widest countdown the gauge reserves room for (`59m59s`, `23h59m`, `12d3h`). */
const countdownWidth = 6;
/** `100%`, `spent`. */
const percentWidth = 5;

export function gaugeSegments({utilization, resetSec, status, nowMs, barWidth, showReset, untilMs}: GaugeInput): Segment[] {
	const resetMs = resetSec === null ? null : resetSec * 1000;
	// Once a window's reset has passed its usage no longer counts (routing treats it as empty too).
	const stale = resetMs !== null && resetMs <= nowMs;
	const used = utilization === null ? null : (stale ? 0 : Math.max(0, utilization));
	const segments: Segment[] = [];

	if (barWidth > 0) {
		const filled = used === null ? 0 : Math.round(Math.min(1, used) * barWidth);
		const color = used === null ? colors.muted : usageColor(used, status === 'rejected');
		if (filled > 0) {
			segments.push({text: '█'.repeat(filled), color, dimColor: stale});
		}

		segments.push({text: '░'.repeat(barWidth - filled), color: colors.muted, dimColor: true}, {text: ' '});
	}

	const spent = status === 'rejected' && !stale;
	if (used === null) {
		segments.push({text: '–'.padStart(percentWidth), color: colors.muted});
	} else if (spent) {
		// A spent window reads as spent, not as "116% used".
		segments.push({text: 'spent'.padStart(percentWidth), bold: true, color: colors.bad});
	} else {
		segments.push({text: formatPercent(Math.min(1, used)).padStart(percentWidth), color: usageColor(used, false), dimColor: stale});
	}

	if (showReset) {
		const target = untilMs ?? resetMs;
		const countdown = target === null ? null : formatCountdown(target, nowMs);
		segments.push({text: ' '}, {text: (countdown ?? '').padEnd(countdownWidth), dimColor: true});
	}

	return segments;
}

/** Display width of a gauge with these settings (they are fixed-width by construction). */
export function gaugeWidth(barWidth: number, showReset: boolean): number {
	return (barWidth > 0 ? barWidth + 1 : 0) + percentWidth + (showReset ? 1 + countdownWidth : 0);
}
