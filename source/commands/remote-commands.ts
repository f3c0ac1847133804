import type {StatusDocument} from '../proxy/status-document.js';
import {clockTime} from '../util/clock-time.js';
import {formatDuration, formatWhen} from '../util/duration.js';
import {terminalSafe, terminalSafeJson} from '../util/terminal-safe.js';
import {UserError} from '../util/user-error.js';
import {asStatusDocument} from './status-check.js';

export type Target = {host: string; port: number};

function baseUrl(target: Target): string {
	const host = target.host.includes(':') ? `[${target.host}]` : target.host;
	return `http://${host}:${target.port}`;
}

async function call(target: Target, path: string, body?: unknown): Promise<unknown> {
	let response: Response;
	try {
		response = await fetch(`${baseUrl(target)}/_shunt/${path}`, body === undefined
			? {signal: AbortSignal.timeout(5000)}
			: {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify(body), signal: AbortSignal.timeout(5000)});
	} catch {
		throw new UserError(`no shunt is answering on ${baseUrl(target)} (start one with \`shunt\`, or pass --port)`);
	}

	const text = await response.text();
	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch {
		throw new UserError(`${baseUrl(target)} answered ${response.status} with something that is not shunt's JSON`);
	}

	if (!response.ok) {
		const message = (parsed as {error?: {message?: string}}).error?.message ?? `HTTP ${response.status}`;
		// Whatever answers on the port wrote this message.
		throw new UserError(terminalSafe(String(message)));
	}

	return parsed;
}

// A window the upstream refuses for is spent, not "116 % used" (until its reset, or while the
// account is still out for it); past 100 % otherwise is 100 %.
function used(value: number | null, status: string | null, reset: number | null, exhausted: boolean): string {
	if (status === 'rejected' && (reset !== null || exhausted)) {
		return 'spent';
	}

	return value === null ? '— used' : `${Math.min(100, Math.round(value * 100))}% used`;
}

type StatusAccount = StatusDocument['accounts'][number];

// An older shunt (or anything else on the port) may send neither field, or nonsense in them.
function scopedText(account: StatusAccount): string {
	const windows = Array.isArray(account.scopedWindows) ? account.scopedWindows.slice(0, 8) : [];
	return windows
		.filter(window => typeof window?.label === 'string' && (window.utilization === null || Number.isFinite(window.utilization)))
		.map(window => ` · ${terminalSafe(window.label.slice(0, 40))} ${used(window.utilization, window.spent ? 'rejected' : window.status, window.reset, false)}`)
		.join('');
}

function cacheText(account: StatusAccount): string {
	const rate = account.cacheHitRate;
	return typeof rate === 'number' && rate >= 0 && rate <= 1 ? ` · cache ${Math.round(rate * 100)}%` : '';
}

/**
 * The status document as text. Every string in it came from whatever answers on the port, so each
 * line is cleaned of escapes before it is printed, and names are cleaned before they are padded.
 */
export function formatStatus(status: StatusDocument, nowMs = Date.now()): string {
	const lines = [
		`shunt ${status.version} on ${status.listenUrl} · strategy ${status.strategy}${status.strategyOverridden ? ' (override)' : ''} · pin ${status.pinnedAccount ?? 'auto'} · ${status.requestsPerMinute} req/min${status.heldRequests > 0 ? ` · ${status.heldRequests} held` : ''}${status.alertsMuted ? ' · alerts muted' : ''}`,
	];
	// Read defensively: an older shunt has no team field, and the document is another process's output.
	const team = status.team as Partial<NonNullable<StatusDocument['team']>> | null | undefined;
	if (team && typeof team === 'object') {
		const members = Array.isArray(team.members) ? team.members.slice(0, 64).filter((member): member is string => typeof member === 'string' && member !== team.name) : [];
		const count = typeof team.instances === 'number' ? team.instances : members.length + 1;
		lines.push(`team: ${String(team.name)} (this instance)${members.length > 0 ? ` with ${members.join(', ')}` : ', no other instance'} · ${count} instance${count === 1 ? '' : 's'} · redis ${String(team.redis)}${team.redis === 'unreachable' ? ' (serving on local state)' : ''}`);
	}

	const name = (account: StatusDocument['accounts'][number]) => terminalSafe(account.name);
	const width = Math.max(4, ...status.accounts.map(account => name(account).length));
	for (const [index, account] of status.accounts.entries()) {
		let detail = '';
		const back = account.backAtMs ?? (account.cooldownUntilMs > 0 ? account.cooldownUntilMs : null);
		if (account.state === 'reauth') {
			detail = `run: ${account.fixHint ?? ''}`;
		} else if (back !== null && back > nowMs && account.state !== 'available') {
			const why = account.state === 'throttled' && account.burst ? `burst limit ${account.burst.count}/${account.burst.limit}` : account.cooldownReason ?? (account.state === 'exhausted' ? 'window spent' : '');
			detail = `back ${formatWhen(back, nowMs, clockTime)}${why ? ` · ${why}` : ''}`;
		}

		const unified = account.utilization5h !== null || account.utilization7d !== null || account.kind === 'oauth';
		const windows = unified
			? `5h ${used(account.utilization5h, account.status5h, account.reset5h, account.state === 'exhausted')}${account.reset5h ? ` (resets ${formatDuration((account.reset5h * 1000) - nowMs, 'up')})` : ''} · 7d ${used(account.utilization7d, account.status7d, account.reset7d, account.state === 'exhausted')}`
			: (account.requestsLimit ? `${account.requestsRemaining ?? '?'}/${account.requestsLimit} requests left this minute` : 'API key');
		lines.push(`${String(index + 1).padStart(2)}  ${name(account).padEnd(width)}  ${terminalSafe(account.state).padEnd(9)}  ${windows}${scopedText(account)}${cacheText(account)}${detail ? ` · ${detail}` : ''}${account.pinned ? ' · pinned' : ''}`);
	}

	if (status.accounts.length === 0) {
		lines.push('   (no accounts)');
	}

	const savings = status.savings;
	lines.push(`savings at API prices: today $${savings.todayUsd.toFixed(2)} · this week $${savings.weekUsd.toFixed(2)} · all time $${savings.allTimeUsd.toFixed(2)}`);
	return lines.map(line => terminalSafe(line)).join('\n');
}

export async function showStatus(target: Target, json: boolean): Promise<string> {
	const status = asStatusDocument(await call(target, 'status'));
	if (!status) {
		throw new UserError(`${baseUrl(target)} answered with something that is not shunt's status document`);
	}

	return json ? terminalSafeJson(JSON.stringify(status, null, 2)) : formatStatus(status);
}

export async function pinRemote(target: Target, name: string | undefined): Promise<string> {
	if (!name) {
		throw new UserError('usage: shunt pin <account|auto>');
	}

	const result = await call(target, 'pin', {account: name === 'auto' ? null : name}) as {pinnedAccount: string | null};
	return result.pinnedAccount ? `Pinned to ${terminalSafe(String(result.pinnedAccount))}.` : 'Unpinned: automatic routing.';
}

export async function strategyRemote(target: Target, name: string | undefined): Promise<string> {
	if (!name) {
		throw new UserError('usage: shunt strategy <maximus|reaper|cushion|carousel>');
	}

	const result = await call(target, 'strategy', {strategy: name}) as {strategy: string};
	return `Strategy: ${terminalSafe(String(result.strategy))}.`;
}
