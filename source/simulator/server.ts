// The Simulator: an HTTP server impersonating api.anthropic.com, plus the programmatic control
// API the tests drive it with.
import {EventEmitter} from 'node:events';
import {
	createServer, type IncomingMessage, type Server, type ServerResponse,
} from 'node:http';
import type {Socket} from 'node:net';
import {AccountRegistry} from './accounts.js';
import type {Exchange, SimControl} from './context.js';
import {reject, sendRejection} from './errors.js';
import {FaultBook} from './faults.js';
import {flattenHeaders, readBody} from './http-util.js';
import {OAuthBook} from './oauth-book.js';
import {requestId} from './ids.js';
import {defaultModels} from './models.js';
import {RequestLog} from './request-log.js';
import {findRoute, isControlPath} from './routes.js';
import type {
	ArmedFault, ArmedOAuthFault, ResolvedOptions, SimAccount, SimAuthorizeRequest, SimOAuthLogin, SimOAuthLoginState, SimOAuthOptions, SimRequestLogEntry, SimulatorOptions, SimUtilization,
} from './sim-types.js';

/** Why a request's signal fires: it is over (finished, cut, or the simulator is closing). */
const requestOver = new Error('request over');

/** The headers a response went out with, as strings (writeHead's merge with setHeader's). */
function sentHeaders(response: ServerResponse): Record<string, string> {
	const headers: Record<string, string> = {};
	for (const [name, value] of Object.entries(response.getHeaders())) {
		if (value !== undefined) {
			headers[name] = Array.isArray(value) ? value.join(', ') : String(value);
		}
	}

	return headers;
}

function resolveOptions(options: SimulatorOptions): ResolvedOptions {
	return {
		chunkDelayMs: options.chunkDelayMs ?? 0,
		replyText: options.replyText,
		stampEvents: options.stampEvents ?? false,
		pingIntervalMs: Math.max(1, options.pingIntervalMs ?? 10_000),
		maxBodyBytes: options.maxBodyBytes ?? 32 * 1024 * 1024,
		logLimit: Math.max(1, options.logLimit ?? 2000),
		models: options.models ?? [...defaultModels],
	};
}

export class Simulator extends EventEmitter implements SimControl {
	readonly options: ResolvedOptions;
	readonly accounts = new AccountRegistry();
	readonly faults = new FaultBook();
	readonly oauth: OAuthBook;
	readonly #clock: () => number;
	#clockOffsetMs = 0;
	readonly #log: RequestLog;
	readonly #server: Server;
	readonly #sockets = new Set<Socket>();
	/** One per request in progress; aborting it stops that request's timers and writes. */
	readonly #inFlight = new Set<AbortController>();
	#baseUrl = '';
	#closing = false;

