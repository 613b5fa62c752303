// `symphony runs resume` and `runs rerun`: runs that execute again, shown as `symphony run` shows them.
import { foldRun, type RunState } from '@symphony/pit';
import { NodeId } from '@symphony/schemas';
import { liveOwner } from '../executor/run-claims.js';
import { parseCommand } from './args.js';
import { dataDirOption, dataPaths } from './data-dir.js';
import { ExitCode, UsageError } from './errors.js';
import type { CliIo } from './io.js';
import { executeRuns, startedBy } from './run.js';
import { outputMode, RunFollower } from './run-follower.js';
import { reloadRunInput } from './run-source.js';
import { notFound, runIdArg, withJournal } from './runs-common.js';
import { rerunUsage, resumeUsage } from './runs-usage.js';
import { currentSession } from './session.js';
import type { StoredSession } from './session-file.js';

const resumeSpec = {
  usage: resumeUsage,
  options: { json: { type: 'boolean' }, ...dataDirOption, help: { type: 'boolean', short: 'h' } },
  positionals: { min: 0, max: 1, name: 'a run id' },
} as const;

const rerunSpec = {
  usage: rerunUsage,
  options: {
    from: { type: 'string' },
    'no-cache': { type: 'boolean' },
    json: { type: 'boolean' },
    ...dataDirOption,
    help: { type: 'boolean', short: 'h' },
  },
  positionals: { min: 1, max: 1, name: 'the run id' },
} as const;

/** `symphony runs resume [<run-id>]`. */
export async function resumeCommand(args: string[], io: CliIo): Promise<number> {
  const line = parseCommand(args, resumeSpec, io);
  if (line === 'help') return 0;
  const given = line.positionals[0];
  const runId = given === undefined ? undefined : runIdArg(given, resumeUsage);
  const paths = dataPaths(line.values['data-dir'], io);
  const states =
    (await withJournal(paths, io, async (tracker) => {
      const ids = runId === undefined ? await tracker.runs() : [runId];
      const found: RunState[] = [];
      for (const id of ids) {
        const history = await tracker.history(id);
        if (history.length === 0) continue;
        const state = foldRun(history);
        if (
          runId === undefined &&
          (state.status !== 'running' || (await liveOwner(paths.runs, id)) !== undefined)
        )
          continue;
        found.push(state);
      }
      return found;
    })) ?? [];
  if (runId !== undefined && states.length === 0) throw notFound(runId, paths);
  const finished = runId === undefined ? undefined : states.find((s) => s.status !== 'running');
  if (finished !== undefined) {
    io.stdout(`run ${finished.runId} already finished: ${finished.status}; nothing to resume\n`);
    return finished.status === 'succeeded' ? ExitCode.ok : ExitCode.failed;
  }
  if (states.length === 0) {
    io.stdout('no unfinished runs to resume\n');
    return ExitCode.ok;
  }
  const follower = new RunFollower(io, outputMode(io, line.values.json === true), false);
  const source = states[0]!.source;
  const session = await quietSession(
    io,
    states.length === 1 && source.kind === 'automerge' ? source.server : undefined,
  );
  return executeRuns(paths, io, follower, { session }, async (engine) => {
    for (const state of states) follower.watch(state);
    if (runId !== undefined) return [await engine.executor.resume(runId)];
    const handles = await engine.executor.resumeAll();
    if (handles.length === 0) io.stdout('no unfinished runs to resume\n');
    return handles;
  });
}

/** `symphony runs rerun <run-id> [--from NODE] [--no-cache]`. */
export async function rerunCommand(args: string[], io: CliIo): Promise<number> {
  const line = parseCommand(args, rerunSpec, io);
  if (line === 'help') return 0;
  const runId = runIdArg(line.positionals[0]!, rerunUsage);
  let from: NodeId | undefined;
  if (line.values.from !== undefined) {
    const parsed = NodeId.safeParse(line.values.from);
    if (!parsed.success) throw new UsageError(`--from ${line.values.from}: not a node id`, rerunUsage);
    from = parsed.data;
  }
  const paths = dataPaths(line.values['data-dir'], io);
  const previous = await withJournal(paths, io, async (tracker) => {
    const history = await tracker.history(runId);
    return history.length === 0 ? undefined : foldRun(history);
  });
  if (previous === undefined) throw notFound(runId, paths);
  const follower = new RunFollower(io, outputMode(io, line.values.json === true), true);
  const input = await reloadRunInput(previous.source, io, (m) => follower.warn(m));
  const { workflow, source } = input.loaded;
  return executeRuns(paths, io, follower, { session: input.session, workflow }, async (engine) => [
    await engine.executor.rerun(runId, {
      workflow,
      source,
      ...(from === undefined ? {} : { from }),
      ...(line.values['no-cache'] ? { options: { cache: false } } : {}),
      ...startedBy(input.session),
    }),
  ]);
}

/** The session for `server` (any when undefined), if usable; no warnings (a resume may not need one). */
async function quietSession(io: CliIo, server: string | undefined): Promise<StoredSession | undefined> {
  const lookup = await currentSession(io, server);
  return lookup.kind === 'ok' ? lookup.session : undefined;
}
