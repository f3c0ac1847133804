// A synthetic past for the demo's throwaway history.db: a week of requests and 5h readings for the
// demo accounts, so the history pane has a filled chart in every window from the first screen,
// not only once the demo has run for hours. Busier in the day than at night and on weekdays than
// at weekends, each account with its own rhythm. The readings are of real 5-hour windows (the
// live demo's windows last minutes, so the newest end of each sparkline moves faster). Written before the store opens the file, into the requests and samples only: the
// savings line (daily_totals) counts what the demo's live traffic saved, not this made-up past.
import {openHistoryDatabase} from '../history/database.js';
import {
	insertRequestSql, insertSampleSql, requestParams, sampleParams, type TelemetrySample,
} from '../history/rows.js';
import {costUsd} from '../pricing/cost.js';
import type {RequestRecord} from '../state/records.js';

export type DemoHistoryAccount = {
	name: string;
	/** Tokens its (demo-length) 5h window holds, and that window's length: the pace of its past traffic. */
	budget5h: number;
	windowMs: number;
	/** Hours its busy time of day is shifted by (evening accounts, night owls). */
	hourShift: number;
	/** How busy it is at weekends compared with weekdays. */
	weekend: number;
};

export type DemoHistoryOptions = {
	file: string;
	version: string;
	accounts: readonly DemoHistoryAccount[];
	nowMs: number;
	/** How far back it goes. */
	spanMs?: number;
	random?: () => number;
};

const minute = 60_000;
const hour = 60 * minute;
const models = ['claude-sonnet-4-6', 'claude-sonnet-4-6', 'claude-sonnet-4-6', 'claude-opus-4-8', 'claude-opus-4-8', 'claude-haiku-4-5-20251001'];

/** 0.05 at night to 1 in the middle of the (shifted) working day, less at weekends. */
function activity(account: DemoHistoryAccount, tsMs: number): number {
	const date = new Date(tsMs + (account.hourShift * hour));
	const hourOfDay = date.getHours() + (date.getMinutes() / 60);
	const day = hourOfDay >= 8 && hourOfDay <= 22 ? Math.sin((Math.PI * (hourOfDay - 8)) / 14) ** 1.5 : 0;
	const weekday = date.getDay() === 0 || date.getDay() === 6 ? account.weekend : 1;
	return (0.05 + (0.95 * day)) * weekday;
}

/**
 * Steps back from now, fine near now and coarse a week ago: at every age at least two steps to each
 * slice of the finest window showing that age, so no slice is left empty.
 */
function stepAt(ageMs: number, finestMs: number, coarsestMs: number, perSpan: number): number {
	return Math.min(coarsestMs, Math.max(finestMs, ageMs / perSpan));
}

export function seedDemoHistory(options: DemoHistoryOptions): {requests: number; samples: number} {
	const {nowMs, accounts} = options;
	const random = options.random ?? Math.random;
	const fromMs = nowMs - (options.spanMs ?? 7 * 24 * hour);
	const requests: RequestRecord[] = [];
	const samples: TelemetrySample[] = [];
	// Requests: every step, each account's share of the traffic of that stretch of time.
	for (let tsMs = nowMs - 5000; tsMs > fromMs;) {
		const stepMs = stepAt(nowMs - tsMs, 10_000, 12 * minute, 120);
		for (const account of accounts) {
			// Tokens a minute at full activity: about half of what the account's window allows.
			const perMinute = (account.budget5h / (account.windowMs / minute)) * 0.5;
			const tokens = Math.round(perMinute * (stepMs / minute) * activity(account, tsMs) * (0.5 + random()));
			if (tokens < 100) {
				continue;
			}

			requests.push(seededRequest(`seed-${requests.length}`, account.name, tsMs - Math.floor(random() * stepMs / 2), tokens, models[Math.floor(random() * models.length)]!, random));
		}

		tsMs -= stepMs;
	}

	// 5h readings: a window fills as the account works, faster in its busy hours, and empties when it resets.
	const fiveHoursMs = 5 * hour;
	for (const account of accounts) {
		const offsetMs = Math.floor(random() * fiveHoursMs);
		for (let tsMs = nowMs - 30_000; tsMs > fromMs; tsMs -= stepAt(nowMs - tsMs, 30_000, 15 * minute, 30)) {
			const into = (((tsMs - offsetMs) % fiveHoursMs) + fiveHoursMs) % fiveHoursMs;
			const utilization = Math.min(1.02, (into / fiveHoursMs) * (0.3 + (1.3 * activity(account, tsMs))) * (0.9 + (0.2 * random())));
			samples.push({
				tsMs,
				account: account.name,
				utilization5h: Math.round(utilization * 1000) / 1000,
				reset5h: Math.ceil((tsMs - into + fiveHoursMs) / 1000),
				status5h: utilization >= 1 ? 'rejected' : 'allowed',
				utilization7d: null,
				reset7d: null,
				status7d: null,
				keyHeadroom: null,
			});
		}
	}

	const {db} = openHistoryDatabase(options.file, {nowMs, version: options.version});
	try {
		const insertRequest = db.prepare(insertRequestSql);
		const insertSample = db.prepare(insertSampleSql);
		db.transaction(() => {
			for (const request of requests) {
				insertRequest.run(requestParams(request, 'oauth'));
			}

			for (const sample of samples) {
				insertSample.run(sampleParams(sample));
			}
		})();
	} finally {
		db.close();
	}

	return {requests: requests.length, samples: samples.length};
}

function seededRequest(id: string, account: string, tsMs: number, tokens: number, model: string, random: () => number): RequestRecord {
	// Claude Code-like: mostly cache writes and fresh input, a little output; reads come on top and do not count against limits.
	const outputTokens = Math.round(tokens * 0.04);
	const cacheWriteTokens = Math.round(tokens * 0.3);
	const inputTokens = tokens - outputTokens - cacheWriteTokens;
	const cacheReadTokens = Math.round(tokens * (2 + (4 * random())));
	const durationMs = 800 + Math.floor(random() * 6000);
	return {
		id,
		tsMs,
		startedMs: tsMs - durationMs,
		account,
		model,
		status: 200,
		inputTokens,
		outputTokens,
		cacheReadTokens,
		cacheWriteTokens,
		durationMs,
		ttftMs: 300 + Math.floor(random() * 500),
		attempts: [],
		outcome: 'complete',
		stream: true,
		path: '/v1/messages',
		costUsd: costUsd(model, {
			inputTokens, outputTokens, cacheReadInputTokens: cacheReadTokens, cacheCreationInputTokens: cacheWriteTokens,
		}),
		frontDoor: 'anthropic',
	};
}
