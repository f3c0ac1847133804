import {useRef} from 'react';

/** How long a pane keeps lines it no longer needs before giving them back. */
const holdMs = 60_000;

/**
 * A pane height that grows at once but shrinks only after it has not been needed for a minute, so
 * detail lines that come and go (a cooldown's countdown) do not make everything below jump. A new
 * terminal size (`layoutKey`) starts over.
 */
export default function useSteadyHeight(wanted: number, nowMs: number, layoutKey: string): number {
	const steady = useRef({height: wanted, sinceMs: nowMs, layoutKey});
	const {current} = steady;
	if (current.layoutKey !== layoutKey || wanted >= current.height) {
		steady.current = {height: wanted, sinceMs: nowMs, layoutKey};
	} else if (nowMs - current.sinceMs >= holdMs) {
		steady.current = {height: wanted, sinceMs: nowMs, layoutKey};
	}

	return steady.current.height;
}
