// Loading a run's workflow again from where an earlier run's came from, as it is now (a re-run).
import { OfbLimits, RunSource } from '@symphony/schemas';
import { z } from 'zod';
import { parseArgs } from '../executor/errors.js';
import { loadWorkflowFromServer } from './automerge-workflow.js';
import { type LoadedWorkflow, loadWorkflowFile } from './workflow-file.js';

/** What {@link loadWorkflowAt} needs besides the source. */
export const LoadWorkflowAtOptions = z.object({
  /** The user's access token, for a workflow on a team server. */
  token: z.string().min(1).max(OfbLimits.maxTokenLength).optional(),
  /** How long to wait for the team server, in ms. */
  timeoutMs: z.number().int().positive().max(600_000).optional(),
});
export type LoadWorkflowAtOptions = z.input<typeof LoadWorkflowAtOptions>;

/**
 * The workflow an earlier run's `source` names, **as it is now** (a re-run runs today's workflow,
 * not the one pinned then), with a new pin: the file read and hashed again, or the workflow
 * fetched again from its team server at its current heads. Throws a `WorkflowSourceError` as
 * `loadWorkflowFile` and `loadWorkflowFromServer` do.
 */
export function loadWorkflowAt(
  source: RunSource,
  options: LoadWorkflowAtOptions = {},
): Promise<LoadedWorkflow> {
  const { source: from, options: parsed } = parseArgs(
    'loadWorkflowAt',
    z.object({ source: RunSource, options: LoadWorkflowAtOptions }),
    { source, options },
  );
  if (from.kind === 'file') return loadWorkflowFile(from.path);
  return loadWorkflowFromServer({
    server: from.server,
    workflowId: from.workflowId,
    ...(parsed.token === undefined ? {} : { token: parsed.token }),
    ...(parsed.timeoutMs === undefined ? {} : { timeoutMs: parsed.timeoutMs }),
  });
}
