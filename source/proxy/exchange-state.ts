import type {IncomingHttpHeaders} from 'node:http';
import type {Decision} from '../routing/explain.js';
import type {Attempt, Hold} from '../state/records.js';
import type {LiveRequest} from '../state/store.js';
import type {FrontDoor, Reply} from './front-door.js';
import type {FailedAnswer} from './no-account.js';
import type {OutgoingBody} from './request-body.js';
import type {UpstreamResponse} from '../anthropic/upstream-client.js';

/** Everything one client request carries from try to try while shunt looks for an account to serve it. */
export type ExchangeState = {
	readonly id: string;
	readonly startedMs: number;
	/** The live row this request shows as while it is served. */
	readonly live: LiveRequest;
	/** The API the client speaks: how its answers are written, which account kinds may serve it. */
	readonly door: FrontDoor;
	/** How this request's answers are written, as its door prepared it. */
	readonly reply: Reply;
	/** The model the client asked for (before overrides and fallback). */
	readonly clientModel: string | undefined;
	/** Nothing more is tried after this instant (the request answers with what it has). */
	readonly deadlineMs: number;
	/** Waiting for a cooldown to end may last until this instant at most. */
	readonly holdUntilMs: number;
	/** Each try waits this long at most for the upstream's response headers. */
	readonly perTryTimeoutMs: number;
	readonly method: string;
	/** The path the client asked for, with its query (for the log). */
	readonly path: string;
	readonly upstreamUrl: URL;
	readonly clientHeaders: IncomingHttpHeaders;
	readonly session: string | undefined;
	/** A Messages request: it counts for burst pacing and binds its session. */
	readonly isMessages: boolean;
	body: OutgoingBody;
	/** Accounts that failed this request (not tried again, until a hold ends). */
	readonly tried: Set<string>;
	/** Accounts whose token was refreshed after a 401 during this request. */
	readonly refreshed: Set<string>;
	/** Accounts that refused only this model: they may serve a fallback model. */
	readonly modelScoped: Set<string>;
	fellBack: boolean;
	/** Fields removed because the model shunt chose refuses them ("effort xhigh"). */
	removedFields: string[];
	/** The current try may bind the session to its account (pinned traffic never does). */
	bindsSession: boolean;
	/** A try was refused for the request itself (a 429 without limits, a 529). */
	requestScoped: boolean;
	lastFailure: FailedAnswer | undefined;
	lastConnectionError: string | undefined;
	readonly attempts: Attempt[];
	readonly holds: Hold[];
	/** Why the last choice went where it went (the one the answer came from). */
	decision: Decision | undefined;
	/** When the answer's first byte went to the client. */
	firstByteMs: number | null;
	/** The upstream response being read, so a client that leaves can cancel it. */
	current: UpstreamResponse | undefined;
};
