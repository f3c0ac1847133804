// Who may talk to shunt at all. The proxy spends the user's quota with the user's credentials, so
// a web page the user happens to have open must not be able to use it: not by a cross-site POST
// (browsers send those without asking), and not through DNS rebinding (a page whose own host name
// resolves to 127.0.0.1). Native clients (Claude Code, the SDKs, curl) send no Origin and name the
// address they dialled in Host; browsers always send Origin on cross-site POSTs and put their
// page's host name in Host after a rebind.
import type {IncomingHttpHeaders} from 'node:http';

export type Refusal = {status: number; type: string; message: string};

export type ClientGuardOptions = {
	/** The address shunt listens on, as given (127.0.0.1, ::1, localhost, 0.0.0.0, …). */
	listenHost: string;
	/** The port it listens on (known once it listens). */
	port: number;
	/**
	 * SHUNT_CLIENT_KEY is set: the key guards the proxy, so LAN clients may reach it under the
	 * machine's own name and Host is not checked.
	 */
	clientKeySet: boolean;
	/** Origins the user trusts (the allowedOrigins setting), exactly as browsers send them. */
	allowedOrigins: readonly string[];
};

export type ClientGuard = {
	/** Why this request is refused, or undefined when it may go on. */
	refusal(headers: IncomingHttpHeaders): Refusal | undefined;
	/** The Origin a request carries when it is one the user allowed (responses then carry CORS headers). */
	allowedOrigin(headers: IncomingHttpHeaders): string | undefined;
};

const loopbackNames = ['localhost', '127.0.0.1', '[::1]'];

function hostName(listenHost: string): string {
	return listenHost.includes(':') && !listenHost.startsWith('[') ? `[${listenHost}]` : listenHost;
}

/** Every Host value a local client may send for this listener: name:port, and the bare name on port 80. */
function acceptedHosts(listenHost: string, port: number): Set<string> {
	const names = new Set([hostName(listenHost).toLowerCase(), ...loopbackNames]);
	const accepted = new Set<string>();
	for (const name of names) {
		accepted.add(`${name}:${port}`);
		if (port === 80) {
			accepted.add(name);
		}
	}

	return accepted;
}

const refusals = {
	origin: {status: 403, type: 'permission_error', message: 'shunt refuses requests from web pages (this one sent an Origin header); add the origin to the allowedOrigins setting if you trust it'},
	fetchSite: {status: 403, type: 'permission_error', message: 'shunt refuses requests a browser sends on behalf of another site'},
	host: {status: 403, type: 'permission_error', message: 'shunt only answers requests addressed to its own listen address (localhost, 127.0.0.1 or [::1] with its port); set SHUNT_CLIENT_KEY to accept other host names'},
} satisfies Record<string, Refusal>;

export function clientGuard(options: ClientGuardOptions): ClientGuard {
	const allowed = new Set(options.allowedOrigins.map(origin => origin.toLowerCase()));
	const hosts = acceptedHosts(options.listenHost, options.port);
	const allowedOrigin = (headers: IncomingHttpHeaders): string | undefined => {
		const {origin} = headers;
		return origin !== undefined && allowed.has(origin.toLowerCase()) ? origin : undefined;
	};

	return {
		allowedOrigin,
		refusal(headers) {
			const trusted = allowedOrigin(headers) !== undefined;
			if (headers.origin !== undefined && !trusted) {
				return refusals.origin;
			}

			// Browsers mark every request they make with Sec-Fetch-Site; a no-cors GET (an <img>, a
			// <script>) carries no Origin, but it is still not the user typing the address ("none").
			const site = headers['sec-fetch-site'];
			if (site !== undefined && site !== 'none' && site !== 'same-origin' && !trusted) {
				return refusals.fetchSite;
			}

			if (!options.clientKeySet && !hosts.has((headers.host ?? '').toLowerCase())) {
				return refusals.host;
			}

			return undefined;
		},
	};
}
