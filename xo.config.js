// XO's defaults, with React for the screen code. Each rule turned off or narrowed below contradicts a
// deliberate choice of this codebase or of its TypeScript settings; the comment above it says which.
import {createNodeResolver} from 'eslint-plugin-import-x';

/**
XO's naming conventions, except: object literal keys may also be snake_case, UPPER_CASE or
PascalCase, or camelCase with capitals in a row, as the other side spells them (the Anthropic and
OpenAI JSON, OAuth forms, environment variables, launchd plists and Claude Code's hook names, SDK
options like baseURL); OAuth is spelled as its RFC spells it. Components in .tsx files are
PascalCase, as XO allows there.
*/
const namingConvention = ({isTsx}) => [
	'error',
	{
		selector: ['variable', 'function', 'classProperty', 'parameterProperty', 'classMethod', 'objectLiteralMethod', 'typeMethod', 'accessor'],
		format: isTsx ? ['strictCamelCase', 'StrictPascalCase'] : ['strictCamelCase'],
		leadingUnderscore: 'allowSingleOrDouble',
		trailingUnderscore: 'allow',
		filter: {regex: '[- ]|OAuth', match: false},
	},
	{
		selector: 'objectLiteralProperty',
		format: ['camelCase', 'snake_case', 'UPPER_CASE', 'PascalCase'],
		leadingUnderscore: 'allowSingleOrDouble',
		trailingUnderscore: 'allow',
	},
	{selector: 'typeLike', filter: {regex: 'OAuth', match: false}, format: ['StrictPascalCase']},
	{
		selector: 'variable', types: ['boolean'], format: ['StrictPascalCase'], prefix: ['is', 'has', 'can', 'should', 'will', 'did'],
	},
	{selector: 'interface', filter: '^(?!I)(?!.*OAuth)[A-Z]', format: ['StrictPascalCase']},
	{selector: 'typeParameter', filter: '^T$|^[A-Z][a-zA-Z]+$', format: ['StrictPascalCase']},
	{selector: ['classProperty', 'objectLiteralProperty'], format: null, modifiers: ['requiresQuotes']},
];

/** What the screen code must not import (types excepted): the network and the layers that use it. */
const offScreen = [
	'node:http',
	'node:https',
	'node:net',
	'node:tls',
	'node:dgram',
	'ioredis',
	'**/proxy/*',
	'**/runtime/**',
	'**/team/*',
	'**/background/*',
	'**/anthropic/upstream-client.js',
	'**/anthropic/usage-endpoint.js',
];

