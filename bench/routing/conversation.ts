// One Claude Code-like conversation as the routing benchmark sends it: tools, a system prompt
// whose last block is cached, and a message history that grows by an assistant answer and a tool
// result every turn. The last two user messages carry cache_control, so each turn reads the prefix
// the previous turn wrote (the simulator looks cache entries up by exact breakpoint prefix; marking
// the previous turn's breakpoint as well is what makes a growing conversation hit its cache).
import type {Random} from './prng.js';

type Block = {type: 'text'; text: string; cache_control?: {type: 'ephemeral'}};
type Message = {role: 'user' | 'assistant'; content: Block[]};

const cached = {type: 'ephemeral'} as const;

// Words to fill prompts with: only their byte count matters to the simulator's tokenizer (4 bytes a
// token), and a tag in front of each block keeps every block distinct.
const filler = 'the function reads the config file then walks each entry and checks the bounds before it writes the result back atomically so a crash leaves the old file in place while tests cover every branch of it ';

export function text(tag: string, bytes: number): string {
	const head = `${tag}: `;
	let body = '';
	while (body.length < bytes - head.length) {
		body += filler;
	}

	return head + body.slice(0, Math.max(0, bytes - head.length));
}

/** "8-4-4-4-12" hex, as Claude Code's session ids look. */
export function uuid(random: Random): string {
	const hex = random.hex(32);
	return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export type Sizes = {
	/** Bytes; 4 bytes are one simulator token. */
	toolDescription: number;
	tools: number;
	mainSystem: number;
	agentSystem: number;
	env: number;
	firstUser: [number, number];
	assistant: [number, number];
	toolResult: [number, number];
	/** Share of tool results that are big (a file read), and their size. */
	bigResultChance: number;
	bigResult: [number, number];
	/** A conversation this long (bytes of messages) is compacted to a summary before its next task. */
	compactAt: number;
	summary: number;
};

/** The tool list every Claude Code-like client sends (the same in every session). */
export function toolList(sizes: Sizes): unknown[] {
	const names = ['Bash', 'Read', 'Edit', 'Write', 'Grep', 'Glob', 'Task', 'TodoWrite', 'WebFetch', 'NotebookEdit'];
	return names.slice(0, sizes.tools).map(name => ({
		name,
		description: text(`tool ${name}`, sizes.toolDescription),
		input_schema: {type: 'object', properties: {input: {type: 'string'}}, required: ['input']},
	}));
}

export type ConversationSpec = {
	/** Claude Code's session id: the one metadata.user_id carries. */
	sessionId: string;
	/** The user part of metadata.user_id (64 hex digits). */
	userHash: string;
	model: string;
	/** Names this conversation's text: session, conversation and agent. */
	label: string;
	system: string[];
	tools: unknown[];
};

export class Conversation {
	readonly spec: ConversationSpec;
	readonly #sizes: Sizes;
	#messages: Message[] = [];
	#bytes = 0;
	#turn = 0;

	constructor(spec: ConversationSpec, sizes: Sizes) {
		this.spec = spec;
		this.#sizes = sizes;
	}

	/** Bytes of message text so far (4 bytes a token). */
	get bytes(): number {
		return this.#bytes;
	}

	/** The user speaks: a new user message, or more of the one still waiting for an answer. */
	userSays(words: string): void {
		const last = this.#messages.at(-1);
		const block: Block = {type: 'text', text: words};
		if (last?.role === 'user') {
			last.content.push(block);
		} else {
			this.#messages.push({role: 'user', content: [block]});
		}

		this.#bytes += words.length;
	}

	/** The answer arrived: the assistant's text, then (unless the task is done) the tool's result. */
	answered(random: Random, done: boolean): void {
		this.#turn++;
		const words = text(`${this.spec.label} answer ${this.#turn}`, random.int(...this.#sizes.assistant));
		this.#messages.push({role: 'assistant', content: [{type: 'text', text: words}]});
		this.#bytes += words.length;
		if (!done) {
			const big = random.chance(this.#sizes.bigResultChance);
			this.userSays(text(`${this.spec.label} tool result ${this.#turn}`, random.int(...(big ? this.#sizes.bigResult : this.#sizes.toolResult))));
		}
	}

	/** Claude Code compacts a long conversation into a summary: the cache starts over from the system prompt. */
	compactIfLong(): boolean {
		if (this.#bytes < this.#sizes.compactAt) {
			return false;
		}

		this.#messages = [];
		this.#bytes = 0;
		this.userSays(text(`${this.spec.label} summary ${this.#turn}`, this.#sizes.summary));
		return true;
	}

	/** The request for the next turn. */
	body(): Record<string, unknown> {
		const userIndexes = this.#messages.flatMap((message, index) => (message.role === 'user' ? [index] : [])).slice(-2);
		const messages = this.#messages.map((message, index) => {
			if (!userIndexes.includes(index)) {
				return message;
			}

			const content = [...message.content];
			content[content.length - 1] = {...content.at(-1)!, cache_control: cached};
			return {role: message.role, content};
		});
		const system = this.spec.system.map((block, index, all): Block => (index === all.length - 1 ? {type: 'text', text: block, cache_control: cached} : {type: 'text', text: block}));
		return {
			model: this.spec.model,
			max_tokens: 32_000,
			stream: true,
			metadata: {user_id: `user_${this.spec.userHash}_account__session_${this.spec.sessionId}`},
			system,
			tools: this.spec.tools,
			messages,
		};
	}
}
