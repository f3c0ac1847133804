import {useCallback, useSyncExternalStore} from 'react';
import type {MonitorStore, StoreSnapshot} from '../monitor/contract.js';

/**
 * The store's latest snapshot. The store batches its own notifications, so this re-renders at most
 * once per batch no matter how many requests finish in between.
 */
export default function useStore(store: MonitorStore): StoreSnapshot {
	// Wrapped so a store implemented as a class with unbound methods still works.
	const subscribe = useCallback((listener: () => void) => store.subscribe(listener), [store]);
	const getSnapshot = useCallback(() => store.getSnapshot(), [store]);
	return useSyncExternalStore(subscribe, getSnapshot);
}
