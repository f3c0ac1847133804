// XO's defaults, with React (the monitor is Ink). The few rules turned off or narrowed below each
// contradict a deliberate choice of this codebase or of its TypeScript settings; the comment above
// each says which.

/**
XO's naming conventions, except: object literal keys may also be snake_case or UPPER_CASE, or
camelCase with capitals in a row, as the other side spells them (the Anthropic and OpenAI JSON,
OAuth forms, environment variables, SDK options like baseURL); OAuth is spelled as its RFC spells
it. Components in .tsx files are PascalCase, as XO allows there.
*/
const namingConvention = ({isTsx}) => ['error',
	{
		selector: ['variable', 'function', 'classProperty', 'parameterProperty', 'classMethod', 'objectLiteralMethod', 'typeMethod', 'accessor'],
		format: isTsx ? ['strictCamelCase', 'StrictPascalCase'] : ['strictCamelCase'],
		leadingUnderscore: 'allowSingleOrDouble',
		trailingUnderscore: 'allow',
		filter: {regex: '[- ]|OAuth', match: false},
	},
	{
		selector: 'objectLiteralProperty',
		format: ['camelCase', 'snake_case', 'UPPER_CASE'],
		leadingUnderscore: 'allowSingleOrDouble',
		trailingUnderscore: 'allow',
	},
	{selector: 'typeLike', filter: {regex: 'OAuth', match: false}, format: ['StrictPascalCase']},
	{
		selector: 'variable', types: ['boolean'], format: ['StrictPascalCase'], prefix: ['is', 'has', 'can', 'should', 'will', 'did'],
	},
	{selector: 'interface', filter: '^(?!I)(?!.*OAuth)[A-Z]', format: ['StrictPascalCase']},
	{selector: 'typeParameter', filter: '^T$|^[A-Z][a-zA-Z]+$', format: ['StrictPascalCase']},
	{selector: ['classProperty', 'objectLiteralProperty'], format: null, modifiers: ['requiresQuotes']}];

/** @type {import('xo').FlatXoConfig} */
const xoConfig = [
	{
		react: true,
		// An eslint-disable comment that suppresses nothing is an error, not a warning.
		linterOptions: {reportUnusedDisableDirectives: 'error'},
		rules: {
			// tsconfig's "jsx": "react-jsx" is the automatic runtime: JSX needs no React in scope.
			'react/react-in-jsx-scope': 'off',
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
			// Props keep the names of the Ink props they are handed to (`bold`, `dimColor`) or read as the
			// state they describe (`focused`, `showHeader`); an is/has prefix would make them disagree.
			'react/boolean-prop-naming': 'off',
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
			// XO's list minus two: `null` is data here (JSON documents and worker-thread snapshots keep it
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
				},
			}],
			// Assertions narrow where TypeScript cannot follow a check already made: `value as number`
			// after Number.isInteger(value), `error as Error` in catch, SQLite rows, server.address().
			'@typescript-eslint/no-unsafe-type-assertion': 'off',
		},
	},
	{
		files: ['**/*.tsx'],
		rules: {
			'@typescript-eslint/naming-convention': namingConvention({isTsx: true}),
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
			'unicorn/no-await-expression-member': 'off',
			'no-await-in-loop': 'off',
			// Stubs and drains do nothing on purpose: `onQuit={() => {}}`, a fake stream's `pause() {}`.
			'@typescript-eslint/no-empty-function': 'off',
		},
	},
];

export default xoConfig;
