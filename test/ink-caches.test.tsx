/** @jsxRuntime automatic */
// covers: source/monitor/kit/ink-caches.ts
// Ink's caches as the monitor tunes them: frames are the same as untuned Ink draws them, the
// caches stay bounded however many distinct lines a long-running screen draws, and the tuning
// finds what it looks for in the Ink this project installs (so an Ink upgrade that changes its
// internals fails here instead of silently losing the bound).
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {Box, Text} from 'ink';
import {render} from 'ink-testing-library';
import {
	TwoFrameMap, inkCacheSizes, moduleCacheLimit, tuneInkCaches,
} from '../source/monitor/kit/ink-caches.js';

test('a two-frame map keeps what this frame or the last one used, and forgets the rest', () => {
	const map = new TwoFrameMap<string, number>();
	map.set('a', 1).set('b', 2);
	map.endFrame();
	assert.equal(map.get('a'), 1, 'used in the frame before');
	map.endFrame();
	assert.equal(map.get('a'), 1, 'a was used again in the last frame');
	assert.equal(map.get('b'), undefined, 'b was not used for a whole frame');
	map.endFrame();
	map.endFrame();
	assert.equal(map.get('a'), undefined);
	assert.equal(map.size, 0);
});

// Colours, a wide character, a combining mark, clipping and truncation: what Ink's caches hold.
function Sample({step}: {readonly step: number}) {
	return (
		<Box flexDirection='column' width={40}>
			<Text color='green'>row {step % 3} <Text bold>界 é</Text> {'✓'.repeat(step % 4)}</Text>
			<Box width={12} overflow='hidden'><Text color='red'>{`clipped ${step} ${'x'.repeat(20)}`}</Text></Box>
			<Box width={10}><Text wrap='truncate'>{`truncated ${step} ${'y'.repeat(step)}`}</Text></Box>
			<Text dimColor>{step % 2 === 0 ? 'same line' : 'other line'}</Text>
		</Box>
	);
}

function frames(steps: number): string[] {
	const {rerender, lastFrame, unmount} = render(<Sample step={0}/>);
	const seen: string[] = [];
	for (let step = 0; step < steps; step++) {
		rerender(<Sample step={step}/>);
		seen.push(lastFrame() ?? '');
	}

	unmount();
	return seen;
}

test('tuned caches draw the same frames as Ink as shipped, and stay bounded', async () => {
	const untuned = frames(12);
	const tuned = await tuneInkCaches();
	assert.deepEqual(tuned, {sharedFrames: true, boundedMeasure: true, boundedWrap: true}, 'Ink 6\'s caches are where the tuning looks');
	assert.deepEqual(frames(12), untuned);

	// A row that changes every frame, as a live request's elapsed time does, many times over.
	const {rerender, unmount} = render(<Sample step={0}/>);
	for (let step = 0; step < moduleCacheLimit * 2; step++) {
		rerender(<Sample step={step}/>);
	}

	unmount();
	const sizes = inkCacheSizes();
	assert.ok(sizes.measured !== undefined && sizes.measured <= moduleCacheLimit, `measured texts: ${sizes.measured}`);
	assert.ok(sizes.wrapped !== undefined && sizes.wrapped <= moduleCacheLimit, `wrapped texts: ${sizes.wrapped}`);
	assert.ok(sizes.frame < 200, `frame caches: ${sizes.frame}`);
	assert.equal((await tuneInkCaches()).sharedFrames, true, 'a second call finds it done');
});
