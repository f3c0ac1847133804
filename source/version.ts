import {readFileSync} from 'node:fs';

// Read once from package.json so `--version`, /_shunt/health and the monitor always agree.
export const {version} = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {version: string});
