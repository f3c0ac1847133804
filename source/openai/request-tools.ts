// OpenAI function tools and tool_choice as Anthropic tools and tool_choice.
import {isRecord, type JsonObject} from '../util/json.js';
import {Refused} from './refused.js';

type Block = JsonObject;

export function translateTools(input: JsonObject): JsonObject {
	const rawTools = input['tools'];
	const result: JsonObject = {};
	if (rawTools !== undefined && rawTools !== null) {
		if (!Array.isArray(rawTools)) {
			throw new Refused('tools', 'tools must be a list.', 400, null);
		}

		if (rawTools.length > 0) {
			result['tools'] = rawTools.map((tool, index) => translateTool(tool, `tools[${index}]`));
		}
	}

	const hasTools = result['tools'] !== undefined;
	const choice = toolChoice(input['tool_choice'], hasTools);
	const parallel = input['parallel_tool_calls'];
	if (parallel !== undefined && parallel !== null && typeof parallel !== 'boolean') {
		throw new Refused('parallel_tool_calls', 'parallel_tool_calls must be true or false.', 400, null);
	}

	if (parallel === false && hasTools && choice?.['type'] !== 'none') {
		result['tool_choice'] = {...choice ?? {type: 'auto'}, disable_parallel_tool_use: true};
	} else if (choice) {
		result['tool_choice'] = choice;
	}

	return result;
}

function translateTool(tool: unknown, where: string): Block {
	if (!isRecord(tool) || tool['type'] !== 'function' || !isRecord(tool['function'])) {
		throw new Refused(`${where}.type`, 'only function tools are supported.');
	}

	const fn = tool['function'];
	if (typeof fn['name'] !== 'string' || !/^[\w-]{1,128}$/.test(fn['name'])) {
		throw new Refused(`${where}.function.name`, `${where}.function.name must be 1 to 128 letters, digits, _ or -.`, 400, null);
	}

	const parameters = fn['parameters'] ?? {type: 'object', properties: {}};
	if (!isRecord(parameters)) {
		throw new Refused(`${where}.function.parameters`, `${where}.function.parameters must be a JSON schema object.`, 400, null);
	}

	// `strict` asks OpenAI to enforce the schema; Claude follows the schema without that promise.
	const block: Block = {name: fn['name'], input_schema: parameters};
	if (typeof fn['description'] === 'string' && fn['description'] !== '') {
		block['description'] = fn['description'];
	}

	return block;
}

function toolChoice(choice: unknown, hasTools: boolean): JsonObject | undefined {
	if (choice === undefined || choice === null) {
		return undefined;
	}

	if (choice === 'none') {
		return hasTools ? {type: 'none'} : undefined;
	}

	if (!hasTools) {
		throw new Refused('tool_choice', 'tool_choice needs tools.', 400, null);
	}

	if (choice === 'auto') {
		return {type: 'auto'};
	}

	if (choice === 'required') {
		return {type: 'any'};
	}

	if (isRecord(choice) && choice['type'] === 'function' && isRecord(choice['function']) && typeof choice['function']['name'] === 'string') {
		return {type: 'tool', name: choice['function']['name']};
	}

	throw new Refused('tool_choice', 'tool_choice must be none, auto, required, or {"type": "function", "function": {"name": …}}.');
}
