import {Box} from 'ink';
import PaneTitle from '../../kit/pane-title.js';
import StyledText from '../../kit/styled-text.js';
import type {HistoryModel} from './history-rows.js';

type Props = {
	readonly model: HistoryModel;
	readonly width: number;
	readonly height: number;
};

/**
 * Where the tokens went and where the 5h windows are heading: the chart, the accounts' sparklines
 * and burn rates, as buildHistory laid them out for this height. Never taller than it is told.
 */
export default function HistoryPane({model, width, height}: Props) {
	return (
		<Box flexDirection='column' width={width} height={height} flexShrink={0} overflowY='hidden'>
			<PaneTitle title={model.title} focused={false} width={width} hint={model.hint}/>
			{model.lines.slice(0, Math.max(0, height - 1)).map(line => (
				<Box key={line.key} width={width} height={1} flexShrink={0}>
					<StyledText cell={line.segments} width={width}/>
				</Box>
			))}
		</Box>
	);
}
