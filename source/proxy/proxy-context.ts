import type {AuthProvider} from '../accounts/auth-provider.js';
import type {Cancellation} from '../util/cancellation.js';
import type {Alerts} from '../alerts/alerts.js';
import type {ProxyStore} from '../state/ports.js';
import type {IdleWatch} from '../util/idle-watch.js';
import type {FailurePolicy} from '../failover/failure-policy.js';
import type {ApiSurface} from './api-surface.js';
import type {Upstream} from './upstream-url.js';

/** What every request handler shares, fixed when the server starts. */
export type ProxyContext = {
	store: ProxyStore;
	auth: AuthProvider;
	alerts: Alerts;
	upstream: Upstream;
	policy: FailurePolicy;
	/** Which method and path pairs are forwarded at all. */
	surface: ApiSurface;
	maxHoldMs: number;
	/** Cancelled when the server starts to stop: held requests stop waiting and get their answer. */
	closing: Cancellation;
	/** Waits out a hold (ends early when cancelled); undefined: a real timer. */
	sleep?: (ms: number, cancellation: Cancellation) => Promise<void>;
	/** Per try: how long to wait for response headers (streaming and non-message requests). */
	firstByteTimeoutMs: number;
	/** A streaming request's first byte is due within this long of its arrival, failovers and holds included. */
	requestDeadlineMs: number;
	/** A non-streaming Messages request: per try and in all. */
	nonStreamingTimeoutMs: number;
	/** Responses being delivered, cut off when the upstream goes silent. */
	upstreamIdle: IdleWatch;
	/** Request bodies being read, cut off when the client stops sending. */
	uploadIdle: IdleWatch;
	/** Model and field pairs already announced as removed (model-fit.ts): said once, not per request. */
	announcedFits: Set<string>;
};
