import http from 'node:http';
import type {AddressInfo} from 'node:net';
import type {AuthProvider} from '../accounts/auth-provider.js';
import type {Alerts} from '../alerts/alerts.js';
import type {ControlStore, ProxyStore} from '../state/ports.js';
import {sendAnthropicError} from '../anthropic/errors.js';
import {openAiDoor, type OpenAiDoorOptions} from '../openai/door.js';
import {defaultFailurePolicy, type FailurePolicy} from '../failover/failure-policy.js';
import {boundedMemo} from '../util/bounded-memo.js';
import {Cancellation} from '../util/cancellation.js';
import {IdleWatch} from '../util/idle-watch.js';
import {apiSurface, translatedDoor} from './api-surface.js';
import {anthropicDoor, type FrontDoor} from './front-door.js';
import {clientGuard, type ClientGuard} from './client-guard.js';
import {presentsClientKey} from './client-key.js';
import {handleControl} from './control-api.js';
import {snapshotStreams, type SnapshotStreams} from './snapshot-stream.js';
import {proxyRequest} from './exchange.js';
import {isLoopbackAddress} from './loopback.js';
import type {ProxyContext} from './proxy-context.js';
import {BadTarget, upstreamOf, upstreamUrlFor} from './upstream-url.js';

export type ProxyServerOptions = {
	store: ProxyStore & ControlStore;
	auth: AuthProvider;
	alerts: Alerts;
	upstream: string;
	host: string;
	port: number;
	/** SHUNT_CLIENT_KEY: when set, every proxied request must present it. */
	clientKey?: string;
	policy?: FailurePolicy;
	maxHoldMs: number;
	/** Waits out a hold on another clock than the wall's (the routing benchmark's virtual time); default a real timer. */
	sleep?: ProxyContext['sleep'];
	firstByteTimeoutMs: number;
	/** Defaults below are the settings' defaults (accounts/settings.ts). */
	requestDeadlineMs?: number;
	nonStreamingTimeoutMs?: number;
	upstreamIdleTimeoutMs?: number;
	clientIdleTimeoutMs?: number;
	allowedOrigins?: readonly string[];
	extraForwardedPaths?: readonly string[];
	/** Attached monitors' snapshot streams (GET /_shunt/stream); one of its own when not given. */
	streams?: SnapshotStreams;
	/** The OpenAI front door's settings (openaiModelMap, openaiAllowSubscriptions). */
	openai?: OpenAiDoorOptions;
};

export type ProxyServer = {
	url: string;
	server: http.Server;
	/** Stops accepting, lets in-flight requests finish for up to graceMs, then closes the rest. */
	close(graceMs?: number): Promise<void>;
};

export class StartupError extends Error {}

function validUpstream(upstream: string): URL {
	let url: URL;
	try {
		url = new URL(upstream);
	} catch {
		throw new StartupError(`--upstream "${upstream}" is not a URL`);
	}

	if (url.protocol !== 'http:' && url.protocol !== 'https:') {
		throw new StartupError(`--upstream must be an http or https URL, not ${url.protocol}`);
	}

	url.search = '';
	url.hash = '';
	return url;
}

// The headers a browser page the user allowed may read and send.
const corsExposed = 'x-shunt-account, request-id, retry-after, x-should-retry, anthropic-ratelimit-unified-status';
const maxPreflightHeadersLength = 1024;

/** The preflight answer: local, never forwarded (an OPTIONS upstream would carry a credential). */
function answerOptions(request: http.IncomingMessage, response: http.ServerResponse, origin: string | undefined): void {
	const headers: http.OutgoingHttpHeaders = {allow: 'GET, HEAD, POST', 'content-length': 0};
	if (origin !== undefined) {
		const asked = request.headers['access-control-request-headers'];
		headers['access-control-allow-methods'] = 'GET, HEAD, POST';
		if (typeof asked === 'string' && asked.length <= maxPreflightHeadersLength && /^[\w\s,-]*$/.test(asked)) {
			headers['access-control-allow-headers'] = asked;
		}

		headers['access-control-max-age'] = '600';
	}

	response.writeHead(204, headers);
	response.end();
}

