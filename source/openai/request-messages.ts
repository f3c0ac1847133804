// OpenAI messages as Messages turns: system and developer messages → system blocks; user text
// and images; assistant text and tool calls → tool_use blocks; tool messages → tool_result
// blocks. Consecutive messages of one role become one turn, as the Messages API alternates roles.
import {isRecord, type JsonObject} from '../util/json.js';
import {Refused} from './refused.js';

type Block = JsonObject;
type Turn = {role: 'user' | 'assistant'; content: Block[]};

export function translateMessages(raw: unknown): {system: Block[]; messages: Turn[]} {
	if (!Array.isArray(raw) || raw.length === 0) {
		throw new Refused('messages', 'messages must be a non-empty list.', 400, null);
	}

	const system: Block[] = [];
	const turns: Turn[] = [];
	// Consecutive messages of one role become one turn, as the Messages API alternates roles;
	// tool results join the user turn that carries them, ahead of any text in it.
	const add = (role: Turn['role'], blocks: Block[]) => {
		if (blocks.length === 0) {
			return;
		}

		const last = turns.at(-1);
		if (last?.role === role) {
			last.content.push(...blocks);
		} else {
			turns.push({role, content: blocks});
		}
	};

	for (const [index, message] of raw.entries()) {
		const where = `messages[${index}]`;
		if (!isRecord(message)) {
			throw new Refused(where, `${where} must be an object.`, 400, null);
		}

		switch (message['role']) {
			case 'system':
			case 'developer': {
				system.push(...textBlocks(message['content'], `${where}.content`));
				break;
			}

			case 'user': {
				add('user', userBlocks(message['content'], `${where}.content`));
				break;
			}

			case 'assistant': {
				add('assistant', assistantBlocks(message, where));
				break;
			}

			case 'tool': {
				add('user', [toolResult(message, where)]);
				break;
			}

			case 'function': {
				throw new Refused(`${where}.role`, 'function messages (the deprecated functions API) are not supported; use tools and tool messages.');
			}

			default: {
				throw new Refused(`${where}.role`, `${where}.role must be system, developer, user, assistant or tool.`, 400, null);
			}
		}
	}

	if (turns.length === 0) {
		throw new Refused('messages', 'messages must hold at least one user or assistant message with content.', 400, null);
	}

	return {system, messages: turns};
}

/** String content, or a list of text parts (system, developer and tool messages). */
function textBlocks(content: unknown, where: string): Block[] {
	if (typeof content === 'string') {
		return content === '' ? [] : [{type: 'text', text: content}];
	}

	if (!Array.isArray(content)) {
		throw new Refused(where, `${where} must be a string or a list of text parts.`, 400, null);
	}

	return content.flatMap((part, index) => {
		if (!isRecord(part) || part['type'] !== 'text' || typeof part['text'] !== 'string') {
			throw new Refused(`${where}[${index}]`, `${where}[${index}] must be a text part here.`, 400, null);
		}

		return part['text'] === '' ? [] : [{type: 'text', text: part['text']}];
	});
}

function userBlocks(content: unknown, where: string): Block[] {
	if (typeof content === 'string') {
		return content === '' ? [] : [{type: 'text', text: content}];
	}

	if (!Array.isArray(content)) {
		throw new Refused(where, `${where} must be a string or a list of content parts.`, 400, null);
	}

	return content.flatMap((part, index): Block[] => {
		const at = `${where}[${index}]`;
		if (!isRecord(part)) {
			throw new Refused(at, `${at} must be an object.`, 400, null);
		}

		switch (part['type']) {
			case 'text': {
				if (typeof part['text'] !== 'string') {
					throw new Refused(`${at}.text`, `${at}.text must be a string.`, 400, null);
				}

				return part['text'] === '' ? [] : [{type: 'text', text: part['text']}];
			}

			case 'image_url': {
				return [imageBlock(part['image_url'], `${at}.image_url`)];
			}

			case 'input_audio': {
				throw new Refused(at, 'audio input is not supported.');
			}

			case 'file': {
				throw new Refused(at, 'file parts are not supported; send text or images.');
			}

			default: {
				throw new Refused(`${at}.type`, `${at}.type must be text or image_url.`, 400, null);
			}
		}
	});
}

// data:<media type>;base64,<data>
const dataUrl = /^data:(image\/(?:png|jpeg|gif|webp));base64,([A-Za-z\d+/=\s]+)$/;

