import {useMemo, useRef} from 'react';
import type {MonitorStore, StoreActions, StoreSnapshot} from '../monitor/contract.js';

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
		const patch = (change: (view: StoreSnapshot) => StoreSnapshot) => {
			local.current = {...local.current, view: change(local.current.view)};
		};

		const actions: StoreActions = {
			pin(account) {
				patch(view => ({
					...view,
					pinnedAccount: account,
					accounts: view.accounts.map(entry => ({...entry, pinned: entry.name === account})),
				}));
				store.pin(account);
			},
			setStrategy(strategy) {
				patch(view => ({...view, strategy: strategy ?? view.strategy, strategyOverridden: strategy !== null, overrides: {...view.overrides, strategy}}));
				store.setStrategy(strategy);
			},
			setAlertsMuted(muted) {
				patch(view => ({...view, overrides: {...view.overrides, alertsMuted: muted}}));
				store.setAlertsMuted(muted);
			},
			setModelOverride(model) {
				patch(view => ({...view, overrides: {...view.overrides, model}}));
				store.setModelOverride(model);
			},
			setEffortOverride(effort) {
				patch(view => ({...view, overrides: {...view.overrides, effort}}));
				store.setEffortOverride(effort);
			},
			setBurstRpmLimit(limit) {
				patch(view => ({...view, overrides: {...view.overrides, burstRpmLimit: limit}}));
				store.setBurstRpmLimit(limit);
			},
			setPaused(account, paused) {
				patch(view => ({
					...view,
					accounts: view.accounts.map(entry => (entry.name === account ? {...entry, state: paused ? 'paused' : 'available'} : entry)),
				}));
				store.setPaused(account, paused);
			},
		};
		return {view: () => local.current.view, actions};
	}, [store]);
}
