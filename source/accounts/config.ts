import Conf from 'conf';
import type {AccountConfig} from '../types.js';
import {ensurePrivateDirectory} from '../util/private-directory.js';
import {defaultSettings, type Settings} from './settings.js';
import {accountNameProblem} from './account-name.js';

type ConfigData = {
	accounts: AccountConfig[];
	settings: Settings;
};

export class ConfigError extends Error {}

const positive = {type: 'number', minimum: 0} as const;

const schema = {
	accounts: {
		type: 'array',
		items: {
			type: 'object',
			required: ['name', 'kind'],
			properties: {
				name: {type: 'string', pattern: '^[A-Za-z0-9._-]{1,64}$'},
				kind: {enum: ['oauth', 'apikey']},
				plan: {type: 'string'},
				email: {type: 'string'},
				source: {type: 'string'},
			},
		},
		default: [],
	},
	settings: {
		type: 'object',
		properties: {
			strategy: {enum: ['maximus', 'reaper', 'cushion', 'carousel']},
			stickyTtlMinutes: positive,
			burstRpmLimit: positive,
			maxHoldSeconds: positive,
			fallbackModel: {type: ['string', 'null']},
			expirySoonMinutes: positive,
			firstByteTimeoutSeconds: positive,
			requestDeadlineSeconds: positive,
			nonStreamingTimeoutSeconds: positive,
			upstreamIdleTimeoutSeconds: positive,
			clientIdleTimeoutSeconds: positive,
			allowedOrigins: {type: 'array', items: {type: 'string'}},
			extraForwardedPaths: {type: 'array', items: {type: 'string'}},
			healthCheckEnabled: {type: 'boolean'},
			healthCheckIntervalSeconds: positive,
			healthCheckFirstAfterSeconds: positive,
			strongResumeEnabled: {type: 'boolean'},
			staleTelemetryMinutes: positive,
		},
		default: {},
	},
} as const;

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
				schema: schema as never,
				configFileMode: 0o600,
				clearInvalidConfig: false,
			});
		} catch (error) {
			throw new ConfigError(`${configDir}/config.json: ${(error as Error).message}. Fix the file or move it aside.`);
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

		this.#conf.set('accounts', [...this.accounts, account]);
	}

	updateAccount(name: string, changes: Partial<Omit<AccountConfig, 'name'>>): void {
		this.#conf.set('accounts', this.accounts.map(account => account.name === name ? {...account, ...changes} : account));
	}

	removeAccount(name: string): boolean {
		const remaining = this.accounts.filter(account => account.name !== name);
		if (remaining.length === this.accounts.length) {
			return false;
		}

		this.#conf.set('accounts', remaining);
		return true;
	}

	setSetting<K extends keyof Settings>(key: K, value: Settings[K]): void {
		this.#conf.set('settings', {...this.#conf.get('settings'), [key]: value});
	}
}
