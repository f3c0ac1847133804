// OpenAI clients never say what to cache: OpenAI caches long prompt prefixes by itself. Claude
// caches only up to blocks marked with cache_control, so a translated conversation would pay for
// its whole prompt again on every turn. The marks go where Claude Code puts its own: the end of the
// system prompt (shared by every conversation of a tool), and the end of the last two user turns,
// the earlier of which is where the previous request of the conversation wrote its cache, so this
// one reads it. Three of the four marks a request may carry; prompts too short to cache are
// served as before.
import type {JsonObject} from '../util/json.js';

type Block = JsonObject;
type Turn = {role: 'user' | 'assistant'; content: Block[]};

const ephemeral = {type: 'ephemeral'};

/** Marks the last block that can carry cache_control (an empty text block cannot). */
function markLast(blocks: Block[]): void {
	for (let index = blocks.length - 1; index >= 0; index--) {
		const block = blocks[index]!;
		if (block['type'] === 'text' && block['text'] === '') {
			continue;
		}

		block['cache_control'] = ephemeral;
		return;
	}
}

export function markCachePoints(system: Block[], turns: Turn[]): void {
	markLast(system);
	let marked = 0;
	for (let index = turns.length - 1; index >= 0 && marked < 2; index--) {
		if (turns[index]!.role === 'user') {
			markLast(turns[index]!.content);
			marked++;
		}
	}
}
