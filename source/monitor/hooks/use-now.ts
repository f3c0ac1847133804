import {useEffect, useRef, useState} from 'react';

/**
 * The current time, refreshed once a second: the one clock every countdown on screen reads, so
 * they all tick together and the monitor re-renders once a second at most for time alone.
 *
 * `latest` is whatever else re-renders the screen (the store snapshot, which carries its own
 * clock). When it changed within the last three quarters of an interval, the frame it caused is
 * recent enough and the tick is skipped: under load that saves a third of the frames.
 */
export default function useNow(intervalMs = 1000, latest?: unknown): number {
	const [now, setNow] = useState(() => Date.now());
	const seen = useRef({value: latest, atMs: 0});
	if (seen.current.value !== latest) {
		seen.current = {value: latest, atMs: Date.now()};
	}

	useEffect(() => {
		const timer = setInterval(() => {
			const current = Date.now();
			if (current - seen.current.atMs >= intervalMs * 0.75) {
				setNow(current);
			}
		}, intervalMs);
		return () => {
			clearInterval(timer);
		};
	}, [intervalMs]);

	return now;
}
