// covers: source/proxy/upstream-url.ts
import assert from 'node:assert/strict';
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import {after, test} from 'node:test';
import {startHarness} from './helpers/proxy-harness.js';

test('an upstream with a base path (a gateway) gets each client path below it, query kept, slashes not doubled', async () => {
	const seen: string[] = [];
	const gateway = http.createServer((request, response) => {
		seen.push(request.url ?? '');
		response.writeHead(200, {'content-type': 'application/json'});
		response.end('{"type":"message","usage":{"input_tokens":1,"output_tokens":1}}');
	});
	await new Promise<void>(resolve => {
		gateway.listen(0, '127.0.0.1', resolve);
	});
	after(() => {
		gateway.close();
	});
	const {port} = gateway.address() as AddressInfo;
	const harness = await startHarness({upstream: `http://127.0.0.1:${port}/corp/anthropic/`, accounts: [{name: 'key', kind: 'apikey', secret: 'sk-test'}]});
	after(async () => {
		await harness.close();
	});

	const plain = await harness.post({model: 'claude-sonnet-4-6', max_tokens: 1, messages: []});
	assert.equal(plain.status, 200);
	await plain.arrayBuffer();
	const counted = await harness.post({model: 'claude-sonnet-4-6', messages: []}, {}, '/v1/messages/count_tokens?beta=true');
	assert.equal(counted.status, 200);
	await counted.arrayBuffer();

	assert.deepEqual(seen, ['/corp/anthropic/v1/messages', '/corp/anthropic/v1/messages/count_tokens?beta=true']);
});