/** @type {import('xo').FlatXoConfig} */
const xoConfig = [
	{
		// An eslint-disable comment that suppresses nothing is an error, not a warning.
		linterOptions: {reportUnusedDisableDirectives: 'error'},
		rules: {
			// One direction per dependency (issue [2/8]): an import cycle, type-only ones included, is an error.
			'import-x/no-cycle': ['error', {ignoreExternal: true}],
		},
		settings: {
			// Our imports name the built file (`./x.js`); the source beside it is x.ts or x.tsx. Without
			// this the import rules resolve nothing, and a cycle would pass unseen.
			'import-x/resolver-next': [createNodeResolver({extensionAlias: {'.js': ['.ts', '.tsx', '.js']}})],
			// XO lists these extensions without their dots, which import-x does not match, so it parsed
			// no imported file and found no cycle (checked with a deliberate one).
			'import-x/extensions': ['.js', '.mjs', '.ts', '.tsx'],
			'import-x/parsers': {'@typescript-eslint/parser': ['.ts', '.tsx']},
		},
	},
	// The layers (issue [2/8]): React and Ink belong to the screen code, and the screen code reaches
	// the network and the proxy only through the store it is given (types may be shared).
	{
		files: ['source/**/*.{ts,tsx}'],
		ignores: ['source/monitor/**'],
		rules: {
			'@typescript-eslint/no-restricted-imports': ['error', {
				patterns: [{group: ['react', 'react/*', 'ink', 'ink-*'], message: 'React and Ink are for the screen code, in source/monitor/.'}],
			}],
		},
	},
	{
		files: ['source/monitor/**/*.{ts,tsx}'],
		rules: {
			'@typescript-eslint/no-restricted-imports': ['error', {
				patterns: [{
					group: offScreen,
					allowTypeImports: true,
					message: 'The screen reads snapshots and sends actions through its store; it does not touch the network or the proxy.',
				}],
			}],
		},
	},
	{
		rules: {
			// The v flag needs target ES2024 (TS1501 under our ES2022), and adding u changes what `.`,
			// `[^…]` and /i match in parsers of hostile text (headers, SSE, terminal escapes).
			'require-unicode-regexp': 'off',
			// XO's 'always' asks for line breaks inside empty blocks too, where XO's
			// unicorn/empty-brace-spaces asks for `{}`: the two fight under --fix. Blocks with code break
			// their lines as before; empty ones stay `{}`, and one holding only a comment keeps its lines.
			'@stylistic/curly-newline': ['error', {minElements: 1, consistent: true}],
			// Comments here often start with a name that keeps its spelling: an identifier (`onEvent
			// gets…`), a header (`x-shunt-account`), a file (`bench/…`), the product (`shunt`), and every
			// test file's `// covers: source/…` line; the autofix would capitalize them all.
			'capitalized-comments': 'off',
			// Patterns are written as the formats they match are specified (`Bearer` under /i, `::1`, HTTP
			// dates as `\d{2}:\d{2}:\d{2}`); its rewrites (`bearer`, `:{2}1`, `(?:\d{2}:){2}`) hide them.
			'unicorn/better-regex': 'off',
			// File permission bits (`mode & 0o777`, 0600 files in 0700 directories) are security checks
			// here, and the benchmark's PRNG and hashes are bit arithmetic.
			'no-bitwise': 'off',
			// node:events' EventEmitter is the API these classes offer (typed on/off/once), as Node's own do.
			'unicorn/prefer-event-target': 'off',
			// It takes every push() for Array's, but usage taps and Readable streams take one chunk per
			// call; and the reports (bench, `shunt report`) push one section per statement.
			'unicorn/prefer-single-call': 'off',
			// XO's replacements but three words this code uses in their own sense: `temp` files and
			// directories (os.tmpdir, mkdtemp), SQL statement `params` (better-sqlite3's word), and SQLite's
			// `application_id` (XO would shorten it to `appId`).
			'unicorn/prevent-abbreviations': ['error', {
				checkFilenames: false,
				checkDefaultAndNamespaceImports: false,
				checkShorthandImports: false,
				extendDefaultReplacements: false,
				replacements: {
					whitelist: {include: true},
					blacklist: {exclude: true},
					master: {main: true},
					slave: {secondary: true},
					applications: {apps: true},
					arr: {array: true},
					e: {error: true, event: true},
					el: {element: true},
					elem: {element: true},
					len: {length: true},
					msg: {message: true},
					num: {number: true},
					obj: {object: true},
					opts: {options: true},
					param: {parameter: true},
					prev: {previous: true},
					req: {request: true},
					res: {response: true, result: true},
					ret: {returnValue: true},
					str: {string: true},
					tmp: {temporary: true},
					val: {value: true},
					err: {error: true},
				},
			}],
		},
	},
	{
		// React (the monitor is Ink) where React is: the screen code, its tests and the preview.
		files: ['**/*.tsx', 'source/monitor/**', 'test/helpers/ink.ts'],
		react: true,
		rules: {
			// tsconfig's "jsx": "react-jsx" is the automatic runtime: JSX needs no React in scope.
			'react/react-in-jsx-scope': 'off',
			// Props keep the names of the Ink props they are handed to (`bold`, `dimColor`) or read as the
			// state they describe (`focused`, `showHeader`); an is/has prefix would make them disagree.
			'react/boolean-prop-naming': 'off',
			// React Compiler rules; the monitor does not use the compiler, and its hooks read refs and the
			// clock during render on purpose (a pane height that shrinks only after a minute, a tick
			// skipped when a frame was just drawn, the optimistic view the next key reads).
			'react-hooks/refs': 'off',
			'react-hooks/purity': 'off',
		},
	},
	{
		files: ['**/*.{ts,tsx}'],
		languageOptions: {
			parserOptions: {
				// One program for everything `tsc -p tsconfig.test.json` checks (source, test, bench,
				// scripts/preview), with our compiler options, instead of XO's fallback for files
				// tsconfig.json leaves out (which sets options we do not, like noPropertyAccessFromIndexSignature).
				projectService: false,
				project: './tsconfig.test.json',
				tsconfigRootDir: import.meta.dirname,
			},
		},
		rules: {
			'@typescript-eslint/naming-convention': namingConvention({isTsx: false}),
			// Bracket access is how this code reads index-signature records (unvalidated JSON, env);
			// dot notation stays required for declared properties.
			'@typescript-eslint/dot-notation': ['error', {allowIndexSignaturePropertyAccess: true}],
			// XO's list without two: `null` is data here (JSON documents and worker-thread snapshots keep it
			// where undefined vanishes; SQLite NULL columns), and `Buffer` is what node:http, node:net and
			// Redis hand us, with the Buffer API the code calls.
			'@typescript-eslint/no-restricted-types': ['error', {
				types: {
					object: {
						message: 'The `object` type is hard to use. Use `Record<string, unknown>` instead. See: https://github.com/typescript-eslint/typescript-eslint/pull/848',
						fixWith: 'Record<string, unknown>',
					},
					'[]': 'Don\'t use the empty array type `[]`. It only allows empty arrays. Use `SomeType[]` instead.',
					'[[]]': 'Don\'t use `[[]]`. It only allows an array with a single element which is an empty array. Use `SomeType[][]` instead.',
					'[[[]]]': 'Don\'t use `[[[]]]`. Use `SomeType[][][]` instead.',
				},
			}],
			// Assertions narrow where TypeScript cannot follow a check already made: `value as number`
			// after Number.isInteger(value), `error as Error` in catch, SQLite rows, server.address().
			'@typescript-eslint/no-unsafe-type-assertion': 'off',
			// Classes are read in sections (`local → pool`, `pool → local`), each public method beside the
			// private steps it calls, and option types keep a callback beside the fields it reports on.
			'@typescript-eslint/member-ordering': 'off',
			// A switch's default is its catch-all for values outside the type (hostile input, an older
			// state file): it counts as handling the rest, and switches without one must name every member.
			'@typescript-eslint/switch-exhaustiveness-check': ['error', {
				allowDefaultCaseForExhaustiveSwitch: true,
				considerDefaultExhaustiveForUnions: true,
				requireDefaultForNonUnion: true,
			}],
			// An empty environment variable or header counts as unset: `env['X'] || fallback` is meant.
			'@typescript-eslint/prefer-nullish-coalescing': ['error', {ignorePrimitives: {string: true}}],
		},
	},
	{
		files: ['**/*.tsx'],
		rules: {
			'@typescript-eslint/naming-convention': namingConvention({isTsx: true}),
		},
	},
	{
		// The benchmark's scripts are command-line programs run with `node --import=tsx` (no hashbang
		// for the rule to recognise them by).
		files: ['bench/**'],
		rules: {
			'unicorn/no-process-exit': 'off',
		},
	},
	{
		// Tests parse JSON answers (any) and read fields of them, and step through a scenario in order.
		files: ['test/**/*.{ts,tsx}'],
		rules: {
			// node:test's test() and describe() return promises the runner itself awaits.
			'@typescript-eslint/no-floating-promises': ['error', {
				allowForKnownSafeCalls: [{from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite']}],
			}],
			'@typescript-eslint/no-unsafe-member-access': 'off',
			'@typescript-eslint/no-unsafe-assignment': 'off',
			'@typescript-eslint/no-unsafe-argument': 'off',
			'@typescript-eslint/no-unsafe-call': 'off',
			'@typescript-eslint/no-unsafe-return': 'off',
			'@typescript-eslint/restrict-plus-operands': 'off',
			'unicorn/no-await-expression-member': 'off',
			'no-await-in-loop': 'off',
			// Stubs and drains do nothing on purpose: `onQuit={() => {}}`, a fake stream's `pause() {}`.
			'@typescript-eslint/no-empty-function': 'off',
			// Tests look for the control bytes hostile input carries (no ESC or BEL reaches the terminal).
			'no-control-regex': 'off',
			// A JSON round trip is the point where a test uses one: it is what the wire does.
			'unicorn/prefer-structured-clone': 'off',
			// Concurrent clients poll a flag another callback clears, and waitFor()/test() callbacks made in
			// a loop read the suite's harness variables on purpose.
			'no-unmodified-loop-condition': 'off',
			'@typescript-eslint/no-loop-func': 'off',
			// Fakes are cast where a test hands over only what the code under test uses.
			'@typescript-eslint/consistent-type-assertions': 'off',
		},
	},
];

export default xoConfig;
