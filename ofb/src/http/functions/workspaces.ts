// Workspaces: create-workspace (with its owner and index document) and list-workspaces.
import { randomUUID } from 'node:crypto';
import { OfbErrorCode, WorkspaceId, workspaceIndexDocumentId } from '@symphony/schemas';
import { checkQuota } from '../../domain/rules.js';
import { ConflictError, type OfbStore } from '../../OfbStore.js';
import type { Handlers, OfbContext } from '../context.js';
import { OfbError, ruleError } from '../errors.js';
import { requireUser, takenIdRefusal } from '../guards.js';
import { contentKind } from '../lookups.js';

/** The functions this group answers. */
export type WorkspaceFunctionName = 'create-workspace' | 'list-workspaces';

/** The workspace functions under the app's rules (`maxWorkspacesPerUser`). */
export function workspaceFunctions(ctx: OfbContext): Handlers<WorkspaceFunctionName> {
  const { rules } = ctx;
  return {
    'create-workspace': async ({ name, id: requestedId }, { claims, store }) => {
      const caller = requireUser(claims);
      const { sub } = caller;
      return store.transaction(async (tx) => {
        await tx.lockQuota(`workspaces:${sub}`);
        const over = checkQuota('maxWorkspacesPerUser', rules, await tx.countWorkspacesOwnedBy(sub));
        if (over) throw ruleError(over);
        const id = requestedId ?? randomUUID();
        const taken = (what: string) => () =>
          new OfbError(
            409,
            'conflict',
            OfbErrorCode.workspaceExists,
            `${what}, so the workspace id ${id} is taken`,
          );
        const held = await tx.getWorkspace(id);
        if (held) {
          throw await takenIdRefusal(
            tx,
            caller,
            { workspaceId: held.id, kind: 'workspace' },
            { kind: 'workspace', id },
            taken(`a workspace ${id} already exists`),
          );
        }
        const indexId = workspaceIndexDocumentId(WorkspaceId.parse(id));
        const heldIndex = await tx.getDocument(indexId);
        if (heldIndex) {
          throw await takenIdRefusal(
            tx,
            caller,
            { workspaceId: heldIndex.workspaceId, kind: contentKind(heldIndex) },
            { kind: 'workspace', id },
            taken(`a document ${indexId} already exists`),
          );
        }
        let workspace: Awaited<ReturnType<OfbStore['createWorkspace']>>;
        try {
          workspace = await tx.createWorkspace({ id, name, createdBy: sub });
        } catch (error) {
          if (error instanceof ConflictError)
            throw new OfbError(
              409,
              'conflict',
              OfbErrorCode.workspaceExists,
              `a workspace ${id} already exists`,
            );
          throw error;
        }
        await tx.putMember({ workspaceId: id, userId: sub, role: 'owner' });
        // The workspace's index document, stored like any document (kind `workspace`). Its id can be
        // taken by a row made before ids were reserved (or outside OFB): checked above, and here for
        // one created since.
        try {
          await tx.createDocument({
            id: indexId,
            workspaceId: id,
            kind: 'workspace',
            title: name,
            sizeBytes: 0,
          });
        } catch (error) {
          if (error instanceof ConflictError)
            throw new OfbError(
              409,
              'conflict',
              OfbErrorCode.workspaceExists,
              `a document ${indexId} already exists, so the workspace id ${id} is taken; choose another id`,
            );
          throw error;
        }
        await tx.appendAudit({
          actor: sub,
          action: 'create-workspace',
          resourceKind: 'workspace',
          resourceId: id,
          workspaceId: id,
          allowed: true,
          reason: 'allowed',
        });
        return { workspace, role: 'owner' };
      });
    },
    'list-workspaces': async (_input, { claims, store }) => {
      const { sub } = requireUser(claims);
      const list = await store.listWorkspacesFor(sub);
      return { workspaces: list.map(({ workspace, role }) => ({ ...workspace, role })) };
    },
  };
}
