// Write-behind persistence of one file: changes are coalesced and written atomically (temp file,
// synced, renamed; 0600) at most every delayMs, off the request path; flushSync writes at once
// (shutdown).
import {writeFileAtomic, writeFileAtomicSync} from '../util/atomic-write.js';

export class WriteBehind {
	readonly #file: string;
	readonly #serialize: () => string;
	readonly #delayMs: number;
	readonly #onError: (error: Error) => void;
	#timer: NodeJS.Timeout | undefined;
	#writing: Promise<void> | undefined;
	#again = false;
	#closed = false;

	constructor(file: string, serialize: () => string, delayMs: number, onError: (error: Error) => void) {
		this.#file = file;
		this.#serialize = serialize;
		this.#delayMs = delayMs;
		this.#onError = onError;
	}

	/** Something to save changed; the write happens later, coalesced with other changes. */
	soon(): void {
		if (this.#closed) {
			return;
		}

		if (this.#writing) {
			this.#again = true;
			return;
		}

		this.#timer ??= setTimeout(() => {
			this.#timer = undefined;
			void this.#write();
		}, this.#delayMs).unref();
	}

	/** Writes now, synchronously. */
	flushSync(): void {
		clearTimeout(this.#timer);
		this.#timer = undefined;
		writeFileAtomicSync(this.#file, this.#serialize());
	}

	/** The last write (flushSync) has happened; nothing more is written. */
	close(): void {
		this.#closed = true;
		clearTimeout(this.#timer);
	}

	async #write(): Promise<void> {
		this.#writing = writeFileAtomic(this.#file, this.#serialize()).catch((error: unknown) => {
			this.#onError(error as Error);
		});
		await this.#writing;
		this.#writing = undefined;
		if (this.#again) {
			this.#again = false;
			this.soon();
		}
	}
}
