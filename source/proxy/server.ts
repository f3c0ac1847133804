import http from 'node:http';
import type {AddressInfo} from 'node:net';
import type {AuthProvider} from '../accounts/auth-provider.js';
import type {Alerts} from '../alerts/alerts.js';
import type {StateStore} from '../state/store.js';
import {sendAnthropicError} from './anthropic-error.js';
import {presentsClientKey} from './client-key.js';
import {handleControl} from './control-api.js';
import {defaultFailurePolicy, type FailurePolicy} from './failure-policy.js';
import {isLoopbackAddress} from './loopback.js';
import {proxyRequest, type ProxyContext} from './proxy-request.js';

export type ProxyServerOptions = {
	store: StateStore;
	auth: AuthProvider;
	alerts: Alerts;
	upstream: string;
	host: string;
	port: number;
	/** SHUNT_CLIENT_KEY: when set, every proxied request must present it. */
	clientKey?: string;
	policy?: FailurePolicy;
	maxHoldMs: number;
	firstByteTimeoutMs: number;
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

	return url;
}

function upstreamBase(upstream: URL): string {
	return `${upstream.origin}${upstream.pathname.replace(/\/+$/, '')}`;
}

export async function startProxy(options: ProxyServerOptions): Promise<ProxyServer> {
	if (!isLoopbackAddress(options.host) && !options.clientKey) {
		throw new StartupError(`refusing to listen on ${options.host} without SHUNT_CLIENT_KEY: anyone who can reach it could spend your accounts. Set SHUNT_CLIENT_KEY, or use a loopback --host.`);
	}

	const context: ProxyContext = {
		store: options.store,
		auth: options.auth,
		alerts: options.alerts,
		upstreamBase: upstreamBase(validUpstream(options.upstream)),
		policy: options.policy ?? defaultFailurePolicy,
		maxHoldMs: options.maxHoldMs,
		firstByteTimeoutMs: options.firstByteTimeoutMs,
	};

	const server = http.createServer((request, response) => {
		const handled = (request.url ?? '').startsWith('/_shunt/')
			? control(request, response)
			: proxied(request, response);
		handled.catch((error: unknown) => {
			options.store.addEvent('info', `internal error: ${(error as Error).message}`);
			sendAnthropicError(response, 500, 'api_error', 'shunt hit an internal error; see its log.');
		});
	});

	async function control(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
		if (!isLoopbackAddress(request.socket.remoteAddress)) {
			sendAnthropicError(response, 403, 'permission_error', 'the control API only answers loopback clients');
			return;
		}

		// A browser page could otherwise flip settings through a cross-site request (CSRF).
		if (request.headers.origin !== undefined) {
			sendAnthropicError(response, 403, 'permission_error', 'the control API refuses browser requests');
			return;
		}

		await handleControl(options.store, request, response);
	}

	async function proxied(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
		if (options.clientKey && !presentsClientKey(request.headers, options.clientKey)) {
			sendAnthropicError(response, 401, 'authentication_error', 'this shunt requires its client key (SHUNT_CLIENT_KEY) in x-api-key or Authorization: Bearer');
			return;
		}

		await proxyRequest(context, request, response);
	}

	// Streams can be silent for minutes between events; node's default timeouts would cut them.
	server.requestTimeout = 0;
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
	const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
	const url = `http://${host}:${address.port}`;
	options.store.listenUrl = url;

	let closing: Promise<void> | undefined;
	const close = async (graceMs = 10_000): Promise<void> => {
		closing ??= (async () => {
			const closed = new Promise<void>(resolve => {
				server.close(() => resolve());
			});
			server.closeIdleConnections();
			const deadline = Date.now() + graceMs;
			while (options.store.inFlight > 0 && Date.now() < deadline) {
				// eslint-disable-next-line no-await-in-loop
				await new Promise(resolve => setTimeout(resolve, 25));
			}

			server.closeAllConnections();
			await closed;
		})();
		return closing;
	};

	return {url, server, close};
}
