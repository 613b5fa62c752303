// `symphony runs ls | show | resume | cancel | rerun`: the runs journaled in the data dir.
import { foldRun } from '@symphony/pit';
import { NodeId } from '@symphony/schemas';
import { liveOwner } from '../executor/run-claims.js';
import { type CommandFamily, dispatch, parseCommand } from './args.js';
import { dataDirOption, dataPaths, openEngine } from './data-dir.js';
import { ExitCode, UsageError } from './errors.js';
import { type CliIo, cwdOf } from './io.js';
import { notFound, runIdArg, withJournal } from './runs-common.js';
import {
  rerunUsage,
  resumeUsage,
  runsCancelUsage,
  runsLsUsage,
  runsShowUsage,
  runsUsage,
} from './runs-usage.js';
import { runsTable, runText, runView, summarize } from './runs-view.js';

export { runsUsage };

const lsSpec = {
  usage: runsLsUsage,
  options: { json: { type: 'boolean' }, ...dataDirOption, help: { type: 'boolean', short: 'h' } },
} as const;

const showSpec = {
  usage: runsShowUsage,
  options: { json: { type: 'boolean' }, ...dataDirOption, help: { type: 'boolean', short: 'h' } },
  positionals: { min: 1, max: 1, name: 'the run id' },
} as const;

const cancelSpec = {
  usage: runsCancelUsage,
  options: { node: { type: 'string' }, ...dataDirOption, help: { type: 'boolean', short: 'h' } },
  positionals: { min: 1, max: 1, name: 'the run id' },
} as const;

/** `symphony runs …`. */
export function runsCommand(args: string[], io: CliIo): Promise<number> {
  const family: CommandFamily = {
    name: 'runs',
    usage: runsUsage,
    subcommands: {
      ls,
      show,
      // Loaded on use: they execute runs, and listing runs should not pay for that.
      resume: async (rest, io2) => (await import('./runs-continue.js')).resumeCommand(rest, io2),
      cancel,
      rerun: async (rest, io2) => (await import('./runs-continue.js')).rerunCommand(rest, io2),
    },
  };
  return dispatch(family, args, io);
}

/** The usage of each `runs` subcommand, for `symphony help runs <sub>`. */
export const runsSubcommandUsage: Readonly<Record<string, string>> = {
  ls: runsLsUsage,
  show: runsShowUsage,
  resume: resumeUsage,
  cancel: runsCancelUsage,
  rerun: rerunUsage,
};

async function ls(args: string[], io: CliIo): Promise<number> {
  const line = parseCommand(args, lsSpec, io);
  if (line === 'help') return 0;
  const paths = dataPaths(line.values['data-dir'], io);
  const summaries = await withJournal(paths, io, async (tracker) => {
    const runs = [];
    for (const runId of await tracker.runs()) {
      const history = await tracker.history(runId);
      if (history.length === 0) continue;
      const state = foldRun(history);
      const owner = state.status === 'running' ? await liveOwner(paths.runs, runId) : undefined;
      runs.push(summarize(state, owner));
    }
    return runs;
  });
  if (line.values.json) {
    for (const run of summaries ?? []) io.stdout(`${JSON.stringify(run)}\n`);
  } else if (!summaries || summaries.length === 0) {
    io.stdout(`no runs in ${paths.root}; start one with "symphony run <workflow.json>"\n`);
  } else {
    io.stdout(`${runsTable(summaries)}\n`);
  }
  return ExitCode.ok;
}

async function show(args: string[], io: CliIo): Promise<number> {
  const line = parseCommand(args, showSpec, io);
  if (line === 'help') return 0;
  const runId = runIdArg(line.positionals[0]!, runsShowUsage);
  const paths = dataPaths(line.values['data-dir'], io);
  const view = await withJournal(paths, io, async (tracker) => {
    const history = await tracker.history(runId);
    if (history.length === 0) return undefined;
    return runView(history, await liveOwner(paths.runs, runId));
  });
  if (view === undefined) throw notFound(runId, paths);
  io.stdout(line.values.json ? `${JSON.stringify(view)}\n` : `${runText(view)}\n`);
  return ExitCode.ok;
}

async function cancel(args: string[], io: CliIo): Promise<number> {
  const line = parseCommand(args, cancelSpec, io);
  if (line === 'help') return 0;
  const runId = runIdArg(line.positionals[0]!, runsCancelUsage);
  let node: NodeId | undefined;
  if (line.values.node !== undefined) {
    const parsed = NodeId.safeParse(line.values.node);
    if (!parsed.success) throw new UsageError(`--node ${line.values.node}: not a node id`, runsCancelUsage);
    node = parsed.data;
  }
  const paths = dataPaths(line.values['data-dir'], io);
  const records = await withJournal(paths, io, async (t) => (await t.history(runId)).length);
  if (!records) throw notFound(runId, paths);
  const engine = await openEngine(paths, {
    warn: (m) => io.stderr(`symphony: ${m}\n`),
    env: io.env,
    workspaceDir: cwdOf(io),
  });
  try {
    const outcome = await engine.executor.cancel(runId, node);
    const what = node === undefined ? `run ${runId}` : `node ${node} of run ${runId}`;
    const said = {
      requested: `cancelled ${what}`,
      delivered: `asked the process executing run ${runId} to cancel ${node === undefined ? 'it' : `node ${node}`}; "symphony runs show ${runId}" shows when it has`,
      recorded: `cancelled ${what} (nobody was executing it)${node === undefined ? '' : `; "symphony runs resume ${runId}" continues the rest`}`,
      finished: `run ${runId} had already finished; nothing to cancel`,
    }[outcome];
    io.stdout(`${said}\n`);
    return ExitCode.ok;
  } finally {
    await engine.close();
  }
}
