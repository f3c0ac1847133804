// When the simulator answers with a tool call: whenever the real API must (tool_choice "any" or a
// named tool), or when the last user turn asks for one by name ("use the get_weather tool").
// Its input is made from the tool's schema (each required property gets a value of its type), so
// a client's round trip (call → result → answer) can be tested without a model.

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

export type ToolCall = {id: string; name: string; input: Json};

function lastUserText(messages: unknown[]): string | undefined {
	const last = messages.at(-1);
	if (!isObject(last) || last['role'] !== 'user') {
		return undefined;
	}

	const {content} = last;
	if (typeof content === 'string') {
		return content;
	}

	if (!Array.isArray(content) || content.some(block => isObject(block) && block['type'] === 'tool_result')) {
		// A turn that carries tool results is answered in words.
		return undefined;
	}

	return content.map(block => (isObject(block) && typeof block['text'] === 'string' ? block['text'] : '')).join(' ');
}

const sampleValues: Readonly<Record<string, unknown>> = {
	string: 'sim', number: 1, integer: 1, boolean: true, array: [], object: {},
};

function inputFor(schema: unknown): Json {
	const input: Json = {};
	if (!isObject(schema) || !isObject(schema['properties']) || !Array.isArray(schema['required'])) {
		return input;
	}

	for (const name of schema['required']) {
		if (typeof name !== 'string') {
			continue;
		}

		const property = schema['properties'][name];
		const type = isObject(property) && typeof property['type'] === 'string' ? property['type'] : 'string';
		input[name] = Object.hasOwn(sampleValues, type) ? sampleValues[type] : null;
	}

	return input;
}

/** The tool call this request gets instead of a plain answer, if any (without its id). */
export function scriptedToolCall(body: Json): Omit<ToolCall, 'id'> | undefined {
	const tools = Array.isArray(body['tools']) ? body['tools'].filter((tool): tool is Json => isObject(tool) && typeof tool['name'] === 'string') : [];
	if (tools.length === 0) {
		return undefined;
	}

	const choice = isObject(body['tool_choice']) ? body['tool_choice'] : {type: 'auto'};
	let tool: Json | undefined;
	if (choice['type'] === 'tool') {
		tool = tools.find(candidate => candidate['name'] === choice['name']);
	} else if (choice['type'] === 'any') {
		tool = tools[0];
	} else if (choice['type'] !== 'none') {
		const text = lastUserText(Array.isArray(body['messages']) ? body['messages'] : [])?.toLowerCase();
		tool = text === undefined ? undefined : tools.find(candidate => text.includes(`use the ${String(candidate['name']).toLowerCase()} tool`));
	}

	return tool ? {name: String(tool['name']), input: inputFor(tool['input_schema'])} : undefined;
}
