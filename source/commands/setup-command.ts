// `shunt setup [--yes] [--force] [--undo]`: points Claude Code at shunt by setting
// env.ANTHROPIC_BASE_URL in Claude Code's settings.json ($CLAUDE_CONFIG_DIR or ~/.claude). The
// file is Claude Code's: every other key stays, its mode stays, a symlink stays a symlink (the
// target is written), the write is atomic, and the old content is kept beside it as a backup.
// A URL that points anywhere but this machine is never replaced without --force. What setup
// changed is recorded in shunt's own directory, so --undo takes out exactly that: our key (or
// the value it replaced), and the env object only when setup created it.
import process from 'node:process';
import {
	existsSync, mkdirSync, readFileSync, realpathSync, rmSync, statSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {isLoopbackAddress} from '../proxy/loopback.js';
import {writeFileAtomic} from '../util/atomic-write.js';
import {isRecord, type JsonObject} from '../util/json.js';
import {terminalSafe} from '../util/terminal-safe.js';
import {UserError} from '../util/user-error.js';

const key = 'ANTHROPIC_BASE_URL';

/** Claude Code's user settings file. */
export function claudeSettingsFile(env: NodeJS.ProcessEnv = process.env, homedir = os.homedir()): string {
	return path.resolve(env['CLAUDE_CONFIG_DIR'] || path.join(homedir, '.claude'), 'settings.json');
}

/** What `shunt setup` wrote, so --undo can take out exactly that. */
type SetupRecord = {
	settingsFile: string;
	url: string;
	/** The value it replaced (a local URL, or any with --force); null when there was none. */
	previousUrl: string | null;
	/** settings.json had no env object before. */
	createdEnv: boolean;
};

export type SetupOptions = {
	settingsFile: string;
	/** shunt's own record of the change (in its config directory). */
	recordFile: string;
	url: string;
	yes: boolean;
	force: boolean;
	/** Asks the user; resolves true for yes. Undefined when there is nobody to ask (no TTY). */
	ask?: (question: string) => Promise<boolean>;
};

/** Shown in messages: the text came from a file someone else may have written. */
const shown = (text: string) => JSON.stringify(terminalSafe(text).slice(0, 200));

function isLocalUrl(value: string): boolean {
	try {
		return isLoopbackAddress(new URL(value).hostname);
	} catch {
		return false;
	}
}

type Settings = {file: string; data: JsonObject; mode: number | undefined; compact: boolean; text: string | undefined};

/** The file's JSON (its symlink's target, if it is one); an empty object when it does not exist yet. */
function readSettings(file: string): Settings {
	if (!existsSync(file)) {
		return {
			file, data: {}, mode: undefined, compact: false, text: undefined,
		};
	}

	let target: string;
	let text: string;
	let mode: number;
	try {
		target = realpathSync(file);
		text = readFileSync(target, 'utf8');
		mode = statSync(target).mode & 0o777;
	} catch (error) {
		throw new UserError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
	}

	let data: unknown;
	try {
		data = text.trim() === '' ? {} : JSON.parse(text);
	} catch {
		throw new UserError(`${file} is not valid JSON; fix it (or move it aside) and run shunt setup again. Nothing was changed.`);
	}

	if (!isRecord(data)) {
		throw new UserError(`${file} is not a JSON object; fix it (or move it aside) and run shunt setup again. Nothing was changed.`);
	}

	if (data['env'] !== undefined && !isRecord(data['env'])) {
		throw new UserError(`${file}: "env" is not an object; fix it and run shunt setup again. Nothing was changed.`);
	}

	return {
		file: target, data, mode, compact: text.trim() !== '' && !text.includes('\n'), text,
	};
}

async function writeSettings(settings: Settings, data: JsonObject): Promise<void> {
	// Claude Code writes it indented; a file someone keeps on one line stays on one line.
	const text = settings.compact ? JSON.stringify(data) : `${JSON.stringify(data, null, 2)}\n`;
	await writeFileAtomic(settings.file, text, settings.mode ?? 0o600);
}

function readRecord(file: string): SetupRecord | undefined {
	try {
		const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
		if (isRecord(parsed) && typeof parsed['settingsFile'] === 'string' && typeof parsed['url'] === 'string'
			&& (parsed['previousUrl'] === null || typeof parsed['previousUrl'] === 'string') && typeof parsed['createdEnv'] === 'boolean') {
			return parsed as SetupRecord;
		}
	} catch {}

	return undefined;
}

export async function setupClaudeCode(options: SetupOptions): Promise<string> {
	const {url} = options;
	const settings = readSettings(options.settingsFile);
	const env = settings.data['env'] as JsonObject | undefined;
	const existing = env?.[key];
	if (existing === url) {
		return `Claude Code already uses shunt: env.${key} is ${url} in ${options.settingsFile}.`;
	}

	if (existing !== undefined && typeof existing !== 'string') {
		throw new UserError(`${options.settingsFile}: env.${key} is not a string; fix it and run shunt setup again. Nothing was changed.`);
	}

	if (existing !== undefined && !isLocalUrl(existing) && !options.force) {
		throw new UserError(`${options.settingsFile} already points Claude Code at ${shown(existing)}, which is not this machine; nothing was changed. To replace it anyway: shunt setup --yes --force (shunt setup --undo puts it back).`);
	}

	if (!options.yes) {
		if (!options.ask) {
			throw new UserError(`shunt setup changes Claude Code's ${options.settingsFile}; run it in a terminal to confirm, or pass --yes`);
		}

		const replacing = existing === undefined ? '' : ` (replacing ${shown(existing)})`;
		if (!await options.ask(`Set env.${key}=${url} in ${options.settingsFile}${replacing}? [y/N] `)) {
			return 'Nothing changed.';
		}
	}

	let backup: string | undefined;
	if (settings.text === undefined) {
		mkdirSync(path.dirname(settings.file), {recursive: true, mode: 0o700});
	} else {
		backup = `${settings.file}.shunt-backup`;
		await writeFileAtomic(backup, settings.text, settings.mode ?? 0o600);
	}

	await writeSettings(settings, {...settings.data, env: {...env, [key]: url}});
	// An earlier record for the same file keeps what was there before shunt first wrote.
	const earlier = readRecord(options.recordFile);
	const record: SetupRecord = earlier?.settingsFile === options.settingsFile && earlier.url === existing
		? {...earlier, url}
		: {
			settingsFile: options.settingsFile, url, previousUrl: existing ?? null, createdEnv: env === undefined,
		};
	await writeFileAtomic(options.recordFile, `${JSON.stringify(record, null, 2)}\n`);
	return [
		`Claude Code now uses shunt: env.${key}=${url} in ${options.settingsFile}${backup ? ` (the old file is in ${backup})` : ''}.`,
		'New Claude Code sessions pick it up; `shunt setup --undo` takes it out again.',
	].join('\n');
}

export async function undoSetup(options: Pick<SetupOptions, 'settingsFile' | 'recordFile' | 'url'>): Promise<string> {
	const settings = readSettings(options.settingsFile);
	const env = settings.data['env'] as JsonObject | undefined;
	const current = env?.[key];
	const record = readRecord(options.recordFile);
	const ours = record?.settingsFile === options.settingsFile ? record : undefined;
	if (current === undefined || !env) {
		if (ours) {
			rmSync(options.recordFile, {force: true});
		}

		return `Claude Code's ${options.settingsFile} has no env.${key}; nothing to undo.`;
	}

	// Only a value shunt wrote comes out: the recorded one, or without a record the URL setup
	// would write now (a local shunt address).
	const wrote = ours?.url ?? options.url;
	if (current !== wrote) {
		// eslint-disable-next-line @typescript-eslint/no-base-to-string -- the user's file may hold any JSON there; shown() bounds it
		return `env.${key} in ${options.settingsFile} is ${shown(String(current))}, not what shunt setup wrote (${wrote}); left as it is.`;
	}

	const nextEnv: JsonObject = {...env};
	let what: string;
	if (ours?.previousUrl) {
		nextEnv[key] = ours.previousUrl;
		what = `put back env.${key}=${shown(ours.previousUrl)}`;
	} else {
		Reflect.deleteProperty(nextEnv, key);
		what = `removed env.${key}`;
	}

	const next: JsonObject = {...settings.data, env: nextEnv};
	if (ours?.createdEnv && Object.keys(nextEnv).length === 0) {
		delete next['env'];
	}

	await writeSettings(settings, next);
	rmSync(options.recordFile, {force: true});
	return `Claude Code no longer uses shunt: ${what} in ${options.settingsFile}. New Claude Code sessions pick it up.`;
}
