// A small seeded PRNG (sfc32, seeded by a string hash), so a run is the same run every time.
/* eslint-disable unicorn/prefer-math-trunc -- `| 0` wraps to 32 bits here, which Math.trunc does not */
// Each session forks its own stream by name: changing one session's draws leaves the others alone.

/** cyrb128: four 32-bit words from a string, to seed sfc32. */
function hashSeed(text: string): [number, number, number, number] {
	let h1 = 1_779_033_703;
	let h2 = 3_144_134_277;
	let h3 = 1_013_904_242;
	let h4 = 2_773_480_762;
	for (let index = 0; index < text.length; index++) {
		// eslint-disable-next-line unicorn/prefer-code-point -- cyrb128 hashes UTF-16 code units; runs are reproduced from its output
		const code = text.charCodeAt(index);
		h1 = h2 ^ Math.imul(h1 ^ code, 597_399_067);
		h2 = h3 ^ Math.imul(h2 ^ code, 2_869_860_233);
		h3 = h4 ^ Math.imul(h3 ^ code, 951_274_213);
		h4 = h1 ^ Math.imul(h4 ^ code, 2_716_044_179);
	}

	h1 = Math.imul(h3 ^ (h1 >>> 18), 597_399_067);
	h2 = Math.imul(h4 ^ (h2 >>> 22), 2_869_860_233);
	h3 = Math.imul(h1 ^ (h3 >>> 17), 951_274_213);
	h4 = Math.imul(h2 ^ (h4 >>> 19), 2_716_044_179);
	return [(h1 ^ h2 ^ h3 ^ h4) >>> 0, (h2 ^ h1) >>> 0, (h3 ^ h1) >>> 0, (h4 ^ h1) >>> 0];
}

export class Random {
	readonly #seed: string;
	#a: number;
	#b: number;
	#c: number;
	#d: number;

	constructor(seed: string) {
		this.#seed = seed;
		[this.#a, this.#b, this.#c, this.#d] = hashSeed(seed);
		// The first outputs of sfc32 still echo the seed.
		for (let index = 0; index < 12; index++) {
			this.next();
		}
	}

	/** An independent stream named after this one. */
	fork(name: string): Random {
		return new Random(`${this.#seed}/${name}`);
	}

	/** Uniform in [0, 1). */
	next(): number {
		this.#a >>>= 0;
		this.#b >>>= 0;
		this.#c >>>= 0;
		this.#d >>>= 0;
		let t = (this.#a + this.#b) | 0;
		this.#a = this.#b ^ (this.#b >>> 9);
		this.#b = (this.#c + (this.#c << 3)) | 0;
		this.#c = (this.#c << 21) | (this.#c >>> 11);
		this.#d = (this.#d + 1) | 0;
		t = (t + this.#d) | 0;
		this.#c = (this.#c + t) | 0;
		return (t >>> 0) / 4_294_967_296;
	}

	/** Uniform in [min, max). */
	between(min: number, max: number): number {
		return min + ((max - min) * this.next());
	}

	/** A whole number from min to max, both included. */
	int(min: number, max: number): number {
		return Math.floor(this.between(min, max + 1));
	}

	chance(probability: number): boolean {
		return this.next() < probability;
	}

	pick<T>(items: readonly T[]): T {
		const item = items[Math.floor(this.next() * items.length)];
		if (item === undefined) {
			throw new Error('pick: no items');
		}

		return item;
	}

	/** length hex digits, for ids. */
	hex(length: number): string {
		let text = '';
		while (text.length < length) {
			text += Math.floor(this.next() * 4_294_967_296).toString(16).padStart(8, '0');
		}

		return text.slice(0, length);
	}
}
