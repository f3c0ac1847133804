// Ink 6 keeps three kinds of text cache, and both of their lifetimes are wrong for a screen that
// runs for days and changes a little every frame:
//
// - While it assembles a frame, Ink splits every line into styled characters (an ANSI tokenizer)
//   and measures them, in caches that live for that one frame. Most of the monitor's lines are
//   the same from one frame to the next (a log row moves down but keeps its text), so the work is
//   repeated: Ink's output pass took ~15 ms a frame at 120×40 and ~10 ms with the caches kept
//   (scripts/preview/frame-cost.tsx), CPU the proxy shares on a small machine.
// - Yoga's text measurements and wrapped texts go into module-level caches that never forget
//   (Ink issue #986, fixed in Ink 7, which needs Node 22): every distinct row ever drawn stays in
//   memory, a few per second on a busy monitor (a live row's elapsed time changes every frame).
//
// This module fixes both from outside. Ink exports none of these, so each is found by shape
// (Output beside Ink's entry point; the two module caches by what they store when handed a
// probe) and changed only if it is what Ink 6 has. With any other shape nothing is changed and
// the screen works as before, without the saving or the bound.

/** A map that keeps what was used in this frame or the one before: about two frames' worth. */
export class TwoFrameMap<K, V> {
	#current = new Map<K, V>();
	#previous = new Map<K, V>();

	get size(): number {
		return this.#current.size + this.#previous.size;
	}

	get(key: K): V | undefined {
		let value = this.#current.get(key);
		if (value === undefined) {
			value = this.#previous.get(key);
			if (value !== undefined) {
				this.#current.set(key, value);
			}
		}

		return value;
	}

	set(key: K, value: V): this {
		this.#current.set(key, value);
		return this;
	}

	/** Forgets what the frame before this one used and this one did not. */
	endFrame(): void {
		this.#previous = this.#current;
		this.#current = new Map();
	}
}

type InkOutput = {
	prototype: {get(this: {caches: unknown}): unknown};
	new (options: {width: number; height: number}): {caches: unknown};
};
type MeasureText = (text: string) => unknown;
type WrapText = (text: string, maxWidth: number, wrapType: string) => string;
/** What bounds Ink's module caches: clear one once it holds more entries than this. */
export const moduleCacheLimit = 2000;

const outputCacheNames = ['widths', 'blockWidths', 'styledChars'] as const;
const probe = '\u0000shunt cache probe';
type Tuned = {outputCaches: Array<TwoFrameMap<unknown, unknown>>; measured?: Map<unknown, unknown>; wrapped?: Record<string, unknown>};
let installed: Tuned | undefined;

/* eslint-disable no-extend-native, unicorn/no-this-assignment, @typescript-eslint/no-this-alias --
   the two probes below must learn which object Ink's own code stores into; each changes a
   prototype only for one synchronous call and restores it before returning. */

/** Calls `run` while Map#set reports the map that stores `key`: how measureText's private cache is found. */
function mapStoring(key: string, run: () => void): Map<unknown, unknown> | undefined {
	const originalSet = Map.prototype.set;
	let found: Map<unknown, unknown> | undefined;
	Map.prototype.set = function (this: Map<unknown, unknown>, mapKey: unknown, value: unknown) {
		if (mapKey === key) {
			found = this;
		}

		return originalSet.call(this, mapKey, value);
	};

	try {
		run();
	} finally {
		Map.prototype.set = originalSet;
	}

	return found;
}

/** Calls `run` while an inherited setter reports the plain object that stores `key`: wrapText's cache. */
function objectStoring(key: string, run: () => void): Record<string, unknown> | undefined {
	let found: Record<string, unknown> | undefined;
	Object.defineProperty(Object.prototype, key, {
		configurable: true,
		get: () => undefined,
		set(this: Record<string, unknown>, value: unknown) {
			found = this;
			Object.defineProperty(this, key, {
				value, writable: true, enumerable: true, configurable: true,
			});
		},
	});
	try {
		run();
	} finally {
		Reflect.deleteProperty(Object.prototype, key);
	}

	return found;
}