function imageBlock(image: unknown, where: string): Block {
	const url = isRecord(image) ? image['url'] : undefined;
	if (typeof url !== 'string') {
		throw new Refused(where, `${where}.url must be a string.`, 400, null);
	}

	if (url.startsWith('data:')) {
		const match = dataUrl.exec(url);
		if (!match) {
			throw new Refused(`${where}.url`, 'an image data URL must be base64 PNG, JPEG, GIF or WebP (data:image/png;base64,…).', 400, null);
		}

		return {type: 'image', source: {type: 'base64', media_type: match[1], data: match[2]!.replaceAll(/\s/g, '')}};
	}

	if (!/^https?:\/\//i.test(url)) {
		throw new Refused(`${where}.url`, 'an image URL must be http(s) or a base64 data URL.', 400, null);
	}

	// Fetched by the API itself, never by shunt.
	return {type: 'image', source: {type: 'url', url}};
}

function assistantBlocks(message: JsonObject, where: string): Block[] {
	for (const key of ['audio', 'function_call']) {
		if (message[key] !== undefined && message[key] !== null) {
			throw new Refused(`${where}.${key}`, `${where}.${key} is not supported.`);
		}
	}

	const blocks: Block[] = [];
	const {content} = message;
	if (typeof content === 'string') {
		if (content !== '') {
			blocks.push({type: 'text', text: content});
		}
	} else if (Array.isArray(content)) {
		for (const [index, part] of content.entries()) {
			const at = `${where}.content[${index}]`;
			if (!isRecord(part) || (part['type'] !== 'text' && part['type'] !== 'refusal')) {
				throw new Refused(at, `${at} must be a text or refusal part.`, 400, null);
			}

			const text = part['type'] === 'text' ? part['text'] : part['refusal'];
			if (typeof text !== 'string') {
				throw new Refused(at, `${at} must carry a string.`, 400, null);
			}

			if (text !== '') {
				blocks.push({type: 'text', text});
			}
		}
	} else if (content !== undefined && content !== null) {
		throw new Refused(`${where}.content`, `${where}.content must be a string, a list of parts, or null.`, 400, null);
	}

	const calls = message['tool_calls'];
	if (calls !== undefined && calls !== null) {
		if (!Array.isArray(calls)) {
			throw new Refused(`${where}.tool_calls`, `${where}.tool_calls must be a list.`, 400, null);
		}

		for (const [index, call] of calls.entries()) {
			blocks.push(toolUse(call, `${where}.tool_calls[${index}]`));
		}
	}

	return blocks;
}

function toolUse(call: unknown, where: string): Block {
	if (!isRecord(call) || typeof call['id'] !== 'string' || call['id'] === '') {
		throw new Refused(where, `${where} must be an object with an id.`, 400, null);
	}

	if (call['type'] !== 'function' || !isRecord(call['function'])) {
		throw new Refused(`${where}.type`, 'only function tool calls are supported.');
	}

	const fn = call['function'];
	if (typeof fn['name'] !== 'string' || fn['name'] === '') {
		throw new Refused(`${where}.function.name`, `${where}.function.name must be a non-empty string.`, 400, null);
	}

	const args = fn['arguments'];
	let input: unknown = {};
	if (typeof args === 'string' && args.trim() !== '') {
		try {
			input = JSON.parse(args);
		} catch {
			throw new Refused(`${where}.function.arguments`, `${where}.function.arguments must be a JSON object in a string.`, 400, null);
		}
	} else if (args !== undefined && args !== null && args !== '') {
		throw new Refused(`${where}.function.arguments`, `${where}.function.arguments must be a string.`, 400, null);
	}

	if (!isRecord(input)) {
		throw new Refused(`${where}.function.arguments`, `${where}.function.arguments must be a JSON object.`, 400, null);
	}

	return {
		type: 'tool_use', id: call['id'], name: fn['name'], input,
	};
}

function toolResult(message: JsonObject, where: string): Block {
	const id = message['tool_call_id'];
	if (typeof id !== 'string' || id === '') {
		throw new Refused(`${where}.tool_call_id`, `${where}.tool_call_id must be the id of the tool call it answers.`, 400, null);
	}

	const content = textBlocks(message['content'], `${where}.content`);
	return content.length === 0 ? {type: 'tool_result', tool_use_id: id} : {type: 'tool_result', tool_use_id: id, content};
}
