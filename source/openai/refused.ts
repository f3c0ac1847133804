// A request shunt will not send, with the parameter it is about: the translators throw it, and
// translateRequest turns it into a 400 (or 404) in OpenAI's shape.

export class Refused extends Error {
	constructor(readonly param: string, message: string, readonly status = 400, readonly code: string | null = 'unsupported_parameter') {
		super(message);
	}
}

// Names from a client end up in error messages, which end up on terminals.
export function printable(text: string): string {
	return text.slice(0, 100).replaceAll(/[^\x20-\x7E]/g, '?');
}
