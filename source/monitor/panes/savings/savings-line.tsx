import {Box} from 'ink';
import type {SavingsSummary, SavingsTotals} from '../../../state/records.js';
import {formatTokens, formatUsd} from '../../kit/format.js';
import {joinSegments, type Segment} from '../../kit/segments.js';
import {colors} from '../../kit/theme.js';
import {displayWidth} from '../../kit/text-width.js';
import StyledText from '../../kit/styled-text.js';

const tokensOf = (totals: SavingsTotals) => totals.inputTokens + totals.outputTokens + totals.cacheReadTokens + totals.cacheWriteTokens;

function period(name: string, totals: SavingsTotals, withTokens: boolean): Segment[] {
	return [
		{text: `${name} `, color: colors.muted},
		{text: formatUsd(totals.usd), bold: true, color: colors.good},
		...(withTokens ? [{text: ` (${formatTokens(tokensOf(totals))} tok)`, color: colors.muted}] : []),
	];
}

/** The longest wording that fits: the full sentence on wide screens, just the dollars on narrow ones. */
export function savingsSegments(savings: SavingsSummary, width: number): Segment[] {
	const separator: Segment = {text: ' · ', color: colors.muted};
	const periods = (withTokens: boolean) => joinSegments([
		period('today', savings.today, withTokens),
		period('this week', savings.week, withTokens),
		period('all time', savings.allTime, withTokens),
	], separator);
	const label: Segment = {text: 'savings  ', bold: true};
	const explained: Segment = {text: ' — what the API would have charged', color: colors.muted};
	const brief: Segment[] = [{text: 'savings ', bold: true}, {text: 'vs API  ', color: colors.muted}];
	const variants: Segment[][] = [
		[label, ...periods(true), explained],
		[...brief, ...periods(true)],
		[label, ...periods(false), explained],
		[...brief, ...periods(false)],
		[
			{text: 'saved ', bold: true},
			...joinSegments([period('today', savings.today, false), period('week', savings.week, false), period('all', savings.allTime, false)], separator),
		],
	];
	const fits = variants.find(variant => displayWidth(variant.map(segment => segment.text).join('')) <= width);
	return fits ?? variants.at(-1)!;
}

export default function SavingsLine({savings, width}: {readonly savings: SavingsSummary; readonly width: number}) {
	return (
		<Box width={width} height={1} flexShrink={0}>
			<StyledText cell={savingsSegments(savings, width)} width={width}/>
		</Box>
	);
}
