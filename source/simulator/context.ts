// What a route handler gets: the exchange it answers, and the simulator state it may use.
import type {IncomingMessage, ServerResponse} from 'node:http';
import type {AccountRegistry} from './accounts.js';
import type {FaultBook} from './faults.js';
import type {OAuthBook} from './oauth-book.js';
import type {ArmedFault, ResolvedOptions, SimAccount, SimRequestLogEntry, SimUtilization} from './sim-types.js';

export type Exchange = {
	request: IncomingMessage;
	response: ServerResponse;
	entry: SimRequestLogEntry;
	url: URL;
	rawBody: Buffer;
	/** The parsed JSON body; undefined when empty or malformed. */
	body: unknown;
	/** Fires when the client goes away or the simulator closes: stop writing, clear timers. */
	signal: AbortSignal;
	/** Marks the coming connection loss as ours (drop fault), not the client's. */
	markCut(): void;
};

export type SimCore = {
	readonly options: ResolvedOptions;
	readonly accounts: AccountRegistry;
	readonly faults: FaultBook;
	/** Login chains, codes and usage polling of the OAuth surface. */
	readonly oauth: OAuthBook;
	now(): number;
};

/** The control operations, shared by the programmatic API and the /__fake/ HTTP surface. */
export type SimControl = SimCore & {
	readonly requests: readonly SimRequestLogEntry[];
	addAccount(account: SimAccount): void;
	arm(credential: string, fault: ArmedFault): void;
	clearFaults(credential?: string): void;
	setUtilization(credential: string, utilization: SimUtilization): void;
	advanceClock(ms: number): void;
};

export type RouteHandler = (exchange: Exchange, simulator: SimControl, params: Record<string, string>) => Promise<void> | void;

export type Route = {
	methods: readonly string[];
	/** Returns path parameters on a match, undefined otherwise. */
	match(pathname: string): Record<string, string> | undefined;
	handle: RouteHandler;
};
