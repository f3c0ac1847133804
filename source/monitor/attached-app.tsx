import {useCallback, useSyncExternalStore} from 'react';
import type {AttachedStore} from '../runtime/attach/attached-store.js';
import App from './app.js';
import NotRunning from './not-running.js';

type Props = {
	readonly attached: AttachedStore;
	readonly onQuit: () => void;
};

/**
 * `shunt monitor`: the same App as in-process while the instance answers, and a screen that says
 * it does not while it does not. App is mounted afresh on each new connection (the instance may
 * have restarted with other accounts).
 */
export default function AttachedApp({attached, onQuit}: Props) {
	const subscribe = useCallback((listener: () => void) => attached.subscribe(listener), [attached]);
	const getConnection = useCallback(() => attached.getConnection(), [attached]);
	const connection = useSyncExternalStore(subscribe, getConnection);
	if (connection.status === 'connected') {
		return <App store={attached.monitor} onQuit={onQuit}/>;
	}

	return <NotRunning connection={connection} onQuit={onQuit}/>;
}
