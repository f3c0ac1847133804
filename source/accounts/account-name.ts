const namePattern = /^[\w.-]+$/;
const maxNameLength = 64;

/** Returns why a name is not acceptable, or undefined when it is. */
export function accountNameProblem(name: string | undefined): string | undefined {
	if (name === undefined || name.length === 0) {
		return 'an account name is required';
	}

	if (name.length > maxNameLength) {
		return `account names are at most ${maxNameLength} characters`;
	}

	if (!namePattern.test(name)) {
		return `invalid account name "${name}": use letters, digits, ".", "_" and "-" only`;
	}

	return undefined;
}
