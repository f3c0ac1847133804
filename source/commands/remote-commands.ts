import type {StatusDocument} from '../proxy/status-document.js';
import {clockTime} from '../util/clock-time.js';
import {formatDuration, formatWhen} from '../util/duration.js';
import {terminalSafe, terminalSafeJson} from '../util/terminal-safe.js';
import {UserError} from '../util/user-error.js';
import {quote, usageError} from './cli-arguments.js';
import {asStatusDocument} from './status-check.js';
import {
	baseUrl, requestControl, Unreachable, type Target,
} from './control-client.js';

export type {Target} from './control-client.js';

async function call(target: Target, path: string, body?: unknown): Promise<unknown> {
	let answer;
	try {
		answer = await requestControl(target, path, {body});
	} catch (error) {
		if (error instanceof Unreachable) {
			throw new UserError(`no shunt is answering on ${baseUrl(target)} (start one with \`shunt\`, or pass --port)`);
		}

		throw error;
	}

	let parsed: unknown;
	try {
		parsed = JSON.parse(answer.text);
	} catch {
		throw new UserError(`${baseUrl(target)} answered ${answer.status} with something that is not shunt's JSON`);
	}

	if (answer.status < 200 || answer.status > 299) {
		const message = (parsed as {error?: {message?: string}} | null)?.error?.message ?? `HTTP ${answer.status}`;
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

	const {savings} = status;
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
		throw new UserError('usage: shunt strategy <maximus|reaper|cushion|carousel|default>');
	}

	// `default` (or `auto`) ends the override: back to the configured strategy.
	const result = await call(target, 'strategy', {strategy: autoWords.has(name) ? null : name}) as {strategy: string; overridden?: boolean};
	return `Strategy: ${terminalSafe(String(result.strategy))}${result.overridden === false ? ' (the configured default)' : ''}.`;
}

// The monitor's other keys, as commands. Each sends what the key would, to the same endpoint the
// monitor uses; without a value it prints the current one (GET on the same endpoint). Values are
// checked here too, so a typo is a usage line before anything is sent.

const autoWords = new Set(['auto', 'default']);

function shown(value: unknown): string {
	return terminalSafe(String(value));
}

export async function modelRemote(target: Target, model: string | undefined): Promise<string> {
	const result = (model === undefined ? await call(target, 'model') : await call(target, 'model', {model: autoWords.has(model) ? null : model})) as {modelOverride: string | null};
	return result.modelOverride === null ? 'Model override: off (each request keeps its own model).' : `Model override: ${shown(result.modelOverride)}.`;
}

const effortLevels = ['low', 'medium', 'high', 'max'];

export async function effortRemote(target: Target, effort: string | undefined): Promise<string> {
	if (effort !== undefined && !autoWords.has(effort) && !effortLevels.includes(effort)) {
		throw usageError(`invalid effort ${quote(effort)}; choose one of ${effortLevels.join(', ')}, or auto`);
	}

	const result = (effort === undefined ? await call(target, 'effort') : await call(target, 'effort', {effort: autoWords.has(effort) ? null : effort})) as {effortOverride: string | null};
	return result.effortOverride === null ? 'Effort override: off (each request keeps its own).' : `Effort override: ${shown(result.effortOverride)}.`;
}

/** `n`, `off` (0) or `default` (null: back to config.json's burstRpmLimit). */
function burstLimitOf(raw: string): number | null {
	if (raw === 'default' || raw === 'auto') {
		return null;
	}

	if (raw === 'off') {
		return 0;
	}

	if (!/^\d{1,6}$/.test(raw) || Number(raw) > 100_000) {
		throw usageError(`invalid burst limit ${quote(raw)}: use requests per minute from 0 to 100000, off, or default`);
	}

	return Number(raw);
}

export async function burstLimitRemote(target: Target, raw: string | undefined): Promise<string> {
	const result = (raw === undefined ? await call(target, 'burst-limit') : await call(target, 'burst-limit', {limit: burstLimitOf(raw)})) as {burstRpmLimit: number; overridden?: boolean};
	const limit = Number(result.burstRpmLimit);
	const source = result.overridden ? '' : ' (the configured default)';
	return limit === 0 ? `Burst limit: off${source}.` : `Burst limit: ${shown(limit)} requests per minute per subscription account${source}.`;
}

export async function fallbackRemote(target: Target, model: string | undefined): Promise<string> {
	const result = (model === undefined ? await call(target, 'fallback') : await call(target, 'fallback', {model: autoWords.has(model) ? null : model})) as {fallbackModel: string | null};
	if (result.fallbackModel === null) {
		return 'Fallback: automatic (opus → sonnet → haiku when nothing can serve the model asked for).';
	}

	return result.fallbackModel === 'off' ? 'Fallback: off (never a different model).' : `Fallback: ${shown(result.fallbackModel)}.`;
}

export async function alertsRemote(target: Target, setting: string | undefined): Promise<string> {
	if (setting !== undefined && setting !== 'on' && setting !== 'off') {
		throw usageError(`invalid alerts setting ${quote(setting)}; use on or off`);
	}

	const result = (setting === undefined ? await call(target, 'alerts') : await call(target, 'alerts', {muted: setting === 'off'})) as {alertsMuted: boolean};
	return result.alertsMuted ? 'Alerts: off (muted until `shunt alerts on`, `m` in the monitor, or a restart).' : 'Alerts: on.';
}

export async function pauseRemote(target: Target, name: string | undefined, paused: boolean): Promise<string> {
	if (!name) {
		throw usageError(`usage: shunt ${paused ? 'pause' : 'resume'} <account>`);
	}

	const result = await call(target, 'pause', {account: name, paused}) as {account: string; paused: boolean};
	return result.paused ? `Paused ${shown(result.account)}: no requests go there until \`shunt resume ${shown(result.account)}\`.` : `Resumed ${shown(result.account)}.`;
}
