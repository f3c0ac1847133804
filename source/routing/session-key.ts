// Derives the key that keeps one conversation on one account. Moving a conversation loses its
// prompt cache (caches are per organization), so the key should be as stable as the session.
// Sources, best first: Claude Code's session header, the session inside metadata.user_id, and a
// fingerprint of the conversation's opening. Each is prefixed so the three can never collide.
import {hash} from 'node:crypto';
import {isRecord} from '../util/json.js';

type HeaderBag = Record<string, string | string[] | undefined>;

const sessionHeader = 'x-claude-code-session-id';

// Longer ids are hashed so a client cannot make the sticky table hold arbitrarily large keys.
const maxRawIdLength = 128;

// user_<64 hex>_account_<uuid or empty>_session_<uuid>
const legacyUserId = /^user_[0-9a-f]{64}_account_[0-9a-f-]*_session_([0-9a-f-]+)$/i;

// Claude Code's first system block is a per-request attribution line (it carries a checksum),
// so it would make every turn of one conversation fingerprint differently.
const attributionBlock = 'x-anthropic-billing-header:';

/**
 * The key of one conversation. A session id alone is not one: Claude Code's subagents share their
 * parent's session id, so a fan-out of eight would all stick to one account and meet its burst
 * pacing together. The id plus a digest of the conversation's first user message tells them
 * apart, and stays the same turn after turn of each (the history grows behind that message).
 */
export function sessionKey(headers: HeaderBag, body: unknown): string | undefined {
	const header = headerValue(headers, sessionHeader);
	if (header) {
		return `h:${boundedId(header)}${openingDigest(body)}`;
	}

	if (!isRecord(body)) {
		return undefined;
	}

	const session = sessionFromUserId(isRecord(body['metadata']) ? body['metadata']['user_id'] : undefined);
	if (session) {
		return `u:${boundedId(session)}${openingDigest(body)}`;
	}

	const fingerprint = conversationFingerprint(body);
	return fingerprint ? `f:${fingerprint}` : undefined;
}

function sessionFromUserId(userId: unknown): string | undefined {
	if (typeof userId !== 'string') {
		return undefined;
	}

	const text = userId.trim();
	const legacy = legacyUserId.exec(text);
	if (legacy) {
		return legacy[1]?.toLowerCase();
	}

	if (!text.startsWith('{')) {
		return undefined;
	}

	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch {
		return undefined;
	}

	const session = isRecord(parsed) ? parsed['session_id'] : undefined;
	return typeof session === 'string' && session.trim() !== '' ? session.trim() : undefined;
}

/** `:` and 16 hex digits of the first user message's text, or nothing when there is none. */
function openingDigest(body: unknown): string {
	const text = isRecord(body) ? firstUserText(body) : '';
	return text === '' ? '' : `:${hash('sha256', text, 'hex').slice(0, 16)}`;
}

function firstUserText(body: Record<string, unknown>): string {
	const messages = Array.isArray(body['messages']) ? body['messages'] : [];
	const firstUser = messages.find((message): message is Record<string, unknown> => isRecord(message) && message['role'] === 'user');
	return firstUser ? textOf(firstUser['content'], false) : '';
}

function conversationFingerprint(body: Record<string, unknown>): string | undefined {
	const system = textOf(body['system'], true);
	const userText = firstUserText(body);
	if (system === '' && userText === '') {
		return undefined;
	}

	const tools = Array.isArray(body['tools']) ? body['tools'] : [];
	const toolNames = tools
		.map(tool => (isRecord(tool) && typeof tool['name'] === 'string' ? tool['name'] : undefined))
		.filter((name): name is string => name !== undefined);
	toolNames.sort();

	// One-shot hashing: the same digest as feeding the parts in turn, at a fraction of the cost.
	return hash('sha256', `${system}\0${userText}\0${toolNames.join(',')}`, 'hex');
}

/** A string as is, or the text blocks of a block array concatenated. */
function textOf(content: unknown, skipAttribution: boolean): string {
	if (typeof content === 'string') {
		return content;
	}

	if (!Array.isArray(content)) {
		return '';
	}

	let text = '';
	for (const block of content) {
		if (!isRecord(block) || block['type'] !== 'text' || typeof block['text'] !== 'string') {
			continue;
		}

		if (skipAttribution && block['text'].startsWith(attributionBlock)) {
			continue;
		}

		text += block['text'];
	}

	return text;
}

function headerValue(headers: HeaderBag, name: string): string | undefined {
	let raw = headers[name];
	if (raw === undefined) {
		// Node lower-cases incoming names, but a caller may hand over a hand-built object.
		const key = Object.keys(headers).find(candidate => candidate.toLowerCase() === name);
		raw = key === undefined ? undefined : headers[key];
	}

	const value = (Array.isArray(raw) ? raw[0] : raw)?.trim();
	return value || undefined;
}

function boundedId(id: string): string {
	return id.length <= maxRawIdLength ? id : hash('sha256', id, 'hex');
}

