// Armed faults, per credential, in arming order. Each request takes at most one: the first
// armed fault that applies to it, which then loses one of its remaining uses.
import type {ArmedFault, SimFault} from './sim-types.js';

/** Auth faults act where real auth failures do (before body validation); the rest act after the limit check. */
export type FaultStage = 'auth' | 'response';

export type FaultTarget = {
	model: string;
	stream: boolean;
};

type Armed = {fault: SimFault; remaining: number};

const authFaults = new Set<SimFault['type']>(['expired_token', 'invalid_key', 'revoked']);
const streamFaults = new Set<SimFault['type']>(['midstream_error', 'drop', 'stall']);
const jsonFaults = new Set<SimFault['type']>(['body_stall']);

function applies(fault: SimFault, stage: FaultStage, target: FaultTarget): boolean {
	if (authFaults.has(fault.type) !== (stage === 'auth')) {
		return false;
	}

	// A stream fault waits for a streaming request rather than being spent on a JSON one.
	if (streamFaults.has(fault.type) && !target.stream) {
		return false;
	}

	if (jsonFaults.has(fault.type) && target.stream) {
		return false;
	}

	return fault.type !== 'out_of_credits' || target.model.includes(fault.model);
}

export class FaultBook {
	readonly #armed = new Map<string, Armed[]>();

	arm(credential: string, armed: ArmedFault): void {
		const {times = 1, ...fault} = armed;
		if (!(times > 0)) {
			return;
		}

		const list = this.#armed.get(credential) ?? [];
		list.push({fault, remaining: times});
		this.#armed.set(credential, list);
	}

	clear(credential?: string): void {
		if (credential === undefined) {
			this.#armed.clear();
		} else {
			this.#armed.delete(credential);
		}
	}

	take(credential: string, stage: FaultStage, target: FaultTarget): SimFault | undefined {
		const list = this.#armed.get(credential);
		const index = list?.findIndex(entry => applies(entry.fault, stage, target)) ?? -1;
		const entry = list?.[index];
		if (!list || !entry) {
			return undefined;
		}

		entry.remaining--;
		if (entry.remaining <= 0) {
			list.splice(index, 1);
		}

		return entry.fault;
	}
}
