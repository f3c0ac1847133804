// A self-contained, animated stand-in for the real store, for looking at the monitor in a terminal
// (scripts/preview/preview.tsx). It fakes traffic, 429s, staggered cooldowns and recoveries; it never
// touches the network.
import {actionsFrom, applyAction} from '../../source/monitor/apply-action.js';
import {
	actionNames, type AccountView, type MonitorStore, type StoreActions, type StoreSnapshot,
} from '../../source/monitor/contract.js';
import type {RequestRecord, StoreEvent} from '../../source/state/records.js';

type Options = {demo?: boolean; accountNames?: string[]};

const models = ['claude-sonnet-4-6', 'claude-opus-4-8', 'claude-haiku-4-5-20251001', 'claude-sonnet-4-6'];

// The actions are assigned in the constructor from the one list of names; merging this interface
// into the class is how TypeScript learns they are there.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/consistent-type-definitions, @typescript-eslint/no-empty-object-type -- merging needs an interface
export interface PreviewStore extends StoreActions {}

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- the interface above
export class PreviewStore implements MonitorStore {
	private snapshot: StoreSnapshot;
	private readonly listeners = new Set<() => void>();
	private readonly timers: NodeJS.Timeout[] = [];
	private sequence = 0;
	private notifyPending = false;

	constructor(options: Options = {}) {
		// Every action applied to the snapshot as the monitor's optimistic layer applies it
		// (apply-action.ts): one method per name in actionNames, none written out here.
		Object.assign(this, actionsFrom(actionNames, call => {
			this.update(snapshot => applyAction(snapshot, call));
		}));
		const now = Date.now();
		const names = options.accountNames ?? ['home', 'work', 'side-project', 'console'];
		const accounts: AccountView[] = names.map((name, index) => ({
			name,
			kind: index === 3 ? 'apikey' : 'oauth',
			index: index + 1,
			plan: index === 3 ? 'console' : (index === 2 ? 'pro' : 'max'),
			state: 'available',
			cooldownUntilMs: 0,
			utilization5h: index === 3 ? null : 0.12 + (index * 0.3),
			utilization7d: index === 3 ? null : 0.05 + (index * 0.2),
			reset5h: index === 3 ? null : Math.floor(now / 1000) + 3600 + (index * 2400),
			reset7d: index === 3 ? null : Math.floor(now / 1000) + (86_400 * (2 + index)),
			requestsRemaining: index === 3 ? 48 : undefined,
			requestsLimit: index === 3 ? 50 : undefined,
			windowTokens: 12_345 * (index + 1),
			cacheHitRate: index === 3 ? null : 0.9 - (index * 0.15),
			scopedWindows: index === 1
				? [{
					window: '7d_opus', label: 'weekly opus', utilization: 0.93, reset: Math.floor(now / 1000) + 86_400, status: 'allowed_warning', spent: false,
				}]
				: [],
			pinned: false,
			active: index === 0,
			recentRequests: 0,
			backAtMs: null,
			burst: index === 3 ? null : {count: 0, limit: 10, freesAtMs: null},
			easing: null,
			excludedModels: [],
			keyHeadroom: index === 3 ? 0.96 : null,
			keyBlockedUntilMs: null,
		}));
		accounts[2] &&= {...accounts[2], state: 'reauth', fixHint: `shunt add-account ${accounts[2].name}`};

		this.snapshot = {
			version: '0.1.0',
			startedMs: now - 3_723_000,
			nowMs: now,
			listenUrl: 'http://127.0.0.1:8082',
			strategy: 'maximus',
			strategyOverridden: false,
			defaults: {strategy: 'maximus', burstRpmLimit: 10},
			inFlightRequests: [],
			burstRpmLimit: 10,
			pinnedAccount: null,
			overrides: {
				strategy: null, model: null, effort: null, burstRpmLimit: null, fallbackModel: null, alertsMuted: false,
			},
			heldRequests: 0,
			inFlight: 0,
			requestsPerMinute: 0,
			accounts,
			requests: [],
			events: [{tsMs: now, kind: 'info', message: 'preview started: simulated traffic'}],
			savings: {
				today: {
					inputTokens: 120_000, outputTokens: 48_000, cacheReadTokens: 2_400_000, cacheWriteTokens: 90_000, usd: 4.21,
				},
				week: {
					inputTokens: 1_200_000, outputTokens: 480_000, cacheReadTokens: 24_000_000, cacheWriteTokens: 900_000, usd: 57.9,
				},
				allTime: {
					inputTokens: 9_000_000, outputTokens: 3_100_000, cacheReadTokens: 190_000_000, cacheWriteTokens: 7_000_000, usd: 1234.5,
				},
			},
			demo: options.demo ?? true,
		};
	}

