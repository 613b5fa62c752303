// The executor's named errors: misuse of its API, a refused workflow, and runs it cannot take.
import type { Finding, RunId } from '@symphony/schemas';
import type { z } from 'zod';

/** An orchestrator function was called with arguments that fail its schema; `issues` lists each problem. */
export class OrchestratorInputError extends Error {
  override name = 'OrchestratorInputError';
  constructor(
    readonly api: string,
    readonly issues: readonly z.core.$ZodIssue[],
  ) {
    super(
      `${api}: invalid arguments: ${issues
        .slice(0, 5)
        .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
        .join('; ')}`,
    );
  }
}

/** An {@link OrchestratorInputError} for one argument that has the right shape but a wrong value. */
export function inputError(
  api: string,
  path: readonly (string | number)[],
  message: string,
): OrchestratorInputError {
  const issue = { code: 'custom', path: [...path], message, input: undefined } as z.core.$ZodIssue;
  return new OrchestratorInputError(api, [issue]);
}

/** Parses `value` with `schema` for `api`, throwing {@link OrchestratorInputError} on failure. */
export function parseArgs<S extends z.ZodType>(api: string, schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new OrchestratorInputError(api, parsed.error.issues);
  return parsed.data;
}

/**
 * The workflow was not started: validation found errors, or a node type has no step here.
 * Nothing was recorded and nothing ran; `findings` are the shared validation findings.
 */
export class WorkflowRefusedError extends Error {
  override name = 'WorkflowRefusedError';
  constructor(readonly findings: readonly Finding[]) {
    const errors = findings.filter((f) => f.severity === 'error');
    super(
      `the workflow was not started: ${errors.length} error${errors.length === 1 ? '' : 's'}: ${errors
        .slice(0, 3)
        .map((f) => `${f.message} ${f.hint}`)
        .join(' ')}${errors.length > 3 ? ' …' : ''}`,
    );
  }
}

/** No run with this id in the journal. */
export class RunNotFoundError extends Error {
  override name = 'RunNotFoundError';
  constructor(readonly runId: RunId) {
    super(`no run ${runId} in the journal; list the runs with "symphony runs ls"`);
  }
}

/** Another live process (or another executor in this one) executes the run. */
export class RunClaimedError extends Error {
  override name = 'RunClaimedError';
  constructor(
    readonly runId: RunId,
    readonly pid: number,
  ) {
    super(
      `run ${runId} is being executed by process ${pid}; wait for it, or cancel it with "symphony runs cancel ${runId}"`,
    );
  }
}

/** The executor was closed: before the run finished (it stays resumable), or before this call. */
export class ExecutorClosedError extends Error {
  override name = 'ExecutorClosedError';
  constructor(readonly runId?: RunId) {
    super(
      runId === undefined
        ? 'the executor is closed; create a new Executor'
        : `the executor was closed before run ${runId} finished; continue it with "symphony runs resume ${runId}"`,
    );
  }
}

/** The journal refused a record (disk full, database down): the run stopped and stays resumable. */
export class JournalWriteError extends Error {
  override name = 'JournalWriteError';
  constructor(
    readonly runId: RunId,
    override readonly cause: unknown,
  ) {
    super(
      `run ${runId} stopped: its journal could not be written (${cause instanceof Error ? cause.message : String(cause)}); fix the storage, then "symphony runs resume ${runId}"`,
    );
  }
}
