// covers: source/routing/session-key.ts
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {createHash} from 'node:crypto';
import {sessionKey} from '../source/routing/session-key.js';

const sessionUuid = '0b6f7a52-3c1e-4d7a-9f51-2b8d6e4c1a90';
const deviceHex = 'a'.repeat(64);
const legacyUserId = `user_${deviceHex}_account_5f0c3d1e-8a2b-4c6d-9e7f-1a2b3c4d5e6f_session_${sessionUuid}`;
const jsonUserId = JSON.stringify({device_id: deviceHex, account_uuid: '', session_id: sessionUuid});

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

const conversation = {
	model: 'claude-sonnet-4-6',
	system: 'You are terse.',
	messages: [
		{role: 'user', content: 'Hello'},
		{role: 'assistant', content: 'Hi'},
		{role: 'user', content: 'Again'},
	],
	tools: [{name: 'write'}, {name: 'bash'}, {name: 'read'}],
};

test('the Claude Code session header comes first', () => {
	const key = sessionKey({'x-claude-code-session-id': 'abc-123'}, {...conversation, metadata: {user_id: legacyUserId}});
	assert.equal(key, `h:abc-123:${sha256('Hello').slice(0, 16)}`);
});

test('subagents sharing a session id are separate conversations; each keeps its key as it grows', () => {
	const session = {'x-claude-code-session-id': 'parent-session'};
	const main = sessionKey(session, conversation);
	const later = sessionKey(session, {...conversation, messages: [...conversation.messages, {role: 'assistant', content: 'Ok'}, {role: 'user', content: 'More'}]});
	assert.equal(later, main, 'the same conversation, turn after turn');
	const subagents = ['Search the repo for TODOs', 'Run the tests', 'Read the readme'].map(task => sessionKey(session, {...conversation, messages: [{role: 'user', content: task}]}));
	assert.equal(new Set([main, ...subagents]).size, 4, 'four conversations, four keys');
	for (const key of subagents) {
		assert.ok(key!.startsWith('h:parent-session:'), key);
	}

	// The same holds for the session inside metadata.user_id.
	const viaUserId = (content: string) => sessionKey({}, {metadata: {user_id: jsonUserId}, messages: [{role: 'user', content}]});
	assert.notEqual(viaUserId('one task'), viaUserId('another task'));
});

test('the header works without a body and in any case', () => {
	assert.equal(sessionKey({'x-claude-code-session-id': ['s1', 's2']}, undefined), 'h:s1');
	assert.equal(sessionKey({'X-Claude-Code-Session-Id': 's3'}, 'not json'), 'h:s3');
});

test('an empty header falls through to the body', () => {
	assert.equal(sessionKey({'x-claude-code-session-id': '  '}, {metadata: {user_id: legacyUserId}}), `u:${sessionUuid}`);
});

test('a legacy metadata.user_id yields its session', () => {
	assert.equal(sessionKey({}, {...conversation, metadata: {user_id: legacyUserId}}), `u:${sessionUuid}:${sha256('Hello').slice(0, 16)}`);
	// The account part may be empty.
	const noAccount = `user_${deviceHex}_account__session_${sessionUuid}`;
	assert.equal(sessionKey({}, {metadata: {user_id: noAccount}}), `u:${sessionUuid}`);
});

test('a JSON-string metadata.user_id yields its session', () => {
	assert.equal(sessionKey({}, {...conversation, metadata: {user_id: jsonUserId}}), `u:${sessionUuid}:${sha256('Hello').slice(0, 16)}`);
});

test('a user_id in neither format, or without a session, falls back to the fingerprint', () => {
	const plain = sessionKey({}, {...conversation, metadata: {user_id: 'customer-42'}});
	const noSession = sessionKey({}, {...conversation, metadata: {user_id: JSON.stringify({device_id: deviceHex})}});
	const broken = sessionKey({}, {...conversation, metadata: {user_id: '{"session_id":'}});
	const fingerprint = sessionKey({}, conversation);
	assert.match(fingerprint ?? '', /^f:[0-9a-f]{64}$/);
	assert.equal(plain, fingerprint);
	assert.equal(noSession, fingerprint);
	assert.equal(broken, fingerprint);
});

test('the fingerprint hashes system, first user text and sorted tool names', () => {
	assert.equal(sessionKey({}, conversation), `f:${sha256('You are terse.\0Hello\0bash,read,write')}`);
});

test('block arrays contribute their text blocks only, and tools may be absent', () => {
	const body = {
		system: [
			{type: 'text', text: 'x-anthropic-billing-header: cc_version=2.1; cc_entrypoint=cli; cch=1f2e;'},
			{type: 'text', text: 'You are Claude Code.', cache_control: {type: 'ephemeral'}},
			{type: 'text', text: ' Be brief.'},
		],
		messages: [
			{role: 'assistant', content: 'ignored: not a user turn'},
			{role: 'user', content: [
				{type: 'image', source: {type: 'base64', data: 'AAAA'}},
				{type: 'text', text: 'Fix '},
				{type: 'text', text: 'the bug'},
			]},
		],
	};
	// The per-request attribution block is left out, so every turn of a conversation keys alike.
	assert.equal(sessionKey({}, body), `f:${sha256('You are Claude Code. Be brief.\0Fix the bug\0')}`);
});

test('later turns of the same conversation key the same', () => {
	const later = {...conversation, messages: [...conversation.messages, {role: 'assistant', content: 'Sure'}, {role: 'user', content: 'More'}]};
	assert.equal(sessionKey({}, later), sessionKey({}, conversation));
	const other = {...conversation, messages: [{role: 'user', content: 'Different start'}]};
	assert.notEqual(sessionKey({}, other), sessionKey({}, conversation));
});

test('the three sources cannot collide', () => {
	const hex = sha256('You are terse.\0Hello\0bash,read,write');
	assert.notEqual(sessionKey({'x-claude-code-session-id': hex}, undefined), sessionKey({}, conversation));
});

test('nothing to key on gives undefined', () => {
	assert.equal(sessionKey({}, undefined), undefined);
	assert.equal(sessionKey({}, null), undefined);
	assert.equal(sessionKey({}, '{"system":"text"}'), undefined);
	assert.equal(sessionKey({}, [conversation]), undefined);
	assert.equal(sessionKey({}, {}), undefined);
	assert.equal(sessionKey({}, {messages: 'nope', tools: [{name: 'bash'}]}), undefined);
	assert.equal(sessionKey({}, {system: [], messages: [{role: 'user', content: [{type: 'image'}]}]}), undefined);
});

test('an overlong header is hashed rather than stored whole', () => {
	const long = 'z'.repeat(5000);
	assert.equal(sessionKey({'x-claude-code-session-id': long}, undefined), `h:${sha256(long)}`);
});
