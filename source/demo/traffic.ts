import http from 'node:http';

/** Synthetic Claude Code-like sessions for the demo: several conversations that grow turn by turn. */
export type TrafficOptions = {
	url: string;
	sessions: number;
	/** Pause between a session's turns, randomised between these bounds. */
	minPauseMs: number;
	maxPauseMs: number;
	random?: () => number;
};

const models = [
	{id: 'claude-sonnet-4-6', weight: 0.6},
	{id: 'claude-opus-4-8', weight: 0.25},
	{id: 'claude-haiku-4-5-20251001', weight: 0.15},
];

const topics = ['refactor the parser', 'write tests for the cache', 'explain this stack trace', 'review the migration', 'speed up the build', 'document the API'];

function pick<T>(items: readonly T[], random: () => number): T {
	return items[Math.floor(random() * items.length)]!;
}

function pickModel(random: () => number): string {
	let roll = random();
	for (const model of models) {
		roll -= model.weight;
		if (roll <= 0) {
			return model.id;
		}
	}

	return models[0]!.id;
}

function filler(words: number, random: () => number): string {
	const vocabulary = ['function', 'module', 'return', 'const', 'value', 'error', 'stream', 'account', 'token', 'window', 'cache', 'request', 'header', 'limit'];
	return Array.from({length: words}, () => pick(vocabulary, random)).join(' ');
}

function post(url: string, body: unknown, sessionId: string, signal: AbortSignal): Promise<void> {
	return new Promise(resolve => {
		const payload = JSON.stringify(body);
		const request = http.request(`${url}/v1/messages?beta=true`, {
			method: 'POST',
			signal,
			headers: {
				'content-type': 'application/json',
				'content-length': Buffer.byteLength(payload),
				'anthropic-version': '2023-06-01',
				'x-claude-code-session-id': sessionId,
				'user-agent': 'shunt-demo-traffic',
			},
		}, response => {
			response.resume();
			response.on('end', resolve);
			response.on('error', () => resolve());
		});
		request.on('error', () => resolve());
		request.end(payload);
	});
}

/** Starts the sessions; the returned function stops them (in-flight requests are aborted). */
export function startTraffic(options: TrafficOptions): () => void {
	const random = options.random ?? Math.random;
	const controller = new AbortController();
	const sleep = (ms: number) => new Promise<void>(resolve => {
		const done = () => {
			clearTimeout(timer);
			controller.signal.removeEventListener('abort', done);
			resolve();
		};

		const timer = setTimeout(done, ms);
		controller.signal.addEventListener('abort', done, {once: true});
	});

	// As Claude Code does: the last two user turns carry cache marks, so each turn reads the
	// conversation so far from the account's cache (and a conversation that moves pays to rebuild it).
	const markedForCache = (messages: ReadonlyArray<{role: string; content: string}>) => {
		const users = messages.flatMap((message, index) => message.role === 'user' ? [index] : []).slice(-2);
		return messages.map((message, index) => users.includes(index)
			? {role: message.role, content: [{type: 'text', text: message.content, cache_control: {type: 'ephemeral'}}]}
			: message);
	};

	const runSession = async (index: number) => {
		// Stagger the starts so the first screen does not show four identical requests.
		await sleep(index * 700);
		while (!controller.signal.aborted) {
			const sessionId = `demo-${index}-${Math.floor(random() * 1e9).toString(36)}`;
			const model = pickModel(random);
			const system = `You are a coding assistant working on ${pick(topics, random)}. ${filler(400, random)}`;
			const messages: Array<{role: string; content: string}> = [];
			const turns = 3 + Math.floor(random() * 6);
			for (let turn = 0; turn < turns && !controller.signal.aborted; turn++) {
				messages.push({role: 'user', content: filler(200 + Math.floor(random() * 1200), random)});
				// eslint-disable-next-line no-await-in-loop
				await post(options.url, {
					model,
					max_tokens: 512,
					stream: random() < 0.85,
					system: [{type: 'text', text: system, cache_control: {type: 'ephemeral'}}],
					messages: markedForCache(messages),
				}, sessionId, controller.signal);
				messages.push({role: 'assistant', content: filler(60, random)});
				// eslint-disable-next-line no-await-in-loop
				await sleep(options.minPauseMs + (random() * (options.maxPauseMs - options.minPauseMs)));
			}
		}
	};

	for (let index = 0; index < options.sessions; index++) {
		void runSession(index);
	}

	return () => {
		controller.abort();
	};
}
