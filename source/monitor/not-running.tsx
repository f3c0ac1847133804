import {
	Box, Text, useInput, useStdin,
} from 'ink';
import type {Connection} from '../runtime/attach/attached-store.js';
import {clockTime} from '../util/clock-time.js';
import {terminalSafe} from '../util/terminal-safe.js';
import {colors} from './kit/theme.js';
import useTerminalSize from './hooks/use-terminal-size.js';

type Props = {
	readonly connection: Exclude<Connection, {status: 'connected'}>;
	readonly onQuit: () => void;
};

/**
 * An attached monitor's screen while nothing usable answers: what is wrong, that it keeps trying,
 * and how to start shunt. The monitor proper comes back by itself with the first snapshot.
 */
export default function NotRunning({connection, onQuit}: Props) {
	const {columns, rows} = useTerminalSize();
	const {isRawModeSupported} = useStdin();
	useInput((input, key) => {
		if (input === 'q' || (key.ctrl && input === 'c')) {
			onQuit();
		}
	}, {isActive: Boolean(isRawModeSupported)});

	const url = terminalSafe(connection.url);
	const lines = connection.status === 'connecting'
		? [{text: `connecting to shunt on ${url}…`}]
		: [
			{text: `${terminalSafe(connection.problem)}; reconnecting`, color: colors.bad, bold: true},
			{text: `since ${clockTime(connection.sinceMs)} · tries again every few seconds`, dim: true},
			{text: 'start it with `shunt --headless`, `shunt service install`, or `shunt` in another terminal', dim: true},
		];
	return (
		<Box flexDirection='column' width={columns} height={Math.max(1, rows - 1)} overflow='hidden'>
			<Text bold wrap='truncate-end' color={colors.brand}>shunt monitor</Text>
			{lines.map(line => (
				<Text key={line.text} wrap='truncate-end' color={'color' in line ? line.color : undefined} bold={'bold' in line ? line.bold : undefined} dimColor={'dim' in line ? line.dim : undefined}>{line.text}</Text>
			))}
			<Text dimColor wrap='truncate-end'>q quits</Text>
		</Box>
	);
}
