// A finished request's record as JSON, made once however many readers want it. The log file writes
// every record; the snapshots that cross to the monitor's thread and to attached monitors carry the
// newest 200. Copying a snapshot's records object by object (structured clone, or JSON.stringify
// of the whole snapshot) was most of a snapshot's cost on the proxy's thread: a millisecond or
// more, twice a second, in which no stream moved. A record does not change once it is recorded
// (the ledger cleans it before anyone reads it), so its JSON can be kept beside it.
import type {StoreSnapshot} from '../monitor/contract.js';
import type {RequestRecord} from './records.js';

const made = new WeakMap<RequestRecord, string>();

export function recordJson(record: RequestRecord): string {
	let json = made.get(record);
	if (json === undefined) {
		json = JSON.stringify(record);
		made.set(record, json);
	}

	return json;
}

/** JSON.stringify(snapshot), with the records spliced in from recordJson (they come last). */
export function snapshotJson(snapshot: StoreSnapshot): string {
	const {requests, ...rest} = snapshot;
	const head = JSON.stringify(rest);
	return `${head.slice(0, -1)},"requests":[${requests.map(record => recordJson(record)).join(',')}]}`;
}

/** A snapshot for another thread: its records as their JSON, a cheap copy of a few strings. */
export type PackedSnapshot = Omit<StoreSnapshot, 'requests'> & {requestsJson: string[]};

export function packSnapshot(snapshot: StoreSnapshot): PackedSnapshot {
	const {requests, ...rest} = snapshot;
	return {...rest, requestsJson: requests.map(record => recordJson(record))};
}

/**
 * The snapshot again, on the receiving thread. Records already read from an earlier snapshot (the
 * same JSON) are the same objects as then, so only the newest are parsed; `known` is what the last
 * call returned, and is replaced by this one's.
 */
export function unpackSnapshot(packed: PackedSnapshot, known: Map<string, RequestRecord>): {snapshot: StoreSnapshot; known: Map<string, RequestRecord>} {
	const {requestsJson, ...rest} = packed;
	const next = new Map<string, RequestRecord>();
	const requests = requestsJson.map(json => {
		const record = known.get(json) ?? JSON.parse(json) as RequestRecord;
		next.set(json, record);
		return record;
	});
	return {snapshot: {...rest, requests}, known: next};
}