/* eslint-enable no-extend-native, unicorn/no-this-assignment, @typescript-eslint/no-this-alias */

/** Makes Ink's frame assembly share caches across frames, and bounds the module caches after each frame. */
function shareOutputCaches(Output: InkOutput, afterFrame: () => void): Array<TwoFrameMap<unknown, unknown>> | undefined {
	const originalGet = Output.prototype.get;
	let caches: Record<string, unknown>;
	try {
		caches = new Output({width: 0, height: 0}).caches as Record<string, unknown>;
	} catch {
		return undefined;
	}

	if (typeof originalGet !== 'function' || typeof caches !== 'object' || caches === null
		|| !outputCacheNames.every(name => caches[name] instanceof Map)) {
		return undefined;
	}

	const maps = outputCacheNames.map(name => {
		const map = new TwoFrameMap<unknown, unknown>();
		caches[name] = map;
		return map;
	});
	Output.prototype.get = function (this: {caches: unknown}) {
		this.caches = caches;
		try {
			return originalGet.call(this);
		} finally {
			for (const map of maps) {
				map.endFrame();
			}

			afterFrame();
		}
	};

	return maps;
}

/**
 * Applies both fixes to Ink's modules (see the top of this file), once per process. Returns what
 * was changed, for tests and the frame-cost tool.
 */
export async function tuneInkCaches(): Promise<{sharedFrames: boolean; boundedMeasure: boolean; boundedWrap: boolean}> {
	if (!installed) {
		const load = async <T>(file: string): Promise<T | undefined> => {
			try {
				const module = await import(new URL(file, import.meta.resolve('ink')).href) as {default: T};
				return module.default;
			} catch {
				return undefined;
			}
		};

		const [outputClass, measureText, wrapText] = await Promise.all([
			load<InkOutput>('output.js'), load<MeasureText>('measure-text.js'), load<WrapText>('wrap-text.js'),
		]);
		const state: Tuned = {outputCaches: []};
		if (typeof measureText === 'function') {
			const found = mapStoring(probe, () => {
				measureText(probe);
			});
			if (found?.get(probe) !== undefined && measureText(probe) === found.get(probe)) {
				found.delete(probe);
				state.measured = found;
			}
		}

		if (typeof wrapText === 'function') {
			// wrapText keys its cache by text, width and mode run together.
			const found = objectStoring(`${probe}1truncate`, () => {
				wrapText(probe, 1, 'truncate');
			});
			if (found && typeof found[`${probe}1truncate`] === 'string') {
				Reflect.deleteProperty(found, `${probe}1truncate`);
				state.wrapped = found;
			}
		}

		const bound = () => {
			if (state.measured && state.measured.size > moduleCacheLimit) {
				state.measured.clear();
			}

			if (state.wrapped && Object.keys(state.wrapped).length > moduleCacheLimit) {
				for (const key of Object.keys(state.wrapped)) {
					Reflect.deleteProperty(state.wrapped, key);
				}
			}
		};

		state.outputCaches = (outputClass && shareOutputCaches(outputClass, bound)) ?? [];
		installed = state;
	}

	return {sharedFrames: installed.outputCaches.length > 0, boundedMeasure: installed.measured !== undefined, boundedWrap: installed.wrapped !== undefined};
}

/** How many entries Ink's caches hold now (tests: they stay bounded). */
export function inkCacheSizes(): {frame: number; measured: number | undefined; wrapped: number | undefined} {
	return {
		frame: installed?.outputCaches.reduce((sum, map) => sum + map.size, 0) ?? 0,
		measured: installed?.measured?.size,
		wrapped: installed?.wrapped ? Object.keys(installed.wrapped).length : undefined,
	};
}
