// What config.json may hold. The file is input like any other: every number has bounds, because a
// harmful one is not hypothetical (a 0 s health-check interval sent ~1300 requests a second with
// real keys; a 1e12 s timeout overflowed node's 32-bit timer to 1 ms and every request got 502).
// Every maximum keeps its timer under 2^31 ms (24.8 days); test/config-bounds checks that.
import {strategyNames} from '../routing/strategies.js';

const range = (minimum: number, maximum: number) => ({type: 'number', minimum, maximum}) as const;
const whole = (minimum: number, maximum: number) => ({type: 'integer', minimum, maximum}) as const;

const day = 86_400;
const weekMinutes = 7 * 24 * 60;

export const configSchema = {
	accounts: {
		type: 'array',
		items: {
			type: 'object',
			required: ['name', 'kind'],
			properties: {
				name: {type: 'string', pattern: '^[A-Za-z0-9._-]{1,64}$', description: '1 to 64 letters, digits, dots, dashes or underscores'},
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
			strategy: {enum: [...strategyNames]},
			// 0 = no stickiness; a day at most, longer only pins sessions to spent accounts.
			stickyTtlMinutes: range(0, 24 * 60),
			// Requests per minute, 0 = off; the same ceiling as the control API's burst-limit.
			burstRpmLimit: whole(0, 100_000),
			maxHoldSeconds: range(0, 3600),
			fallbackModel: {type: ['string', 'null'], maxLength: 200, description: 'a model id, "off", or null'},
			// The longest window is the 7-day one.
			expirySoonMinutes: range(0, weekMinutes),
			firstByteTimeoutSeconds: range(1, 3600),
			requestDeadlineSeconds: range(10, 3600),
			nonStreamingTimeoutSeconds: range(10, 3600),
			upstreamIdleTimeoutSeconds: range(5, 3600),
			clientIdleTimeoutSeconds: range(1, 600),
			allowedOrigins: {
				type: 'array',
				maxItems: 100,
				items: {
					type: 'string',
					maxLength: 200,
					// scheme://host[:port]: printable ASCII without "/" after the scheme ([!-.0-~] is
					// 0x21-0x7E less 0x2F), so no path, no space, no control character.
					pattern: '^https?://[!-.0-~]+$',
					description: 'an origin such as https://app.example.com (scheme, host and optional port; no path)',
				},
			},
			extraForwardedPaths: {
				type: 'array',
				maxItems: 100,
				items: {
					type: 'string',
					maxLength: 200,
					// [!-~] is printable ASCII without the space.
					pattern: '^(?:GET|HEAD|POST|PUT|PATCH|DELETE) /[!-~]*$',
					description: 'a method and a path such as "POST /v1/messages/batches" or "GET /v1/files/*"',
				},
			},
			openaiModelMap: {
				type: 'object',
				maxProperties: 200,
				propertyNames: {maxLength: 200, pattern: '^[!-~]+$'},
				// A model id: printable ASCII, no space.
				additionalProperties: {
					type: 'string', minLength: 1, maxLength: 200, pattern: '^[!-~]+$', description: 'a Claude model id such as "claude-sonnet-4-6"',
				},
				description: 'an object mapping OpenAI model names to Claude model ids, such as {"gpt-4o": "claude-sonnet-4-6"}',
			},
			openaiAllowSubscriptions: {type: 'boolean'},
			healthCheckEnabled: {type: 'boolean'},
			// A health check lists models with each account's credential: never more often than this.
			healthCheckIntervalSeconds: range(10, day),
			healthCheckFirstAfterSeconds: range(0, day),
			strongResumeEnabled: {type: 'boolean'},
			// 0 = never probe for fresh telemetry.
			staleTelemetryMinutes: range(0, weekMinutes),
			desktopNotifications: {type: 'boolean'},
			// Today's file at least; a year at most.
			logRetentionDays: whole(1, 366),
			// Up to ten years; never a timer (pruning runs hourly), so no timer bound applies.
			// 0 keeps no history at all (no history.db).
			historyRetentionDays: whole(0, 3650),
		},
		default: {},
	},
} as const;

type Rule = Record<string, unknown>;

const rootRule: Rule = {properties: configSchema, description: 'a JSON object'};

const violationPrefix = 'Config schema violation: ';

/**
 * conf reports schema errors as "Config schema violation: `settings/x` must be >= 10; `…` …".
 * Returns them as "settings.x must be >= 10 (a number from 10 to 86400); …", or undefined for
 * any other error.
 */
export function describeViolation(message: string): string | undefined {
	if (!message.startsWith(violationPrefix)) {
		return undefined;
	}

	const issues = message.slice(violationPrefix.length).split(/; (?=`)/).map(part => {
		const match = /^`([^`]*)` (.*)$/s.exec(part);
		if (!match) {
			return printable(part);
		}

		const segments = match[1] ? match[1].split('/').map(segment => segment.replaceAll('~1', '/').replaceAll('~0', '~')) : [];
		return `${keyPath(segments)} ${explain(match[2]!, ruleAt(segments))}`;
	});
	return [...new Set(issues)].join('; ');
}

function keyPath(segments: string[]): string {
	if (segments.length === 0) {
		return 'the file';
	}

	return segments.map((segment, index) => /^\d+$/.test(segment) ? `[${segment}]` : `${index === 0 ? '' : '.'}${printable(segment)}`).join('');
}

function explain(message: string, rule: Rule | undefined): string {
	if (!rule) {
		return printable(message);
	}

	if (Array.isArray(rule['enum'])) {
		return `must be one of ${(rule['enum'] as unknown[]).join(', ')}`;
	}

	const wrongType = message.startsWith('must be ') && /^must be [a-z,]+$/.test(message);
	if (typeof rule['description'] === 'string' && (wrongType || message.startsWith('must match pattern'))) {
		return `must be ${rule['description']}`;
	}

	if (typeof rule['minimum'] === 'number' && typeof rule['maximum'] === 'number') {
		const allowed = `${rule['type'] === 'integer' ? 'a whole number' : 'a number'} from ${rule['minimum']} to ${rule['maximum']}`;
		return wrongType ? `must be ${allowed}` : `${printable(message)} (${allowed})`;
	}

	return printable(message);
}

/** The schema rule for a path into the file ("settings", "allowedOrigins", "0" → the items rule). */
function ruleAt(segments: string[]): Rule | undefined {
	let rule: Rule | undefined = rootRule;
	for (const segment of segments) {
		const properties = rule['properties'] as Record<string, Rule> | undefined;
		const additional: Rule | undefined = typeof rule['additionalProperties'] === 'object' ? rule['additionalProperties'] as Rule : undefined;
		rule = /^\d+$/.test(segment) && rule['items'] ? rule['items'] as Rule : (properties && Object.hasOwn(properties, segment) ? properties[segment] : additional);
		if (!rule) {
			return undefined;
		}
	}

	return rule;
}

// Error text ends up on a terminal: no control characters from a file.
function printable(text: string): string {
	return text.replaceAll(/[^\u0020-\u007E]/g, '?');
}
