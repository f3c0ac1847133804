// Which conversation a request belonged to, for the history: a short hash of its session key, so
// requests of one session can be grouped without keeping the key (a client's session id, or a
// fingerprint of its prompt) itself.
import {hash} from 'node:crypto';
import type {RequestRecord} from './records.js';

/** 16 hex digits (64 bits): enough to tell a person's sessions apart, too short to be the key. */
export function sessionHash(key: string): string {
	return hash('sha256', key, 'hex').slice(0, 16);
}

/** The record, with the hash of its session key when it had one. */
export function withSessionHash(record: RequestRecord, key: string | undefined): RequestRecord {
	if (key !== undefined) {
		record.sessionHash = sessionHash(key);
	}

	return record;
}
