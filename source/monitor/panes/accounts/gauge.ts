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
};

/** Widest countdown the gauge reserves room for (`59m59s`, `23h59m`, `12d3h`). */
const countdownWidth = 6;

export function gaugeSegments({utilization, resetSec, status, nowMs, barWidth, showReset}: GaugeInput): Segment[] {
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

	if (used === null) {
		segments.push({text: '–'.padStart(4), color: colors.muted});
	} else {
		segments.push({text: formatPercent(used).padStart(4), color: usageColor(used, status === 'rejected'), dimColor: stale});
	}

	if (showReset) {
		const countdown = resetMs === null ? null : formatCountdown(resetMs, nowMs);
		segments.push({text: ' '}, {text: (countdown ?? '').padEnd(countdownWidth), dimColor: true});
	}

	return segments;
}

/** Display width of a gauge with these settings (they are fixed-width by construction). */
export function gaugeWidth(barWidth: number, showReset: boolean): number {
	return (barWidth > 0 ? barWidth + 1 : 0) + 4 + (showReset ? 1 + countdownWidth : 0);
}
