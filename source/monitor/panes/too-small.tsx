import {Box, Text} from 'ink';
import {minimumSize} from '../layout.js';

/** Shown instead of a garbled layout when the terminal is smaller than anything useful. */
export default function TooSmall({columns, rows}: {readonly columns: number; readonly rows: number}) {
	return (
		<Box flexDirection='column' width={columns} height={Math.max(1, rows - 1)} overflow='hidden'>
			<Text bold wrap='truncate-end' color='greenBright'>shunt</Text>
			<Text wrap='truncate-end'>terminal {columns}×{rows} is too small</Text>
			<Text dimColor wrap='truncate-end'>need {minimumSize.columns}×{minimumSize.rows}; q quits</Text>
		</Box>
	);
}
