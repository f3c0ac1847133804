import {Box} from 'ink';
import {keyBindings} from '../../keys/key-bindings.js';
import type {Segment} from '../../kit/segments.js';
import {colors} from '../../kit/theme.js';
import {displayWidth} from '../../kit/text-width.js';
import StyledText from '../../kit/styled-text.js';

const hint = (key: string, label: string): Segment[] => [{text: key, bold: true, color: colors.accent}, {text: ` ${label}`, color: colors.muted}];
const widthOf = (segments: readonly Segment[]) => displayWidth(segments.map(segment => segment.text).join(''));

/**
 * Key hints generated from the key bindings: as many as fit, most useful first, with help and quit
 * always present so every other key can be discovered.
 */
export function footerSegments(width: number, helpOpen: boolean, quitting?: number, notice?: string): Segment[] {
	if (quitting !== undefined) {
		return [
			{text: 'quitting', bold: true, color: colors.warn},
			{text: quitting > 0 ? `: letting ${quitting} in-flight request${quitting === 1 ? '' : 's'} finish…` : '…', color: colors.muted},
		];
	}

	if (helpOpen) {
		return [{text: 'any key', bold: true, color: colors.accent}, {text: ' closes the help', color: colors.muted}];
	}

	if (notice) {
		return [{text: notice, bold: true, color: colors.warn}];
	}

	const ranked = keyBindings
		.filter(binding => binding.footerRank !== undefined)
		.toSorted((a, b) => a.footerRank! - b.footerRank!);
	const always = ranked.filter(binding => binding.footerRank === 0);
	const optional = ranked.filter(binding => binding.footerRank! > 0);
	const gap: Segment = {text: '  '};

	const compose = (chosen: typeof ranked) => {
		// Keep the on-screen order of the binding list, not the rank order.
		const ordered = keyBindings.filter(binding => chosen.includes(binding));
		return ordered.flatMap((binding, index) => [...(index > 0 ? [gap] : []), ...hint(binding.key, binding.label)]);
	};

	const chosen = [...always];
	for (const binding of optional) {
		if (widthOf(compose([...chosen, binding])) <= width) {
			chosen.push(binding);
		}
	}

	return compose(chosen);
}

type Props = {
	readonly width: number;
	readonly helpOpen: boolean;
	/** In-flight requests still draining after q, or undefined while running. */
	readonly quitting?: number;
	/** A passing message (a key that could not act). */
	readonly notice?: string;
	/** Replaces the key hints (the detail view's and the filter's own keys). */
	readonly override?: Segment[];
};

export default function Footer({width, helpOpen, quitting, notice, override}: Props) {
	return (
		<Box width={width} height={1} flexShrink={0}>
			<StyledText cell={override ?? footerSegments(width, helpOpen, quitting, notice)} width={width}/>
		</Box>
	);
}
