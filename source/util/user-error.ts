/** An error meant for the user: printed as one line, exit code 1 (or the given one), no stack. */
export class UserError extends Error {
	readonly exitCode: number;

	constructor(message: string, exitCode = 1) {
		super(message);
		this.exitCode = exitCode;
	}
}
