// covers: source/proxy/api-surface.ts
// Which requests are forwarded with an account's credential; everything else is answered locally.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {apiSurface, inferenceSurface, parseRule} from '../../source/proxy/api-surface.js';

const builtIn = apiSurface();

const forwarded: Array<[string, string]> = [
	['POST', '/v1/messages'],
	['POST', '/v1/messages/count_tokens'],
	['GET', '/v1/models'],
	['GET', '/v1/models/claude-opus-4-8'],
	['GET', '/v1/models/a/b'],
	['HEAD', '/api/hello'],
	['GET', '/api/hello'],
];

const refused: Array<[string, string, string]> = [
	['GET', '/v1/messages', 'another method on an allowed path'],
	['DELETE', '/v1/messages', 'another method on an allowed path'],
	['TRACE', '/v1/messages', 'a method no rule can name'],
	['post', '/v1/messages', 'methods are case-sensitive'],
	['POST', '/v1/messages/', 'an exact path does not cover its trailing slash'],
	['POST', '/v1/messagesX', 'an exact path is not a prefix'],
	['POST', '/v1/messages/batches', 'an exact path does not cover what is below it'],
	['GET', '/v1/models/', 'a subtree needs a name below it'],
	['GET', '/v1/models-list', 'a subtree is below its path, not beside it'],
	['POST', '/v1/models/claude-opus-4-8', 'a subtree rule is for its method only'],
	['HEAD', '/v1/models', 'HEAD is not GET'],
	['POST', '/v1/files', 'files are not inference'],
	['GET', '/v1/organizations/me', 'admin endpoints are not inference'],
	['POST', '/v1/messages/count_tokens/x', 'nothing below count_tokens'],
	['GET', '/', 'the root'],
	['POST', '', 'an empty path'],
];

test('the inference surface Claude\'s clients use is forwarded', () => {
	for (const [method, path] of forwarded) {
		assert.equal(builtIn(method, path), true, `${method} ${path}`);
	}
});

for (const [method, path, why] of refused) {
	test(`not forwarded: ${method} ${JSON.stringify(path)} (${why})`, () => {
		assert.equal(builtIn(method, path), false);
	});
}

test('every built-in rule is valid and is forwarded', () => {
	for (const text of inferenceSurface) {
		const rule = parseRule(text);
		assert.ok(rule, text);
		assert.equal(builtIn(rule.method, rule.below ? `${rule.path}/x` : rule.path), true, text);
	}
});

test('extra rules add exact paths and subtrees, and keep the built-in ones', () => {
	const surface = apiSurface(['POST /v1/files', 'GET /v1/batches/*']);
	assert.equal(surface('POST', '/v1/files'), true);
	assert.equal(surface('GET', '/v1/files'), false);
	assert.equal(surface('GET', '/v1/batches/b_1'), true);
	assert.equal(surface('GET', '/v1/batches'), false, 'a subtree rule does not cover its own path');
	assert.equal(surface('POST', '/v1/messages'), true);
	assert.equal(builtIn('POST', '/v1/files'), false, 'another surface\'s extras do not leak');
});

test('invalid extra rules are ignored, not read as something broader', () => {
	const surface = apiSurface(['FETCH /v1/files', 'POST v1/files', 'POST /v1/a b', '', '*', 'POST', 'GET /v1/x/* extra']);
	for (const [method, path] of [['FETCH', '/v1/files'], ['POST', '/v1/files'], ['POST', 'v1/files'], ['POST', '/v1/a'], ['GET', '/v1/x/y'], ['GET', '/v1/anything']]) {
		assert.equal(surface(method!, path!), false, `${method} ${path}`);
	}

	assert.equal(surface('POST', '/v1/messages'), true);
});

test('parseRule: a method, an absolute path and an optional "/*", surrounding space ignored', () => {
	assert.deepEqual(parseRule('  GET /v1/models/*  '), {method: 'GET', path: '/v1/models', below: true});
	assert.deepEqual(parseRule('PATCH /a'), {method: 'PATCH', path: '/a', below: false});
	for (const text of ['get /a', 'GET  /a', 'GET\t/a', 'GET a', 'CONNECT /a', 'TRACE /a', 'OPTIONS /a', 'GET /a b']) {
		assert.equal(parseRule(text), undefined, JSON.stringify(text));
	}
});
