// What `shunt --help` prints and the flags meow parses: the CLI's whole surface in one place, so
// a new flag and its line in the help are written side by side.
import {strategyNames} from '../routing/strategies.js';

export const flags = {
	// A string, checked by parsePort: meow's number type turns "abc" into NaN and loses what was typed.
	port: {type: 'string'},
	host: {type: 'string'},
	upstream: {type: 'string'},
	// Checked by parseStrategy: meow's `choices` throws, which would print a stack trace.
	strategy: {type: 'string'},
	headless: {type: 'boolean', default: false},
	demo: {type: 'boolean', default: false},
	json: {type: 'boolean', default: false},
	apiKey: {type: 'string'},
	// logs
	follow: {type: 'boolean', shortFlag: 'f', default: false},
	lines: {type: 'string', shortFlag: 'n'},
	// setup
	yes: {type: 'boolean', default: false},
	force: {type: 'boolean', default: false},
	undo: {type: 'boolean', default: false},
	// service
	dryRun: {type: 'boolean', default: false},
	// Checked by the report command (a duration, a grouping), like --port.
	since: {type: 'string'},
	by: {type: 'string'},
} as const;

export const help = `
	Usage
	  $ shunt [options]                        proxy + live monitor (headless without a TTY)
	  $ shunt --headless                       proxy only, one log line per request on stderr
	  $ shunt --demo                           try it: monitor on a built-in simulated API
	  $ shunt add-account <name> --api-key <key|->
	                                           add a Console API key (- reads it from stdin)
	  $ shunt add-account <name>               add a Claude subscription (browser login)
	  $ shunt import-claude-code [<name>]      import Claude Code's login
	  $ shunt remove-account <name>
	  $ shunt accounts [--json]

	  $ shunt service install|uninstall|status [--dry-run]
	                                           run shunt headless as a per-user service
	  $ shunt setup [--yes] [--force] [--undo] point Claude Code at shunt (its settings.json)
	  $ shunt monitor                          the live monitor, attached to the running shunt
	  $ shunt logs [-f] [--json] [-n <lines>]  the log file (one line per request and event)
	  $ shunt report [--since <dur>] [--by day|model|account] [--json]
	                                           totals from the history (default: 7d by day)
	  $ shunt statusline                       one line for Claude Code's statusLine setting

	  Ask the running shunt (--port), like the monitor's keys:
	  $ shunt status [--json]
	  $ shunt pin <name|auto>
	  $ shunt strategy <${strategyNames.join('|')}|default>
	  $ shunt model <id|auto>
	  $ shunt effort <low|medium|high|max|auto>
	  $ shunt burst-limit <n|off|default>      requests per minute per subscription account
	  $ shunt fallback <model|off|auto>
	  $ shunt alerts <on|off>
	  $ shunt pause <name> · shunt resume <name>
	  (model, effort, burst-limit, fallback and alerts without a value print the current one)

	Options
	  --port <n>          listen port (default 8082, env SHUNT_PORT)
	  --host <addr>       listen address (default 127.0.0.1, env SHUNT_HOST)
	  --upstream <url>    Anthropic API base (default https://api.anthropic.com, env SHUNT_UPSTREAM_URL)
	  --strategy <name>   routing strategy (default maximus)
	  --headless          no monitor
	  --demo              simulated accounts and traffic, throwaway state
	  --json              machine-readable output (accounts, status, logs, report)
	  -f, --follow        logs: keep printing new lines
	  -n, --lines <n>     logs: how many lines back (default 50)
	  --yes               setup: do not ask first
	  --force             setup: replace a URL that points elsewhere
	  --undo              setup: take out what setup wrote
	  --dry-run           service: print the file and the commands, change nothing
	  --since <dur>       report: how far back, like 24h, 7d, 30d (1m to 3650d)
	  --by <key>          report: one row per day (UTC), model or account
	  --version, --help

	Environment
	  SHUNT_HOME          keep config.json, credentials.json, state.json and history.db in this directory
	  SHUNT_CLIENT_KEY    clients must send this key; required for a non-loopback --host
	  SHUNT_OAUTH_TOKEN_URL  OAuth token endpoint (default https://platform.claude.com/v1/oauth/token)
	  SHUNT_REDIS_URL     team mode: share one pool's state with other shunts (redis:// or rediss://)
	  SHUNT_TEAM_KEY      team mode: the pool's 32-byte encryption key (else team.key in the config directory)
	  SHUNT_INSTANCE_NAME team mode: this instance's name in the pool (default: the host name)

	Point Claude Code at it:
	  $ shunt service install && shunt setup
	  (or by hand: export ANTHROPIC_BASE_URL=http://127.0.0.1:8082)
	OpenAI-compatible clients (API-key accounts only by default):
	  $ export OPENAI_BASE_URL=http://127.0.0.1:8082/v1
`;
