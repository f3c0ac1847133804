import {readFileSync, renameSync} from 'node:fs';
import {isRecord} from '../util/json.js';
import {emptyPersistedState, type PersistedState} from './persisted-shape.js';
import {Drops, validateState} from './validate-state.js';

export {emptyPersistedState, type PersistedAccount, type PersistedState} from './persisted-shape.js';

export class StateFileError extends Error {}

/**
 * Reads state.json. Missing → fresh state. Unreadable (permissions, a directory) → an error that
 * names the file: starting fresh would silently drop cooldowns and savings. Corrupt (not JSON, or
 * not our shape) → the file is moved aside as state.json.corrupt-<time>, a warning is returned,
 * and shunt starts fresh; nothing is deleted. Ours but with bad entries (wrong types, NaN-ish or
 * absurd numbers) → each bad entry is dropped, the rest loads, and the warning names the file
 * and what was dropped.
 */
export function loadPersistedState(file: string, nowMs: number): {state: PersistedState; warning?: string} {
	let text: string;
	try {
		text = readFileSync(file, 'utf8');
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
			return {state: emptyPersistedState()};
		}

		throw new StateFileError(`cannot read state file ${file}: ${(error as Error).message}`);
	}

	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch {
		parsed = undefined;
	}

	if (!isRecord(parsed) || parsed['format'] !== 1) {
		const aside = `${file}.corrupt-${new Date(nowMs).toISOString().replaceAll(':', '-')}`;
		renameSync(file, aside);
		return {state: emptyPersistedState(), warning: `state file ${file} was corrupt; moved it to ${aside} and started fresh`};
	}

	const drops = new Drops();
	const state = validateState(parsed, nowMs, drops);
	if (drops.count === 0) {
		return {state};
	}

	const more = drops.count > drops.paths.length ? ` (and ${drops.count - drops.paths.length} more)` : '';
	return {state, warning: `state file ${file} had entries shunt cannot use; dropped ${drops.paths.join(', ')}${more}`};
}
