// What the runs commands share: run id arguments, the journal opened to read, a missing run.
import type { DagTracker } from '@symphony/pit';
import { RunId } from '@symphony/schemas';
import { type DataPaths, readJournal } from './data-dir.js';
import { BadInputError, UsageError } from './errors.js';
import type { CliIo } from './io.js';

/** A run id argument, or a UsageError saying what one looks like. */
export function runIdArg(value: string, usage: string): RunId {
  const parsed = RunId.safeParse(value);
  if (!parsed.success) {
    throw new UsageError(
      `"${value}" is not a run id (run_ and 8–40 letters or digits; see "symphony runs ls")`,
      usage,
    );
  }
  return parsed.data;
}

/** Runs `use` on the data dir's journal; undefined when no run was ever recorded there. */
export async function withJournal<T>(
  paths: DataPaths,
  io: CliIo,
  use: (tracker: DagTracker) => Promise<T>,
): Promise<T | undefined> {
  const tracker = await readJournal(paths, (m) => io.stderr(`symphony: warning: ${m}\n`));
  if (tracker === undefined) return undefined;
  try {
    return await use(tracker);
  } finally {
    await tracker.close();
  }
}

/** No run `runId` in the data dir. */
export function notFound(runId: RunId, paths: DataPaths): BadInputError {
  return new BadInputError(`no run ${runId} in ${paths.runs}; list the runs with "symphony runs ls"`);
}
