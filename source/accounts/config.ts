import Conf from 'conf';
import {ensurePrivateDirectory} from '../util/private-directory.js';
import type {AccountConfig} from './types.js';
import {defaultSettings, type Settings} from './settings.js';
import {accountNameProblem} from './account-name.js';
import {configSchema, describeViolation} from './config-schema.js';

export {configSchema} from './config-schema.js';

type ConfigData = {
	accounts: AccountConfig[];
	settings: Settings;
};

export class ConfigError extends Error {}

/**
 * config.json: settings and the account list, never a secret. conf writes synchronously, so this
 * is only touched by CLI commands and at start-up, never on the request path.
 */
export class ShuntConfig {
	readonly #conf: Conf<ConfigData>;

	constructor(configDir: string) {
		try {
			// conf would create the directory itself, with the default mode (0755 under the usual umask).
			ensurePrivateDirectory(configDir);
			this.#conf = new Conf<ConfigData>({
				projectName: 'shunt',
				projectSuffix: '',
				cwd: configDir,
				configName: 'config',
				// The cast is needed because conf's schema type cannot express our literal-typed defaults.
				schema: configSchema,
				configFileMode: 0o600,
				clearInvalidConfig: false,
			});
		} catch (error) {
			const file = `${configDir}/config.json`;
			const violation = describeViolation((error as Error).message);
			// A value out of range: the file is fine otherwise, so only that key needs fixing.
			throw new ConfigError(violation ? `${file}: ${violation}` : `${file}: ${(error as Error).message}. Fix the file or move it aside.`);
		}
	}

	get path(): string {
		return this.#conf.path;
	}

	get accounts(): AccountConfig[] {
		return this.#conf.get('accounts') ?? [];
	}

	get settings(): Settings {
		return {...defaultSettings, ...this.#conf.get('settings')};
	}

	addAccount(account: AccountConfig): void {
		const problem = accountNameProblem(account.name);
		if (problem) {
			throw new ConfigError(problem);
		}

		if (this.accounts.some(existing => existing.name === account.name)) {
			throw new ConfigError(`an account named "${account.name}" already exists`);
		}

		this.#set('accounts', [...this.accounts, account]);
	}

	updateAccount(name: string, changes: Partial<Omit<AccountConfig, 'name'>>): void {
		this.#set('accounts', this.accounts.map(account => account.name === name ? {...account, ...changes} : account));
	}

	removeAccount(name: string): boolean {
		const remaining = this.accounts.filter(account => account.name !== name);
		if (remaining.length === this.accounts.length) {
			return false;
		}

		this.#set('accounts', remaining);
		return true;
	}

	// conf validates every write against the schema too; its message becomes ours.
	#set<K extends keyof ConfigData>(key: K, value: ConfigData[K]): void {
		try {
			this.#conf.set(key, value);
		} catch (error) {
			const violation = describeViolation((error as Error).message);
			if (violation) {
				throw new ConfigError(`not saved to ${this.path}: ${violation}`);
			}

			throw error;
		}
	}

	setSetting<K extends keyof Settings>(key: K, value: Settings[K]): void {
		this.#set('settings', {...this.#conf.get('settings'), [key]: value});
	}
}
