// What each monitor action does to a snapshot, written once. The optimistic layer (so two quick
// presses of a cycling key each see the last one's effect), the preview and the test fake all
// apply actions with this; the store itself is the authority and its next snapshot replaces them.
import type {ActionName, StoreActions, StoreSnapshot} from './contract.js';

export type ActionCall = {[Name in ActionName]: {name: Name; args: Parameters<StoreActions[Name]>}}[ActionName];

/** The snapshot as it will look once the store applied the action (as far as the monitor can tell). */
export function applyAction(snapshot: StoreSnapshot, call: ActionCall): StoreSnapshot {
	switch (call.name) {
		case 'pin': {
			const [account] = call.args;
			return {...snapshot, pinnedAccount: account, accounts: snapshot.accounts.map(view => ({...view, pinned: view.name === account}))};
		}

		case 'setStrategy': {
			const [strategy] = call.args;
			return {...snapshot, strategy: strategy ?? snapshot.defaults.strategy, strategyOverridden: strategy !== null, overrides: {...snapshot.overrides, strategy}};
		}

		case 'setAlertsMuted': {
			return {...snapshot, overrides: {...snapshot.overrides, alertsMuted: call.args[0]}};
		}

		case 'setModelOverride': {
			return {...snapshot, overrides: {...snapshot.overrides, model: call.args[0]}};
		}

		case 'setEffortOverride': {
			return {...snapshot, overrides: {...snapshot.overrides, effort: call.args[0]}};
		}

		case 'setBurstRpmLimit': {
			const [limit] = call.args;
			return {...snapshot, burstRpmLimit: limit ?? snapshot.defaults.burstRpmLimit, overrides: {...snapshot.overrides, burstRpmLimit: limit}};
		}

		case 'setPaused': {
			const [account, paused] = call.args;
			return {...snapshot, accounts: snapshot.accounts.map(view => (view.name === account ? {...view, state: paused ? 'paused' : 'available'} : view))};
		}

		case 'setHistoryWindow': {
			// The data for the new window comes with the store's next snapshot; until then the old one stays.
			const [window] = call.args;
			if (window === null) {
				const {history: _history, ...rest} = snapshot;
				return rest;
			}

			return snapshot.history ? {...snapshot, history: {...snapshot.history, window}} : snapshot;
		}
	}
}

/** StoreActions that turn each call into an ActionCall for `dispatch`, one per name in actionNames. */
export function actionsFrom(names: readonly ActionName[], dispatch: (call: ActionCall) => void): StoreActions {
	const actions: Partial<Record<ActionName, (...args: unknown[]) => void>> = {};
	for (const name of names) {
		actions[name] = (...args: unknown[]) => {
			dispatch({name, args} as ActionCall);
		};
	}

	return actions as StoreActions;
}
