// `symphony run <workflow.json | workflow-id>`: validates, pins and runs a workflow on the data
// dir's journal and store, showing it as it goes; exit 0 when it succeeded.
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Finding, Workflow } from '@symphony/schemas';
import type { RunHandle } from '../executor/Executor.js';
import { parseCommand } from './args.js';
import {
  type DataPaths,
  dataDirHelp,
  dataDirOption,
  dataPaths,
  type Engine,
  openEngine,
} from './data-dir.js';
import { BadInputError, ExitCode } from './errors.js';
import { followRuns } from './follow.js';
import { type CliIo, cwdOf } from './io.js';
import { ndjson } from './ndjson.js';
import { type OutputMode, outputMode, RunFollower } from './run-follower.js';
import { findingsText } from './run-format.js';
import { documentsFor, resolveRunInput } from './run-source.js';
import { normalizeServer } from './session.js';
import type { StoredSession } from './session-file.js';

/** Usage of `symphony run`. */
export const runUsage = `Usage: symphony run <workflow.json | workflow-id> [options]

Runs a workflow: a workflow file (the board's export), or a workflow on the team server by its id
(needs "symphony login"). It is validated first; a workflow with errors is refused, listing them.
The run is pinned (the file's hash, or the workflow's heads) and journaled under the data dir, so
it survives a crash: "symphony runs resume" continues it. Nodes that ran before with the same
inputs come from the cache. Document nodes reach the team server you are logged in to.

On a terminal it shows a progress bar and a line per node; piped, plain lines; with --json, one
JSON object per line (journal records and progress). Ctrl-C cancels the run; a second Ctrl-C
stops at once and leaves it resumable. Exit 0 when the run succeeded, 1 when it failed or was
cancelled, 2 when the workflow was refused or could not be read.

Options:
  --server URL        the team server for a workflow id and documents (default: the session's)
  --json              print NDJSON on stdout instead of lines
  --no-cache          run every node, none from the cache
  --grant DIR         a folder read-code may read (repeat for more)
${dataDirHelp}
  -h, --help          show this text`;

const spec = {
  usage: runUsage,
  options: {
    server: { type: 'string' },
    json: { type: 'boolean' },
    'no-cache': { type: 'boolean' },
    grant: { type: 'string', multiple: true },
    ...dataDirOption,
    help: { type: 'boolean', short: 'h' },
  },
  positionals: { min: 1, max: 1, name: 'the workflow: a workflow file or a workflow id' },
} as const;

/** `symphony run …`. */
export async function runCommand(args: string[], io: CliIo): Promise<number> {
  const line = parseCommand(args, spec, io);
  if (line === 'help') return 0;
  const mode = outputMode(io, line.values.json === true);
  const follower = new RunFollower(io, mode, true);
  const server = line.values.server === undefined ? undefined : normalizeServer(line.values.server, runUsage);
  const grants = grantFolders(line.values.grant ?? [], io);
  const input = await resolveRunInput(line.positionals[0]!, server, io, (m) => follower.warn(m));
  const { workflow, source } = input.loaded;
  return executeRuns(
    dataPaths(line.values['data-dir'], io),
    io,
    follower,
    { session: input.session, workflow },
    (engine) =>
      engine.executor
        .start({
          workflow,
          source,
          options: { cache: line.values['no-cache'] !== true, grants },
          ...startedBy(input.session),
        })
        .then((handle) => [handle]),
  );
}

/** `startedBy` for a run started with `session`. */
export function startedBy(session: StoredSession | undefined): { startedBy?: string } {
  return session === undefined ? {} : { startedBy: session.user.name };
}

/**
 * Opens the engine (with documents for the session), starts runs with `start` while `follower`
 * listens to the journal and progress, and follows them to their end. A refused workflow is
 * reported with its findings (exit 2), its nodes named from `workflow`. The engine is closed at the end, unless a second Ctrl-C
 * abandoned the runs (then the process is meant to exit at once).
 */
export async function executeRuns(
  paths: DataPaths,
  io: CliIo,
  follower: RunFollower,
  context: { readonly session: StoredSession | undefined; readonly workflow?: Workflow },
  start: (engine: Engine) => Promise<RunHandle[]>,
): Promise<number> {
  const documents = await documentsFor(context.session);
  let engine: Engine;
  try {
    engine = await openEngine(paths, {
      warn: (m) => follower.warn(m),
      env: io.env,
      workspaceDir: cwdOf(io),
      ...(documents ? { documents } : {}),
    });
  } catch (error) {
    await documents?.close();
    throw error;
  }
  const unsubscribe = engine.tracker.subscribe((event) => follower.event(event));
  const stopProgress = engine.executor.onProgress((event) => follower.progress(event));
  let abandoned = false;
  try {
    let handles: RunHandle[];
    try {
      handles = await start(engine);
    } catch (error) {
      if (isRefusal(error)) return reportRefusal(error.findings, context.workflow, io, follower.mode);
      throw error;
    }
    if (handles.length === 0) return ExitCode.ok;
    const outcome = await followRuns(engine, follower, handles, io);
    abandoned = outcome.abandoned;
    return outcome.code;
  } finally {
    follower.stop();
    unsubscribe();
    stopProgress();
    if (!abandoned) await engine.close();
  }
}

/** Reports a refused workflow's findings on stderr (and as an NDJSON line with --json); exit 2. */
export function reportRefusal(
  findings: readonly Finding[],
  workflow: Workflow | undefined,
  io: CliIo,
  mode: OutputMode,
): number {
  if (mode === 'json') io.stdout(ndjson({ kind: 'refused', findings: [...findings] }));
  const errors = findings.filter((f) => f.severity === 'error').length;
  io.stderr(
    `symphony: the workflow was not started: ${errors} error${errors === 1 ? '' : 's'}; nothing was run or recorded. Fix these and run it again:\n${findingsText(findings, workflow)}\n`,
  );
  return ExitCode.badInput;
}

function isRefusal(error: unknown): error is Error & { findings: readonly Finding[] } {
  return (
    error instanceof Error &&
    error.name === 'WorkflowRefusedError' &&
    Array.isArray((error as { findings?: unknown }).findings)
  );
}

/** The `--grant` folders, absolute; each must be an existing folder. */
function grantFolders(grants: readonly string[], io: CliIo): string[] {
  return grants.map((grant) => {
    const path = resolve(cwdOf(io), grant);
    let isDirectory = false;
    try {
      isDirectory = statSync(path).isDirectory();
    } catch {
      // reported below
    }
    if (!isDirectory) throw new BadInputError(`--grant ${grant}: there is no folder ${path} to grant`);
    return path;
  });
}
