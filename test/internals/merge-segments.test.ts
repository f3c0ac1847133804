// covers: source/monitor/kit/segments.ts (mergeSegments)
// Neighbouring segments in one style are drawn as one: the same text, fewer elements and style changes.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {mergeSegments, type Segment} from '../../source/monitor/kit/segments.js';

const cases: Array<{name: string; input: Segment[]; expected: Segment[]}> = [
	{name: 'nothing to merge', input: [{text: 'a'}, {text: 'b', color: 'red'}, {text: 'c'}], expected: [{text: 'a'}, {text: 'b', color: 'red'}, {text: 'c'}]},
	{name: 'plain runs (cells and their padding)', input: [{text: '07:00:52'}, {text: ' '}, {text: 'work'}, {text: '   '}, {text: '200', bold: true}], expected: [{text: '07:00:52 work   '}, {text: '200', bold: true}]},
	{name: 'a styled run', input: [{text: '██', color: 'cyan'}, {text: '░░', color: 'cyan'}, {text: ' 41%'}], expected: [{text: '██░░', color: 'cyan'}, {text: ' 41%'}]},
	{name: 'every style field counts', input: [{text: 'a', color: 'red'}, {text: 'b', color: 'red', bold: true}, {text: 'c', color: 'red', dimColor: true}, {text: 'd', color: 'red', inverse: true}, {text: 'e', color: 'red', backgroundColor: 'blue'}], expected: [{text: 'a', color: 'red'}, {text: 'b', color: 'red', bold: true}, {text: 'c', color: 'red', dimColor: true}, {text: 'd', color: 'red', inverse: true}, {text: 'e', color: 'red', backgroundColor: 'blue'}]},
	{name: 'one or none', input: [{text: 'x', color: 'red'}], expected: [{text: 'x', color: 'red'}]},
	{name: 'empty', input: [], expected: []},
];

test('neighbours in the same style become one segment; the text drawn is the same', () => {
	for (const {name, input, expected} of cases) {
		const merged = mergeSegments(input);
		assert.deepEqual(merged, expected, name);
		assert.equal(merged.map(segment => segment.text).join(''), input.map(segment => segment.text).join(''), `${name}: same text`);
	}
});

test('a list with nothing to merge comes back as it is, and the input is never changed', () => {
	const input: Segment[] = [{text: 'a'}, {text: 'b', color: 'red'}];
	assert.equal(mergeSegments(input), input);
	const runs: Segment[] = [{text: 'a'}, {text: 'b'}];
	mergeSegments(runs);
	assert.deepEqual(runs, [{text: 'a'}, {text: 'b'}]);
});
