// `shunt statusline`: one line for Claude Code's statusLine command, which runs it every few
// seconds and shows what it prints under the prompt. So it asks the running shunt with a short
// timeout, prints one line whatever happens (a clear one when shunt is down), and exits 0: a
// status line that fails or hangs would only get in the way. Claude Code writes the session's
// JSON to stdin; none of it is needed, so stdin is not read.
import type {StatusDocument} from '../proxy/status-document.js';
import {formatDuration} from '../util/duration.js';
import {terminalSafe} from '../util/terminal-safe.js';
import {baseUrl, requestControl, type Target} from './control-client.js';
import {asStatusDocument} from './status-check.js';

type Account = StatusDocument['accounts'][number];

const ready = new Set(['available']);
const maxLength = 160;

/** What share of an account's allowance is left now: 0 for one that cannot serve. */
function headroom(account: Account): number {
	if (account.state !== 'available' && account.state !== 'throttled') {
		return 0;
	}

	if (account.utilization5h !== null || account.utilization7d !== null) {
		return 1 - Math.min(1, Math.max(0, account.utilization5h ?? 0, account.utilization7d ?? 0));
	}

	const key = (account as {keyHeadroom?: unknown}).keyHeadroom;
	return typeof key === 'number' && Number.isFinite(key) ? Math.min(1, Math.max(0, key)) : 1;
}

/** The line for a status document. */
export function formatStatusLine(status: StatusDocument, nowMs = Date.now()): string {
	const {accounts} = status;
	const parts = ['shunt'];
	const serving = status.pinnedAccount
		? `${status.pinnedAccount} (pinned)`
		: accounts.find(account => (account as {active?: unknown}).active === true)?.name;
	parts.push(serving ?? 'no requests yet');
	if (accounts.length === 0) {
		parts.push('no accounts');
	} else {
		const readyCount = accounts.filter(account => ready.has(account.state)).length;
		const left = accounts.reduce((sum, account) => sum + headroom(account), 0) / accounts.length;
		parts.push(`${readyCount}/${accounts.length} ready`, `${Math.round(left * 100)}% left`);
		if (readyCount === 0) {
			const back = accounts.map(account => account.backAtMs ?? (account.cooldownUntilMs > 0 ? account.cooldownUntilMs : null)).filter((at): at is number => at !== null && at > nowMs);
			parts.push(back.length > 0 ? `all out, back in ${formatDuration(Math.min(...back) - nowMs, 'up')}` : 'all out');
		} else {
			const resets = accounts.map(account => account.reset5h).filter((reset): reset is number => reset !== null && reset * 1000 > nowMs);
			if (resets.length > 0) {
				parts.push(`5h resets in ${formatDuration((Math.min(...resets) * 1000) - nowMs, 'up')}`);
			}
		}
	}

	if (status.heldRequests > 0) {
		parts.push(`${status.heldRequests} held`);
	}

	const line = terminalSafe(parts.join(' · '));
	return line.length > maxLength ? `${line.slice(0, maxLength - 1)}…` : line;
}

/** Never throws: every failure is a line too. */
export async function statusLine(target: Target, timeoutMs = 300): Promise<string> {
	const url = baseUrl(target);
	let text: string;
	try {
		const answer = await requestControl(target, 'status', {timeoutMs, maxBytes: 8 * 1024 * 1024});
		text = answer.text;
	} catch {
		return `shunt: not running on ${url}`;
	}

	let status: StatusDocument | undefined;
	try {
		status = asStatusDocument(JSON.parse(text));
	} catch {
		status = undefined;
	}

	return status ? formatStatusLine(status) : `shunt: ${url} answered, but not as shunt`;
}
