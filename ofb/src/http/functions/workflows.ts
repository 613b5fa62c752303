// Workflows for members: validate-workflow, OFB's authoritative findings on a stored workflow.
import * as Automerge from '@automerge/automerge';
import { type EdgeId, OfbErrorCode, type RejectReason, validateWorkflow, Workflow } from '@symphony/schemas';
import { concat, isDocumentChunk } from '../automerge-chunks.js';
import type { Handlers, OfbContext } from '../context.js';
import { OfbError } from '../errors.js';
import { authorize, requireUser } from '../guards.js';
import { workflowOrThrow } from '../lookups.js';

/** The functions this group answers. */
export type WorkflowFunctionName = 'validate-workflow';

/** `validate-workflow` over the app's store: any member may ask; 404 before the first chunk is stored. */
export function workflowFunctions(ctx: OfbContext): Handlers<WorkflowFunctionName> {
  const { store } = ctx;
  return {
    'validate-workflow': async ({ documentId }, { claims }) => {
      const caller = requireUser(claims);
      return store.transaction(async (tx) => {
        const doc = await workflowOrThrow(tx, documentId);
        await authorize(tx, caller, doc.workspaceId, 'read', 'workflow', documentId);
        const chunks = (await tx.loadAutomergeRange([documentId])).filter((c) => isDocumentChunk(c.key));
        const parsed =
          chunks.length === 0
            ? null
            : Workflow.safeParse(Automerge.toJS(Automerge.load(concat(chunks.map((c) => c.bytes)))));
        if (!parsed?.success)
          throw new OfbError(
            404,
            'not_found',
            OfbErrorCode.workflowNotStored,
            `workflow ${documentId} has no stored content yet: the sync-server stores it once a client syncs it`,
          );
        const report = validateWorkflow(parsed.data);
        const edges: Record<string, 'accepted' | RejectReason> = {};
        for (const id of Object.keys(parsed.data.edges).sort())
          edges[id] = report.rejectedEdges.get(id as EdgeId) ?? 'accepted';
        return { findings: [...report.findings], edges };
      });
    },
  };
}
