// What a store starts from on disk: state.json (checked entry by entry) and the history database.
// Opening them is the store's only I/O at construction, so it lives apart from the façade.
import type {AccountConfig} from '../accounts/types.js';
import {HistoryUnavailableError} from '../history/database.js';
import {History, type HistoryTimings} from '../history/history.js';
import {removeStaleTempFiles} from '../util/atomic-write.js';
import {emptyPersistedState, loadPersistedState, type PersistedState} from './persisted-state.js';
import type {StoreSettings} from './views.js';

export type StateStoreOptions = {
	accounts: AccountConfig[];
	settings: StoreSettings;
	version: string;
	/** state.json; omit for a purely in-memory store. */
	stateFile?: string;
	now?: () => number;
	/** Subscriber batching interval. */
	notifyIntervalMs?: number;
	/** Write-behind delay for state.json. */
	persistDelayMs?: number;
	demo?: boolean;
	/** Commands that fix a reauth state, per account kind. */
	fixHint?: (account: AccountConfig) => string;
	/** history.db: every finished request, event and telemetry sample; omit to keep none (the ring stays in memory). */
	historyFile?: string;
	/** Rows older than this go (default 90). */
	historyRetentionDays?: number;
	/** Timer intervals of the history (tests shorten them). */
	historyTimings?: HistoryTimings;
};

export type StoreFiles = {
	persisted: PersistedState;
	/** state.json had entries that were dropped, or was moved aside. */
	loadWarning?: string | undefined;
	history?: History | undefined;
	/** The history was moved aside, or could not be opened at all. */
	historyWarning?: string | undefined;
};

export function openStoreFiles(options: StateStoreOptions, accounts: readonly AccountConfig[], nowMs: number): StoreFiles {
	const files: StoreFiles = {persisted: emptyPersistedState()};
	if (options.stateFile) {
		// Writes a kill -9 interrupted leave temp files behind; nothing else would remove them.
		removeStaleTempFiles(options.stateFile);
		const loaded = loadPersistedState(options.stateFile, nowMs);
		files.persisted = loaded.state;
		files.loadWarning = loaded.warning;
	}

	// A newer shunt's history stops the store here (HistoryTooNewError): it is never written.
	if (options.historyFile) {
		try {
			files.history = History.open({
				file: options.historyFile,
				nowMs,
				version: options.version,
				accounts: [...accounts],
				retentionDays: options.historyRetentionDays ?? 90,
				savings: {daily: files.persisted.savingsDaily, allTime: files.persisted.savingsAllTime},
			}, options.historyTimings);
			files.historyWarning = files.history.warning;
		} catch (error) {
			if (!(error instanceof HistoryUnavailableError)) {
				throw error;
			}

			// Serving matters more than remembering: shunt runs on, with the ring in memory only.
			files.historyWarning = `${error.message}; running without a history`;
		}
	}

	return files;
}

/** The command that fixes a reauth state, unless the CLI says otherwise. */
export function defaultFixHint(account: AccountConfig): string {
	return account.kind === 'oauth'
		? `shunt add-account ${account.name}`
		: `shunt remove-account ${account.name} && shunt add-account ${account.name} --api-key -`;
}
