import {useEffect, useState} from 'react';

/**
 * The current time, refreshed once a second: the one clock every countdown on screen reads, so
 * they all tick together and the monitor re-renders once a second at most for time alone.
 */
export default function useNow(intervalMs = 1000): number {
	const [now, setNow] = useState(() => Date.now());

	useEffect(() => {
		const timer = setInterval(() => {
			setNow(Date.now());
		}, intervalMs);
		return () => {
			clearInterval(timer);
		};
	}, [intervalMs]);

	return now;
}
