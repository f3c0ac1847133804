// A front door is the API a client speaks to shunt. Behind every door there is one pool and one
// request path (routing, failover, holds, usage, the record): a door only says how the client's
// body becomes a Messages request, how the upstream's answer goes back, and how shunt's own
// answers are written. The Messages API's door is the identity; source/openai/ has the other.
import {type Buffer} from 'node:buffer';
import type {IncomingHttpHeaders, OutgoingHttpHeaders, ServerResponse} from 'node:http';
import type {AccountKind} from '../accounts/types.js';
import type {FrontDoorName} from '../state/records.js';
import {sendAnthropicError} from '../anthropic/errors.js';
import type {UpstreamResponse} from '../anthropic/upstream-client.js';
import {parseJsonObject} from '../util/json.js';
import {passThrough, type ClientSink} from './deliver.js';
import {outgoingBody, type OutgoingBody} from './request-body.js';

export type {FrontDoorName} from '../state/records.js';

/** How one request's answers are written: the upstream's chosen response, or a whole answer shunt has. */
export type Reply = {
	/** How the chosen upstream response is written to the client (a new sink per response). */
	sink(upstream: UpstreamResponse, stream: boolean): ClientSink;
	/** Writes a whole answer (shunt's own, in Anthropic's shape, or an upstream's replayed) in the door's shape. */
	answer(response: ServerResponse, answer: DoorAnswer): void;
};

/** What the client's body becomes: a Messages request to send, or the door's own refusal. */
export type Prepared
	= {
		kind: 'send';
		body: OutgoingBody;
		/** The request headers the upstream request is built from (credentials are never taken from them). */
		headers: IncomingHttpHeaders;
		/** The model the client named, as it named it. */
		clientModel: string | undefined;
		reply: Reply;
	}
	/** A JSON error body already in the door's shape; reason says why in a few words, for the log. */
	| {kind: 'refuse'; status: number; body: string; reason: string};

/** An answer shunt writes itself, or an upstream answer it replays (see no-account.ts). */
export type DoorAnswer = {status: number; headers: OutgoingHttpHeaders; body: string | Buffer};

export type FrontDoor = {
	readonly name: FrontDoorName;
	/** The account kinds this door's requests may use; undefined: every kind. */
	readonly allowKinds?: ReadonlySet<AccountKind>;
	/** What the client hears when the pool has accounts but none of an allowed kind. */
	readonly noAllowedAccount?: string;
	/** The client's body (whole, at most 32 MiB) as a Messages request, or a refusal. */
	prepare(bytes: Buffer, headers: IncomingHttpHeaders): Prepared;
	/** Writes an error shunt makes before a request is understood (413, 408, 401, 500), given as Anthropic's error type. */
	error(response: ServerResponse, status: number, type: string, message: string, headers?: Record<string, string>): void;
};

const passThroughReply: Reply = {
	sink: () => passThrough,
	answer(response, answer) {
		response.writeHead(answer.status, answer.headers);
		response.end(answer.body);
	},
};

/** The Messages API: bodies forwarded as they came (byte for byte unless an override applies), answers as they are. */
export const anthropicDoor: FrontDoor = {
	name: 'anthropic',
	prepare(bytes, headers) {
		const json = parseJsonObject(bytes);
		return {
			kind: 'send', body: outgoingBody(bytes, json), headers, clientModel: typeof json?.['model'] === 'string' ? json['model'] : undefined, reply: passThroughReply,
		};
	},
	error: sendAnthropicError,
};
