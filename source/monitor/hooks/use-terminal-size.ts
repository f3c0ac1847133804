import {useEffect, useState} from 'react';
import {useStdout} from 'ink';

export type TerminalSize = {columns: number; rows: number};

// A stream that is not a terminal reports no size; lay out for the classic 80×24 then.
const read = (stdout: NodeJS.WriteStream): TerminalSize => ({
	columns: stdout.columns > 0 ? stdout.columns : 80,
	rows: stdout.rows > 0 ? stdout.rows : 24,
});

/** The terminal's size, updated on every resize (Ink 6 has no hook for it). */
export default function useTerminalSize(): TerminalSize {
	const {stdout} = useStdout();
	const [size, setSize] = useState(() => read(stdout));

	useEffect(() => {
		const update = () => {
			const next = read(stdout);
			// Keep the same object when nothing changed so a spurious event re-renders nothing.
			setSize(previous => (previous.columns === next.columns && previous.rows === next.rows ? previous : next));
		};

		// The size may have changed between the first render and this effect.
		update();
		stdout.on('resize', update);
		return () => {
			stdout.off('resize', update);
		};
	}, [stdout]);

	return size;
}
