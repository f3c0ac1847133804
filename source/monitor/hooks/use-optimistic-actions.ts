import {useMemo, useRef} from 'react';
import {actionsFrom, applyAction} from '../apply-action.js';
import {
	actionNames, type MonitorStore, type StoreActions, type StoreSnapshot,
} from '../contract.js';

export type OptimisticActions = {
	/** The snapshot with this monitor's own actions applied that the store has not reported back yet. */
	view(): StoreSnapshot;
	actions: StoreActions;
};

/**
 * The store batches its snapshots, so two quick presses of a cycling key (`s s`, or a held key)
 * would both read the same stale setting and land on the same value. Each action is therefore
 * also applied to a local copy of the snapshot that the next key reads, until the store's next
 * snapshot replaces it.
 */
export default function useOptimisticActions(store: MonitorStore, snapshot: StoreSnapshot): OptimisticActions {
	const local = useRef({base: snapshot, view: snapshot});
	if (local.current.base !== snapshot) {
		local.current = {base: snapshot, view: snapshot};
	}

	return useMemo(() => {
		const actions = actionsFrom(actionNames, call => {
			local.current = {...local.current, view: applyAction(local.current.view, call)};
			(store[call.name] as (...args: unknown[]) => void)(...call.args);
		});
		return {view: () => local.current.view, actions};
	}, [store]);
}
