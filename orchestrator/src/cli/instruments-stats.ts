// `symphony instruments stats` and `symphony instruments rate`: what the router learned about each
// instrument (read from `<data dir>/router/`, never written), and a person's rating of one node's output.
import { join } from 'node:path';
import { ArbitrationEngine, FileRouterStore, foldRun } from '@symphony/pit';
import { ArmId, type ArmStats, type CallRating, NodeId, type RoutingDecision } from '@symphony/schemas';
import { parseCommand } from './args.js';
import { type DataPaths, dataDirHelp, dataDirOption, dataPaths, type WarningSink } from './data-dir.js';
import { BadInputError, ExitCode, UsageError } from './errors.js';
import type { CliIo } from './io.js';
import { notFound, runIdArg, withJournal } from './runs-common.js';
import { table } from './runs-view.js';

/** The usage of `symphony instruments stats`. */
export const instrumentsStatsUsage = `Usage: symphony instruments stats [--task TYPE] [--json] [--data-dir DIR]

What the router learned about each instrument and model (an arm), per task (node type): the Beta
posterior of its quality (α successes + 1, β failures + 1; a rating counts as 2), its expected
quality α/(α+β), calls, mean latency and mean cost, and the arm the router leans to now with why.
The choice shown is the greedy one (every arm scored by its expected quality, no sampling); a run
samples, so it still tries the others now and then.

Options:
  --task TYPE         only this node type (e.g. summarize)
  --json              one JSON object per task: { task, arms, choice }
${dataDirHelp}`;

/** The usage of `symphony instruments rate`. */
export const instrumentsRateUsage = `Usage: symphony instruments rate <run-id> <node-id> good|bad [--data-dir DIR]

Tells the router whether an AI node's output was good: the instrument and model that ran the node
(from the run's journal) learn it for the node's type, weighted as 2 automatic checks.

Options:
${dataDirHelp}`;

const statsSpec = {
  usage: instrumentsStatsUsage,
  options: {
    task: { type: 'string' },
    json: { type: 'boolean' },
    ...dataDirOption,
    help: { type: 'boolean', short: 'h' },
  },
} as const;

const rateSpec = {
  usage: instrumentsRateUsage,
  options: { ...dataDirOption, help: { type: 'boolean', short: 'h' } },
  positionals: { min: 3, max: 3, name: 'the run id, the node id and good or bad' },
} as const;

/** Where the router keeps its log in a data dir. */
export function routerDir(paths: DataPaths): string {
  return join(paths.root, 'router');
}

/** One task in `instruments stats`. */
export interface TaskStats {
  readonly task: string;
  readonly arms: readonly (ArmStats & { readonly expectedQuality: number })[];
  /** The greedy choice among the arms seen for this task. */
  readonly choice: RoutingDecision;
}

/** `symphony instruments stats`. */
export async function instrumentsStatsCommand(args: string[], io: CliIo): Promise<number> {
  const line = parseCommand(args, statsSpec, io);
  if (line === 'help') return ExitCode.ok;
  const paths = dataPaths(line.values['data-dir'], io);
  const dir = routerDir(paths);
  const tasks = await routerTasks(paths, {
    ...(line.values.task === undefined ? {} : { task: line.values.task }),
    onWarning: (m) => io.stderr(`symphony: warning: ${m}\n`),
  });
  if (line.values.json) {
    for (const task of tasks) io.stdout(`${JSON.stringify(task)}\n`);
  } else if (tasks.length === 0) {
    const what = line.values.task === undefined ? 'any task' : `task "${line.values.task}"`;
    io.stdout(`the router has learned nothing about ${what} yet (${dir}); it learns as AI nodes run\n`);
  } else {
    io.stdout(`${statsText(tasks)}\n`);
  }
  return ExitCode.ok;
}

/** What {@link routerTasks} reads. */
export interface RouterTasksOptions {
  /** Only this task (node type). */
  readonly task?: string;
  /** Told about router log records that were skipped (a torn tail, a newer version's record). */
  readonly onWarning?: WarningSink;
}

/**
 * What the router of a data dir learned, per task: each arm's numbers and the greedy choice with
 * its reason (what `symphony instruments stats` prints). Reads `<data dir>/router/` only: nothing is
 * created, repaired or appended, so it is safe beside the process that runs AI nodes.
 */
export async function routerTasks(paths: DataPaths, options: RouterTasksOptions = {}): Promise<TaskStats[]> {
  const store = await FileRouterStore.open(routerDir(paths), {
    readOnly: true,
    ...(options.onWarning === undefined ? {} : { onWarning: options.onWarning }),
  });
  try {
    return tasksOf(await ArbitrationEngine.open({ store }), options.task);
  } finally {
    await store.close();
  }
}

