// Finished runs' records: record-run (editor+, stored with its audit row in one transaction) and
// list-runs (viewer+), so a team's run history survives any one laptop.
import { OfbErrorCode, type OfbRecordRun } from '@symphony/schemas';
import type { Claims } from '../../auth.js';
import { decide } from '../../domain/rbac.js';
import { type DocumentRecord, MissingReferenceError, type OfbStore, type RunRecord } from '../../OfbStore.js';
import type { Handlers, OfbContext } from '../context.js';
import { OfbError } from '../errors.js';
import { authorize, requireUser } from '../guards.js';

/** The functions this group answers. */
export type RunFunctionName = 'record-run' | 'list-runs';

/**
 * The run-record functions. `record-run` stores the record with `startedBy` the token's user and
 * `recordedAt` the app's clock; a run id recorded already answers the stored record (`created:
 * false`, nothing written), or 409 `run_recorded_elsewhere` when it was recorded for another workflow.
 */
export function runFunctions(ctx: OfbContext): Handlers<RunFunctionName> {
  return {
    'record-run': async (input, { claims, store }) => {
      const caller = requireUser(claims);
      return store.transaction(async (tx) => {
        const workflow = await workflowOrThrow(tx, input.workflowId);
        const { workspaceId } = workflow;
        const role = await authorize(tx, caller, workspaceId, 'write', 'workflow', workflow.id, {
          auditAllowed: false,
        });
        const record = await tx
          .createRunRecord({ ...input, workspaceId, startedBy: caller.sub, recordedAt: ctx.now() })
          .catch((error: unknown) => {
            // The workflow was purged since it was read.
            if (error instanceof MissingReferenceError) throw workflowNotFound(workflow.id);
            throw error;
          });
        if (!record) return { record: await storedRecord(tx, caller, input), created: false };
        await tx.appendAudit({
          actor: caller.sub,
          action: 'record-run',
          resourceKind: 'workflow',
          resourceId: workflow.id,
          workspaceId,
          allowed: true,
          reason: recordAuditReason(role === null ? 'service_role' : 'allowed', record),
        });
        return { record, created: true };
      });
    },
    'list-runs': async ({ workflowId, limit }, { claims, store }) => {
      const caller = requireUser(claims);
      const workflow = await workflowOrThrow(store, workflowId);
      await authorize(store, caller, workflow.workspaceId, 'read', 'workflow', workflowId, {
        auditAllowed: false,
      });
      return { runs: await store.listRunRecords(workflowId, limit) };
    },
  };
}

/**
 * The reason on a record's audit row: the decision, then what was recorded (the chain hashes the
 * reason, so the run, its status and its cost are as tamper-evident as the decision).
 */
function recordAuditReason(decision: string, record: RunRecord): string {
  return `${decision}; run_id=${record.runId} status=${record.status} cost_usd=${record.costUsd}`;
}

/** The workflow a run record names, or 404 `document_not_found` (a document, or one in the trash, too). */
async function workflowOrThrow(tx: OfbStore, workflowId: string): Promise<DocumentRecord> {
  const doc = await tx.getDocument(workflowId);
  if (doc?.kind !== 'workflow') throw workflowNotFound(workflowId);
  return doc;
}

const workflowNotFound = (workflowId: string): OfbError =>
  new OfbError(404, 'not_found', OfbErrorCode.documentNotFound, `no workflow ${workflowId}`);

/**
 * The record stored already under `input.runId`, when it is this workflow's; else 409
 * `run_recorded_elsewhere`, naming the other workflow only to a caller who may read it (a run id
 * must not tell anyone else that a workflow exists, nor where).
 */
async function storedRecord(tx: OfbStore, caller: Claims, input: OfbRecordRun): Promise<RunRecord> {
  const stored = await tx.getRunRecord(input.runId);
  // Only a purge of the holder's workflow between the insert and this read removes it; the call
  // fails (500) and its retry records the run.
  if (!stored) throw new Error(`run ${input.runId} was recorded and is gone: its workflow was purged`);
  if (stored.workflowId === input.workflowId) return stored;
  const role = (await tx.getMember(stored.workspaceId, caller.sub))?.role ?? null;
  const mayRead = caller.role === 'service_role' || decide(role, 'read', 'workflow').allowed;
  throw new OfbError(
    409,
    'conflict',
    OfbErrorCode.runRecordedElsewhere,
    mayRead
      ? `run ${input.runId} is recorded for workflow ${stored.workflowId}, not ${input.workflowId}; a run belongs to one workflow`
      : `run ${input.runId} is recorded for another workflow; a run belongs to one workflow`,
    mayRead ? { workflowId: stored.workflowId } : undefined,
  );
}
