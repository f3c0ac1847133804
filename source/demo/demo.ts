import {mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {defaultSettings} from '../accounts/settings.js';
import type {Runtime} from '../runtime/runtime.js';
import {Simulator} from '../simulator/index.js';
import type {AccountConfig, Credential} from '../accounts/types.js';
import {version} from '../version.js';
import {seedDemoHistory} from './demo-history.js';
import {startTraffic} from './traffic.js';
import {startWeather} from './weather.js';

/** The demo's accounts: different plans and starting points, so the pool fills unevenly. */
export const demoAccounts = [
	{
		name: 'personal', plan: 'pro', budget5h: 220_000, utilization5h: 0.62, utilization7d: 0.41, windowMs: 100_000, hourShift: -4, weekend: 1.2,
	},
	{
		name: 'work', plan: 'max', budget5h: 1_100_000, utilization5h: 0.18, utilization7d: 0.55, windowMs: 150_000, hourShift: 0, weekend: 0.1,
	},
	{
		name: 'side-project', plan: 'pro', budget5h: 220_000, utilization5h: 0.81, utilization7d: 0.23, windowMs: 80_000, hourShift: -7, weekend: 1.5,
	},
	{
		name: 'team', plan: 'max', budget5h: 1_100_000, utilization5h: 0.35, utilization7d: 0.12, windowMs: 130_000, hourShift: 1, weekend: 0.3,
	},
];

/**
 * `shunt --demo`: our simulated Anthropic API in this process, four subscription accounts on it,
 * synthetic traffic, a throwaway SHUNT_HOME with a synthetic week of history in it — nothing under
 * the user's home is read or written.
 */
export async function demoRuntime(options: {sessions?: number} = {}): Promise<{runtime: Runtime; upstream: string}> {
	const home = mkdtempSync(path.join(os.tmpdir(), 'shunt-demo-'));
	const simulator = new Simulator({chunkDelayMs: 30});
	const upstream = await simulator.listen(0, '127.0.0.1');
	const accounts: AccountConfig[] = [];
	const credentials: Record<string, Credential> = {};
	for (const [index, account] of demoAccounts.entries()) {
		const token = `demo-access-token-${index + 1}-not-a-real-secret`;
		simulator.addAccount({
			kind: 'oauth',
			credential: token,
			name: account.name,
			budget5h: account.budget5h,
			// A week's budget large enough that the weekly gauge only creeps during a demo.
			budget7d: account.budget5h * 400,
			// Minutes, not hours, and different per account, so spent accounts come back one by one.
			window5hMs: account.windowMs,
			utilization5h: account.utilization5h,
			utilization7d: account.utilization7d,
		});
		accounts.push({
			name: account.name, kind: 'oauth', plan: account.plan, email: `${account.name}@example.com`,
		});
		credentials[account.name] = {
			type: 'oauth', accessToken: token, refreshToken: 'demo-refresh', expiresAt: Date.now() + (365 * 86_400_000),
		};
	}

	// A week of synthetic past, so the history pane's chart is filled in every window from the start.
	const historyFile = path.join(home, 'history.db');
	seedDemoHistory({
		file: historyFile, version, accounts: demoAccounts, nowMs: Date.now(),
	});

	let stopTraffic: (() => void) | undefined;
	const stopWeather = startWeather(simulator, Object.values(credentials).map(credential => (credential as {accessToken: string}).accessToken), {everyMs: 7000});
	const runtime: Runtime = {
		accounts,
		credentials,
		// Faster pacing than real accounts would allow, so the demo shows a lot in a minute.
		settings: {...defaultSettings, burstRpmLimit: 60, healthCheckEnabled: false},
		dataDir: home,
		stateFile: path.join(home, 'state.json'),
		historyFile,
		demo: true,
		onListening(url) {
			stopTraffic = startTraffic({
				url, sessions: options.sessions ?? 4, minPauseMs: 300, maxPauseMs: 1500,
			});
		},
		async onShutdown() {
			stopTraffic?.();
			stopWeather();
			await simulator.close();
			rmSync(home, {recursive: true, force: true});
		},
	};
	return {runtime, upstream};
}