/** Each task's arms and greedy choice, tasks and arms in code-unit order. */
function tasksOf(engine: ArbitrationEngine, only: string | undefined): TaskStats[] {
  const byTask = new Map<string, ArmStats[]>();
  for (const arm of engine.stats()) {
    if (only !== undefined && arm.task !== only) continue;
    byTask.set(arm.task, [...(byTask.get(arm.task) ?? []), arm]);
  }
  return [...byTask].map(([task, arms]) => ({
    task,
    arms: arms.map((a) => ({ ...a, expectedQuality: a.alpha / (a.alpha + a.beta) })),
    choice: engine.greedy(
      task,
      arms.map((a) => ({ arm: a.arm })),
    ),
  }));
}

/** The readable table: per task, its arms, then the choice and why. */
export function statsText(tasks: readonly TaskStats[]): string {
  const blocks = tasks.map((t) => {
    const rows = t.arms.map((a) => [
      a.arm === t.choice.chosen ? `* ${a.arm}` : `  ${a.arm}`,
      String(round(a.alpha)),
      String(round(a.beta)),
      a.expectedQuality.toFixed(3),
      String(a.pulls),
      a.pulls === 0 ? '-' : `${Math.round(a.meanLatencyMs)} ms`,
      a.pulls === 0 ? '-' : `$${a.meanCostUsd.toFixed(5)}`,
    ]);
    const header = ['  ARM', 'ALPHA', 'BETA', 'QUALITY', 'CALLS', 'LATENCY', 'COST/CALL'];
    return `task ${t.task}\n${table(header, rows)}\n${choiceText(t.choice)}`;
  });
  return blocks.join('\n\n');
}

/** Why the router leans to its choice, in one sentence. */
function choiceText(choice: RoutingDecision): string {
  const chosen = choice.candidates.find((c) => c.arm === choice.chosen)!;
  const bestQuality = Math.max(...choice.candidates.map((c) => c.expectedQuality));
  const why =
    choice.reason === 'only'
      ? 'the only arm seen for this task'
      : `the cheapest arm whose expected quality (${chosen.expectedQuality.toFixed(3)}) is within 5 % of the best (${bestQuality.toFixed(3)})${choice.reason === 'exploring' ? '; still exploring: it has few calls' : ''}`;
  return `choice: ${choice.chosen} — ${why}`;
}

/** `symphony instruments rate <run-id> <node-id> good|bad`. */
export async function instrumentsRateCommand(args: string[], io: CliIo): Promise<number> {
  const line = parseCommand(args, rateSpec, io);
  if (line === 'help') return ExitCode.ok;
  const [runArg, nodeArg, verdict] = line.positionals as [string, string, string];
  const runId = runIdArg(runArg, instrumentsRateUsage);
  const nodeId = NodeId.safeParse(nodeArg);
  if (!nodeId.success) throw new UsageError(`"${nodeArg}" is not a node id`, instrumentsRateUsage);
  if (verdict !== 'good' && verdict !== 'bad')
    throw new UsageError(`rate a node "good" or "bad", not "${verdict}"`, instrumentsRateUsage);
  const paths = dataPaths(line.values['data-dir'], io);
  const history = await withJournal(paths, io, (tracker) => tracker.history(runId));
  if (history === undefined || history.length === 0) throw notFound(runId, paths);
  const state = foldRun(history);
  const node = state.nodes.get(nodeId.data);
  if (node === undefined) {
    throw new BadInputError(
      `run ${runId} has no node ${nodeId.data} that runs; its nodes are ${[...state.nodes.keys()].join(', ')} (see "symphony runs show ${runId}")`,
    );
  }
  if (node.usage === undefined) {
    throw new BadInputError(
      `node ${nodeId.data} of run ${runId} was not run by an AI instrument (no usage in the journal), so there is no instrument to rate`,
    );
  }
  const arm = ArmId.safeParse(`${node.usage.instrument}/${node.usage.model}`);
  if (!arm.success) {
    throw new BadInputError(
      `node ${nodeId.data} of run ${runId} was run by "${node.usage.instrument}/${node.usage.model}", which is not an instrument/model the router can learn`,
    );
  }
  const task = state.workflow.nodes[nodeId.data]!.type;
  const rating: CallRating = { arm: arm.data, task, good: verdict === 'good', at: Date.now() };
  const store = await FileRouterStore.open(routerDir(paths));
  try {
    await store.append(rating);
  } finally {
    await store.close();
  }
  io.stdout(`rated ${arm.data} ${verdict} for ${task} (node ${nodeId.data} of run ${runId})\n`);
  return ExitCode.ok;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