	constructor(options: SimulatorOptions = {}) {
		super();
		this.options = resolveOptions(options);
		this.#clock = options.now ?? Date.now;
		this.oauth = new OAuthBook(this.accounts, () => this.now(), options.oauth);
		this.#log = new RequestLog(this.options.logLimit);
		this.#server = createServer((request, response) => {
			void this.#handle(request, response);
		});
		this.#server.on('connection', socket => {
			this.#sockets.add(socket);
			socket.once('close', () => {
				this.#sockets.delete(socket);
			});
		});
	}

	get url(): string {
		return this.#baseUrl;
	}

	/** Oldest first, at most logLimit entries; holds finished (or cut) requests only. */
	get requests(): SimRequestLogEntry[] {
		return this.#log.entries;
	}

	now(): number {
		return this.#clock() + this.#clockOffsetMs;
	}

	async listen(port = 0, host = '127.0.0.1'): Promise<string> {
		await new Promise<void>((resolve, reject) => {
			this.#server.once('error', reject);
			this.#server.listen(port, host, () => {
				this.#server.off('error', reject);
				resolve();
			});
		});
		const address = this.#server.address();
		const boundPort = typeof address === 'object' && address !== null ? address.port : port;
		this.#baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${boundPort}`;
		return this.#baseUrl;
	}

	/** Stops listening and destroys every socket, stalled streams included, so nothing hangs. */
	async close(): Promise<void> {
		this.#closing = true;
		for (const controller of this.#inFlight) {
			controller.abort();
		}

		const closed = new Promise<void>(resolve => {
			this.#server.close(() => {
				resolve();
			});
		});
		this.#server.closeAllConnections();
		for (const socket of this.#sockets) {
			socket.destroy();
		}

		await closed;
	}

	addAccount(account: SimAccount): void {
		this.accounts.add(account, this.now());
	}

	arm(credential: string, fault: ArmedFault): void {
		this.faults.arm(credential, fault);
	}

	clearFaults(credential?: string): void {
		this.faults.clear(credential);
	}

	/** Fractions per window; throws for an account or scoped window that does not exist. */
	setUtilization(credential: string, utilization: SimUtilization): void {
		const account = this.accounts.get(credential);
		if (!account?.unified) {
			throw new Error('setUtilization: no oauth account has that credential');
		}

		try {
			account.unified.setUtilization(utilization);
		} catch (error) {
			throw new Error(`setUtilization: ${(error as Error).message}`, {cause: error});
		}
	}

	// ---------------------------------------------------------------- OAuth

	/** A login that already happened: its access token works on /v1 and its refresh token rotates. Returns its name. */
	addOAuthLogin(login: SimOAuthLogin): string {
		return this.oauth.addLogin(login);
	}

	/** A login chain as it stands now: current pair, refresh counts. */
	oauthLogin(name: string): SimOAuthLoginState {
		return this.oauth.login(name);
	}

	/** Approves a PKCE login as the browser would; returns the `code#state` the user pastes. */
	authorize(request: SimAuthorizeRequest): string {
		return this.oauth.authorize(request);
	}

	/** Arms a token-endpoint (default) or usage-endpoint fault. */
	armOAuth(fault: ArmedOAuthFault): void {
		this.oauth.arm(fault);
	}

	clearOAuthFaults(): void {
		this.oauth.clearFaults();
	}

	/** Token lifetime, usage shape and usage throttling; applies to what happens next. */
	setOAuthOptions(options: SimOAuthOptions): void {
		this.oauth.configure(options);
	}

	/** Expires one access token now, without its holder knowing (forces the 401 refresh path). */
	expireToken(accessToken: string): void {
		this.accounts.expireToken(accessToken, this.now());
	}

	/** Moves the simulator's clock forward (on top of an injected clock too). */
	advanceClock(ms: number): void {
		this.#clockOffsetMs += ms;
	}

	/** Resolves with the first logged entry (already there or still to come) that matches. */
	async waitFor(predicate: (entry: SimRequestLogEntry) => boolean, timeoutMs = 5000): Promise<SimRequestLogEntry> {
		const existing = this.requests.find(entry => predicate(entry));
		if (existing) {
			return existing;
		}

		return new Promise((resolve, reject) => {
			const onRequest = (entry: SimRequestLogEntry): void => {
				let matched = false;
				try {
					matched = predicate(entry);
				} catch (error) {
					cleanup();
					// eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- passes on whatever the predicate threw
					reject(error);
					return;
				}

				if (matched) {
					cleanup();
					resolve(entry);
				}
			};

			const timer = setTimeout(() => {
				cleanup();
				reject(new Error(`waitFor: no matching request within ${timeoutMs} ms`));
			}, timeoutMs);
			const cleanup = (): void => {
				clearTimeout(timer);
				this.off('request', onRequest);
			};

			this.on('request', onRequest);
		});
	}

	async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
		const url = new URL(request.url ?? '/', 'http://simulator.invalid');
		const entry: SimRequestLogEntry = {
			id: requestId(),
			tsMs: this.now(),
			method: request.method ?? 'GET',
			path: request.url ?? '/',
			headers: flattenHeaders(request.headers),
			rawBodySha256: '',
			status: 0,
			stream: false,
			closedEarly: false,
			responseHeaders: {},
		};
		response.setHeader('request-id', entry.id);
		const controller = new AbortController();
		this.#inFlight.add(controller);
		let cutByUs = false;
		// 'close' fires after 'finish' and also when the socket dies first, so it sees every outcome.
		response.once('close', () => {
			this.#inFlight.delete(controller);
			// A shared reason: abort() without one builds a DOMException per request, a real cost at benchmark rates.
			controller.abort(requestOver);
			entry.status = response.headersSent ? response.statusCode : 0;
			if (response.headersSent) {
				entry.responseHeaders = sentHeaders(response);
			}

			entry.closedEarly = !response.writableFinished && !cutByUs && !this.#closing;
			if (isControlPath(url.pathname)) {
				return;
			}

			this.#log.push(entry);
			if (entry.closedEarly) {
				this.emit('client-closed', entry);
			}

			this.emit('request', entry);
		});

		let body;
		try {
			body = await readBody(request, this.options.maxBodyBytes);
		} catch {
			return; // The client went away mid-body; the close handler records it.
		}

		entry.rawBodySha256 = body.sha256;
		let parsed: unknown;
		if (body.raw.length > 0) {
			try {
				parsed = JSON.parse(body.raw.toString('utf8'));
				entry.body = parsed;
			} catch {}
		}

		const found = findRoute(entry.method, url.pathname);
		if (!found) {
			sendRejection(response, reject(404, 'not_found_error', 'Not Found'));
			return;
		}

		if (body.tooLarge) {
			sendRejection(response, reject(413, 'request_too_large', 'Request exceeds the maximum allowed number of bytes.'));
			return;
		}

		const exchange: Exchange = {
			request,
			response,
			entry,
			url,
			rawBody: body.raw,
			body: parsed,
			signal: controller.signal,
			markCut() {
				cutByUs = true;
			},
		};
		try {
			await found.route.handle(exchange, this, found.params);
		} catch (error) {
			if (response.headersSent) {
				response.destroy();
			} else {
				sendRejection(response, reject(500, 'api_error', `simulator bug: ${(error as Error).message}`));
			}
		}
	}
}
