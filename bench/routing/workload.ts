// The workload: several Claude Code-like sessions over a simulated day. Each works in tasks (a
// user prompt, then a tool loop of turns a few seconds apart), pauses between tasks, sometimes
// starts a new conversation (/clear) or compacts a long one, and sometimes fans out a burst of
// parallel subagents that share its session id but open with their own first user message.
//
// Everything is drawn from the seed before it is needed, from streams named after the session, the
// task and the agent: a turn that fails (and so draws nothing more) does not change what any other
// task does, and each task starts at its planned time whatever happened before (later only when
// the previous one is still running), so every run sees the same requests at the same instants.
import {Conversation, text, toolList, uuid, type Sizes} from './conversation.js';
import type {Random} from './prng.js';

export type WorkloadConfig = {
	sessions: Array<{model: string}>;
	/** When sessions start (ms after the day starts) and how long each works. */
	sessionStartMs: [number, number];
	sessionLengthMs: [number, number];
	turns: [number, number];
	turnGapMs: [number, number];
	/** Pauses between tasks: most are short, some longer, a few are breaks. */
	pauseMs: {short: [number, number]; long: [number, number]; longChance: number; break: [number, number]; breakChance: number};
	newConversationChance: number;
	burst: {chance: number; agents: [number, number]; turns: [number, number]; gapMs: [number, number]; model: string; ownModelChance: number};
	sizes: Sizes;
};

/** What the workload asks of a target: send one request, say how it ended. */
export type Send = (request: {body: Record<string, unknown>; thread: string; model: string}) => Promise<boolean>;

export type Actors = {
	sleep: (ms: number) => Promise<void>;
	now: () => number;
	send: Send;
};

type AgentPlan = {random: Random; model: string; turns: number; gapsMs: number[]};

type TaskPlan = {
	atMs: number;
	random: Random;
	newConversation: boolean;
	turns: number;
	gapsMs: number[];
	burst?: {afterTurn: number; agents: AgentPlan[]};
};

type SessionPlan = {index: number; model: string; random: Random; tasks: TaskPlan[]};

const range = (random: Random, [min, max]: [number, number]): number => random.between(min, max);

function planAgent(random: Random, config: WorkloadConfig, sessionModel: string): AgentPlan {
	const burst = config.burst;
	const turns = random.int(...burst.turns);
	return {
		random: random.fork('content'),
		model: random.chance(burst.ownModelChance) ? sessionModel : burst.model,
		turns,
		gapsMs: Array.from({length: turns}, () => range(random, burst.gapMs)),
	};
}

function planSession(index: number, root: Random, config: WorkloadConfig, startMs: number): SessionPlan {
	const random = root.fork(`session ${index}`);
	const model = config.sessions[index]!.model;
	const timing = random.fork('timing');
	let atMs = startMs + range(timing, config.sessionStartMs);
	const endMs = atMs + range(timing, config.sessionLengthMs);
	const tasks: TaskPlan[] = [];
	while (atMs < endMs) {
		const task = random.fork(`task ${tasks.length}`);
		const plan = task.fork('plan');
		const turns = plan.int(...config.turns);
		const gapsMs = Array.from({length: turns}, () => range(plan, config.turnGapMs));
		let busyMs = gapsMs.reduce((sum, gap) => sum + gap, 0);
		let burst: TaskPlan['burst'];
		if (turns > 1 && plan.chance(config.burst.chance)) {
			const agents = Array.from({length: plan.int(...config.burst.agents)}, (_, agent) => planAgent(task.fork(`agent ${agent}`), config, model));
			burst = {afterTurn: plan.int(1, turns - 1), agents};
			busyMs += Math.max(...agents.map(agent => agent.gapsMs.reduce((sum, gap) => sum + gap, 0)));
		}

		tasks.push({atMs, random: task.fork('content'), newConversation: tasks.length === 0 || plan.chance(config.newConversationChance), turns, gapsMs, burst});
		const pause = plan.chance(config.pauseMs.breakChance) ? config.pauseMs.break : (plan.chance(config.pauseMs.longChance) ? config.pauseMs.long : config.pauseMs.short);
		atMs += busyMs + range(plan, pause);
	}

	return {index, model, random, tasks};
}