export async function startProxy(options: ProxyServerOptions): Promise<ProxyServer> {
	if (!isLoopbackAddress(options.host) && !options.clientKey) {
		throw new StartupError(`refusing to listen on ${options.host} without SHUNT_CLIENT_KEY: anyone who can reach it could spend your accounts. Set SHUNT_CLIENT_KEY, or use a loopback --host.`);
	}

	const context: ProxyContext = {
		store: options.store,
		auth: options.auth,
		alerts: options.alerts,
		upstream: upstreamOf(validUpstream(options.upstream)),
		policy: options.policy ?? defaultFailurePolicy,
		surface: apiSurface(options.extraForwardedPaths),
		maxHoldMs: options.maxHoldMs,
		closing: new Cancellation(),
		sleep: options.sleep,
		firstByteTimeoutMs: options.firstByteTimeoutMs,
		requestDeadlineMs: options.requestDeadlineMs ?? 285_000,
		nonStreamingTimeoutMs: options.nonStreamingTimeoutMs ?? 600_000,
		upstreamIdle: new IdleWatch(options.upstreamIdleTimeoutMs ?? 120_000),
		uploadIdle: new IdleWatch(options.clientIdleTimeoutMs ?? 30_000),
		announcedFits: new Set(),
	};

	// Clients send the same few targets (/v1/messages?beta=true) again and again: each one's upstream
	// URL is built once. The URL objects are only read from here on.
	const targetFor = boundedMemo((raw: string) => upstreamUrlFor(context.upstream, raw), 256);

	// Built once the port is known (port 0 picks one).
	// eslint-disable-next-line prefer-const -- the request handler closes over it before the port is known
	let guard: ClientGuard | undefined;
	const streams = options.streams ?? snapshotStreams(options.store);

	const openai = openAiDoor(options.openai);
	const server = http.createServer((request, response) => {
		// Which API the client speaks, once its target is known: every error is written in its shape.
		const spoken = {door: anthropicDoor};
		handle(request, response, spoken).catch((error: unknown) => {
			options.store.addEvent('info', `internal error: ${(error as Error).message}`);
			spoken.door.error(response, 500, 'api_error', 'shunt hit an internal error; see its log.');
		});
	});

	async function handle(request: http.IncomingMessage, response: http.ServerResponse, spoken: {door: FrontDoor}): Promise<void> {
		const raw = request.url ?? '';
		const method = request.method ?? 'GET';
		// Checked before anything else, on every path: the proxy's and the control API's alike.
		const refusal = guard!.refusal(request.headers);
		if (refusal) {
			sendAnthropicError(response, refusal.status, refusal.type, refusal.message);
			return;
		}

		const origin = guard!.allowedOrigin(request.headers);
		if (origin !== undefined) {
			response.setHeader('access-control-allow-origin', origin);
			response.setHeader('access-control-expose-headers', corsExposed);
			response.setHeader('vary', 'Origin');
		}

		if (method === 'OPTIONS') {
			answerOptions(request, response, origin);
			return;
		}

		let target;
		try {
			target = targetFor(raw);
		} catch (error) {
			if (error instanceof BadTarget) {
				sendAnthropicError(response, 400, 'invalid_request_error', error.message);
				return;
			}

			throw error;
		}

		if (target.path.startsWith('/_shunt/') || target.path === '/_shunt') {
			await control(request, response);
			return;
		}

		const translated = translatedDoor(method, target.path);
		if (translated) {
			spoken.door = openai;
		}

		if (options.clientKey && !presentsClientKey(request.headers, options.clientKey)) {
			spoken.door.error(response, 401, 'authentication_error', 'this shunt requires its client key (SHUNT_CLIENT_KEY) in x-api-key or Authorization: Bearer');
			return;
		}

		if (translated) {
			// Translated, then sent where the Messages API lives.
			const messages = targetFor('/v1/messages');
			await proxyRequest(context, request, response, {url: messages.url, path: messages.path, raw}, openai);
			return;
		}

		if (!context.surface(method, target.path)) {
			// Answered here: nothing outside the inference surface reaches the upstream with a credential.
			sendAnthropicError(response, 404, 'not_found_error', `shunt does not forward ${method} ${target.path}; it serves the Messages API (see the extraForwardedPaths setting)`);
			return;
		}

		await proxyRequest(context, request, response, {url: target.url, path: target.path, raw});
	}

	async function control(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
		if (!isLoopbackAddress(request.socket.remoteAddress)) {
			sendAnthropicError(response, 403, 'permission_error', 'the control API only answers loopback clients');
			return;
		}

		await handleControl(options.store, request, response, streams);
	}

	// A stream's response may be silent for minutes between events; requestTimeout only covers
	// receiving the request, so it bounds a slow upload without cutting long answers. A body that
	// stops arriving altogether is cut sooner by the client idle timeout.
	server.requestTimeout = 300_000;
	server.headersTimeout = 60_000;
	server.keepAliveTimeout = 5000;

	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(options.port, options.host, () => {
			server.off('error', reject);
			resolve();
		});
	});

	const address = server.address() as AddressInfo;
	guard = clientGuard({
		listenHost: options.host, port: address.port, clientKeySet: Boolean(options.clientKey), allowedOrigins: options.allowedOrigins ?? [],
	});
	const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
	const url = `http://${host}:${address.port}`;
	options.store.listenUrl = url;

	let closing: Promise<void> | undefined;
	const close = async (graceMs = 10_000): Promise<void> => {
		closing ??= (async () => {
			const closed = new Promise<void>(resolve => {
				server.close(() => {
					resolve();
				});
			});
			// Attached monitors hear at once that this shunt is going, not after the grace period;
			// held requests are answered now (as if they could not wait), not cut off at its end.
			context.closing.abort();
			streams.closeAll();
			server.closeIdleConnections();
			const deadline = Date.now() + graceMs;
			while (options.store.inFlightCount > 0 && Date.now() < deadline) {
				// eslint-disable-next-line no-await-in-loop
				await new Promise(resolve => {
					setTimeout(resolve, 25);
				});
			}

			server.closeAllConnections();
			await closed;
		})();
		return closing;
	};

	return {url, server, close};
}
