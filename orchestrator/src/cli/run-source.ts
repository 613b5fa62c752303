// What a run command runs and with which session: a workflow file or a workflow id on the team
// server, the session that reaches the server, and the documents (the editor engine) it gives.
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { RunSource, WorkflowId } from '@symphony/schemas';
import type { LoadedWorkflow } from '../sources/workflow-file.js';
import { loadWorkflowFile } from '../sources/workflow-file.js';
import type { RunDocuments } from '../steps/Step.js';
import { BadInputError } from './errors.js';
import { type CliIo, cwdOf } from './io.js';
import { currentSession, loginHint, requireSession } from './session.js';
import type { StoredSession } from './session-file.js';

/** A workflow to run and the session (if any) its documents are reached with. */
export interface RunInput {
  readonly loaded: LoadedWorkflow;
  readonly session: StoredSession | undefined;
}

/**
 * What `symphony run <workflow>` runs: an existing file is a workflow file (its absolute path is
 * recorded, so `runs rerun` finds it from any folder); anything else that does not look like a
 * path is a workflow id on `server` (or the session's server), which needs a session. A file run
 * uses the session for `server` (or any session) for its documents, and runs without documents,
 * with a warning, when `--server` names a server it is not logged in to.
 */
export async function resolveRunInput(
  workflow: string,
  server: string | undefined,
  io: CliIo,
  warn: (message: string) => void,
): Promise<RunInput> {
  const path = resolve(cwdOf(io), workflow);
  if (exists(path)) {
    const loaded = await loadWorkflowFile(path);
    return { loaded, session: await optionalSession(io, server, warn) };
  }
  if (/[/\\]|\.json$/i.test(workflow)) {
    throw new BadInputError(
      `there is no workflow file ${workflow}; give the path of a workflow export, or a workflow id on the team server`,
    );
  }
  const lookup = await currentSession(io, server);
  if (lookup.kind !== 'ok') {
    throw new BadInputError(
      `there is no file ${workflow}, so it was taken as a workflow id on a team server, but ${loginHint(lookup)}`,
    );
  }
  const session = lookup.session;
  const { loadWorkflowFromServer } = await import('../sources/automerge-workflow.js');
  const loaded = await loadWorkflowFromServer({
    server: session.server,
    workflowId: workflow as WorkflowId,
    token: session.access_token,
  });
  return { loaded, session };
}

/** The workflow a re-run of a run from `source` runs: the file re-read, or the workflow fetched again. */
export async function reloadRunInput(
  source: RunSource,
  io: CliIo,
  warn: (message: string) => void,
): Promise<RunInput> {
  if (source.kind === 'file') {
    return {
      loaded: await loadWorkflowFile(source.path),
      session: await optionalSession(io, undefined, warn),
    };
  }
  const session = await requireSession(io, source.server);
  const { loadWorkflowAt } = await import('../sources/load-workflow.js');
  return { loaded: await loadWorkflowAt(source, { token: session.access_token }), session };
}

/** The session that reaches the run's documents, when there is one; the documents are the caller's to close. */
export async function documentsFor(
  session: StoredSession | undefined,
): Promise<(RunDocuments & { close(): Promise<void> }) | undefined> {
  if (session === undefined) return undefined;
  const { EngineDocuments } = await import('../documents/EngineDocuments.js');
  return EngineDocuments.forServer({ server: session.server, token: session.access_token });
}

/** The session for `server` (any when undefined) or undefined, warning when `server` was asked for and is not reachable. */
async function optionalSession(
  io: CliIo,
  server: string | undefined,
  warn: (message: string) => void,
): Promise<StoredSession | undefined> {
  const lookup = await currentSession(io, server);
  if (lookup.kind === 'ok') return lookup.session;
  if (server !== undefined || lookup.kind === 'expired') {
    warn(`${loginHint(lookup)}; document nodes will fail until then`);
  }
  return undefined;
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}