/** Every request the workload will make, planned; run() sends them through one target. */
export class Workload {
	readonly #plans: SessionPlan[];
	readonly #config: WorkloadConfig;
	readonly #tools: unknown[];

	constructor(root: Random, config: WorkloadConfig, startMs: number) {
		this.#config = config;
		this.#tools = toolList(config.sizes);
		this.#plans = config.sessions.map((_, index) => planSession(index, root, config, startMs));
	}

	/** Plays every session at once; resolves when all have finished their day. */
	async run(actors: Actors): Promise<void> {
		await Promise.all(this.#plans.map(async plan => this.#session(plan, actors)));
	}

	async #session(plan: SessionPlan, actors: Actors): Promise<void> {
		const {sizes} = this.#config;
		const identity = plan.random.fork('identity');
		const userHash = identity.hex(64);
		const env = text(`<env> session ${plan.index} working directory /home/dev/project-${plan.index}`, sizes.env);
		const mainSystem = [text('You are Claude Code, an interactive CLI tool', sizes.mainSystem), env];
		const agentSystem = [text('You are a Claude Code agent. Do the task you are given and report back', sizes.agentSystem), env];
		let conversation: Conversation | undefined;
		let conversations = 0;
		for (const [taskIndex, task] of plan.tasks.entries()) {
			if (actors.now() < task.atMs) {
				// eslint-disable-next-line no-await-in-loop
				await actors.sleep(task.atMs - actors.now());
			}

			if (!conversation || task.newConversation) {
				const label = `s${plan.index} c${conversations++}`;
				conversation = new Conversation({sessionId: uuid(identity), userHash, model: plan.model, label, system: mainSystem, tools: this.#tools}, sizes);
			} else {
				conversation.compactIfLong();
			}

			conversation.userSays(text(`${conversation.spec.label} task ${taskIndex}`, task.random.int(...sizes.firstUser)));
			// eslint-disable-next-line no-await-in-loop
			await this.#task(plan, task, taskIndex, conversation, agentSystem, actors);
		}
	}

	async #task(plan: SessionPlan, task: TaskPlan, taskIndex: number, conversation: Conversation, agentSystem: string[], actors: Actors): Promise<void> {
		const thread = conversation.spec.label;
		for (let turn = 1; turn <= task.turns; turn++) {
			// eslint-disable-next-line no-await-in-loop
			const served = await actors.send({body: conversation.body(), thread, model: plan.model});
			if (!served) {
				// A plan limit or an error: the user gives up on this task until the next one.
				return;
			}

			const done = turn === task.turns;
			if (task.burst?.afterTurn === turn) {
				// The answer calls the Task tool several times; the agents run side by side, then their reports come back as one tool result.
				conversation.answered(task.random, true);
				// eslint-disable-next-line no-await-in-loop
				const reports = await Promise.all(task.burst.agents.map(async (agent, index) => this.#agent(plan, conversation, agent, `${thread} t${taskIndex} a${index}`, agentSystem, actors)));
				conversation.userSays(reports.join('\n'));
				continue;
			}

			conversation.answered(task.random, done);
			if (!done) {
				// eslint-disable-next-line no-await-in-loop
				await actors.sleep(task.gapsMs[turn - 1]!);
			}
		}
	}

	/** One subagent: same session id, its own system prompt and first user message; returns its report. */
	async #agent(plan: SessionPlan, parent: Conversation, agent: AgentPlan, label: string, system: string[], actors: Actors): Promise<string> {
		const {sizes} = this.#config;
		const conversation = new Conversation({...parent.spec, model: agent.model, label, system}, sizes);
		conversation.userSays(text(`${label} assignment`, agent.random.int(...sizes.firstUser)));
		for (let turn = 1; turn <= agent.turns; turn++) {
			// eslint-disable-next-line no-await-in-loop
			const served = await actors.send({body: conversation.body(), thread: label, model: agent.model});
			if (!served) {
				return text(`${label} failed`, 200);
			}

			const done = turn === agent.turns;
			conversation.answered(agent.random, done);
			if (!done) {
				// eslint-disable-next-line no-await-in-loop
				await actors.sleep(agent.gapsMs[turn - 1]!);
			}
		}

		return text(`${label} report`, agent.random.int(...sizes.toolResult));
	}
}