	start(): void {
		this.timers.push(setInterval(() => {
			this.traffic();
		}, 700), setInterval(() => {
			this.update(snapshot => ({...snapshot, nowMs: Date.now()}));
		}, 1000));
	}

	stop(): void {
		for (const timer of this.timers) {
			clearInterval(timer);
		}
	}

	subscribe = (listener: () => void): (() => void) => {
		this.listeners.add(listener);
		return () => {
			this.listeners.delete(listener);
		};
	};

	getSnapshot = (): StoreSnapshot => this.snapshot;

	private update(change: (snapshot: StoreSnapshot) => StoreSnapshot): void {
		this.snapshot = change(this.snapshot);
		// Batch like the real store: many changes, one notification.
		if (!this.notifyPending) {
			this.notifyPending = true;
			setTimeout(() => {
				this.notifyPending = false;
				for (const listener of this.listeners) {
					listener();
				}
			}, 80);
		}
	}

	private traffic(): void {
		const now = Date.now();
		this.update(snapshot => {
			const events: StoreEvent[] = [];
			// Cooldowns that ran out recover.
			let accounts = snapshot.accounts.map(view => {
				if (view.state === 'cooling' && view.cooldownUntilMs <= now) {
					events.push({
						tsMs: now, kind: 'recovered', account: view.name, message: 'cooldown over, back in rotation',
					});
					return {
						...view, state: 'available' as const, cooldownUntilMs: 0, cooldownReason: undefined,
					};
				}

				return view;
			});
			const usable = accounts.filter(view => view.state === 'available' && (snapshot.pinnedAccount === null || view.name === snapshot.pinnedAccount));
			const target = usable[this.sequence % Math.max(1, usable.length)];
			this.sequence++;
			const attempts: RequestRecord['attempts'] = [];
			let served = target;
			// Every few requests the chosen account answers 429, cools down (staggered 5 s after
			// any other cooldown ending near it) and the request fails over to the next one.
			if (target && this.sequence % 9 === 0 && usable.length > 1) {
				const others = accounts.filter(view => view.cooldownUntilMs > now).length;
				const until = now + 25_000 + (others * 5000);
				attempts.push({account: target.name, status: 429, reason: 'quota'});
				events.push(
					{
						tsMs: now, kind: 'rate-limited', account: target.name, message: '429 quota: failing over',
					},
					{
						tsMs: now, kind: 'cooldown', account: target.name, message: `cooling until ${new Date(until).toLocaleTimeString('en-GB')}`,
					},
				);
				accounts = accounts.map(view => (view.name === target.name
					? {
						...view, state: 'cooling' as const, cooldownUntilMs: until, cooldownReason: 'quota',
					}
					: view));
				served = usable.find(view => view.name !== target.name);
			}

			const model = snapshot.overrides.model ?? models[this.sequence % models.length]!;
			const request: RequestRecord = {
				id: `req-${this.sequence}`,
				tsMs: now,
				startedMs: now - 800,
				ttftMs: served ? 300 : null,
				account: served?.name ?? null,
				model,
				status: served ? 200 : 429,
				inputTokens: 40 + ((this.sequence * 37) % 900),
				outputTokens: 120 + ((this.sequence * 53) % 2400),
				cacheReadTokens: (this.sequence * 1013) % 60_000,
				cacheWriteTokens: (this.sequence * 71) % 3000,
				durationMs: 300 + ((this.sequence * 977) % 9000),
				attempts,
				outcome: this.sequence % 23 === 0 ? 'client-cancelled' : 'complete',
				stream: true,
				path: '/v1/messages',
				frontDoor: 'anthropic',
				costUsd: ((this.sequence * 13) % 100) / 300,
			};
			accounts = accounts.map(view => ({
				...view,
				active: view.name === served?.name,
				recentRequests: view.name === served?.name ? Math.min(99, view.recentRequests + 1) : Math.max(0, view.recentRequests - (this.sequence % 3 === 0 ? 1 : 0)),
				windowTokens: view.name === served?.name ? view.windowTokens + request.inputTokens + request.outputTokens : view.windowTokens,
				utilization5h: view.utilization5h === null || view.name !== served?.name ? view.utilization5h : Math.min(1.02, view.utilization5h + 0.004),
				requestsRemaining: view.requestsRemaining === undefined ? undefined : Math.max(0, view.requestsRemaining - (view.name === served?.name ? 1 : 0)),
			}));
			return {
				...snapshot,
				nowMs: now,
				accounts,
				inFlight: this.sequence % 4,
				requestsPerMinute: 60_000 / 700,
				requests: [request, ...snapshot.requests].slice(0, 200),
				events: [...events.toReversed(), ...snapshot.events].slice(0, 100),
			};
		});
	}
}
