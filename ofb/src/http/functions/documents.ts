// Document metadata: list-documents, create-document, rename-document, delete-document (to the
// trash), list-trash and restore-document (content is stored through sync.ts and automerge.ts).
import { randomUUID } from 'node:crypto';
import {
  isWorkspaceIndexDocumentId,
  OfbErrorCode,
  TRASH_RETENTION_DAYS,
  WORKSPACE_INDEX_PREFIX,
} from '@symphony/schemas';
import { checkDocumentSize, checkQuota } from '../../domain/rules.js';
import { ConflictError, type OfbStore, type TrashRecord } from '../../OfbStore.js';
import type { Handlers, OfbContext } from '../context.js';
import { documentNotFound, OfbError, ruleError } from '../errors.js';
import { authorize, requireUser, takenIdRefusal } from '../guards.js';
import { contentKind, userDocumentOrThrow, workspaceOrThrow } from '../lookups.js';

/** The functions this group answers. */
export type DocumentFunctionName =
  | 'list-documents'
  | 'create-document'
  | 'rename-document'
  | 'delete-document'
  | 'list-trash'
  | 'restore-document';

/** The document functions under the app's rules (document size, `maxDocumentsPerWorkspace`). */
export function documentFunctions(ctx: OfbContext): Handlers<DocumentFunctionName> {
  const { rules } = ctx;
  const purge = (tx: OfbStore) => purgeExpiredTrash(tx, ctx.now());
  const exists = (id: string) =>
    new OfbError(409, 'conflict', OfbErrorCode.documentExists, `a document ${id} already exists`);
  return {
    'list-documents': async ({ workspaceId }, { claims, store }) => {
      const caller = requireUser(claims);
      await workspaceOrThrow(store, workspaceId);
      await authorize(store, caller, workspaceId, 'read', 'workspace', workspaceId, { auditAllowed: false });
      return { documents: await store.listDocuments(workspaceId) };
    },
    'create-document': async (
      { workspaceId, id: requestedId, kind, title, sizeBytes },
      { claims, store },
    ) => {
      const caller = requireUser(claims);
      const tooLarge = checkDocumentSize(rules, sizeBytes);
      if (tooLarge) throw ruleError(tooLarge);
      if (requestedId !== undefined && isWorkspaceIndexDocumentId(requestedId))
        throw new OfbError(
          422,
          'validation',
          OfbErrorCode.reservedId,
          `document ids starting with "${WORKSPACE_INDEX_PREFIX}" name workspace index documents; choose another id`,
        );
      return store.transaction(async (tx) => {
        await workspaceOrThrow(tx, workspaceId);
        const id = requestedId ?? randomUUID();
        await authorize(tx, caller, workspaceId, 'write', kind, id);
        await tx.lockQuota(`documents:${workspaceId}`);
        const over = checkQuota('maxDocumentsPerWorkspace', rules, await tx.countDocuments(workspaceId));
        if (over) throw ruleError(over);
        // A document in the trash keeps its id until it is purged.
        const live = requestedId === undefined ? null : await tx.getDocument(id);
        const held = live ?? (requestedId === undefined ? null : await tx.getTrashedDocument(id));
        if (held)
          throw await takenIdRefusal(
            tx,
            caller,
            { workspaceId: held.workspaceId, kind: contentKind(held) },
            { kind, id },
            () =>
              live
                ? exists(id)
                : new OfbError(
                    409,
                    'conflict',
                    OfbErrorCode.documentExists,
                    `a document ${id} is in the trash; restore it or choose another id`,
                  ),
          );
        try {
          return { document: await tx.createDocument({ id, workspaceId, kind, title, sizeBytes }) };
        } catch (error) {
          if (error instanceof ConflictError) throw exists(id);
          throw error;
        }
      });
    },
    'rename-document': async ({ documentId, title }, { claims, store }) => {
      const caller = requireUser(claims);
      return store.transaction(async (tx) => {
        const doc = await userDocumentOrThrow(tx, documentId);
        await authorize(tx, caller, doc.workspaceId, 'rename', doc.kind, documentId);
        return { document: await tx.renameDocument(documentId, title) };
      });
    },
    'delete-document': async ({ documentId }, { claims, store }) => {
      const caller = requireUser(claims);
      return store.transaction(async (tx) => {
        const doc = await userDocumentOrThrow(tx, documentId);
        await authorize(tx, caller, doc.workspaceId, 'delete', doc.kind, documentId);
        await purge(tx);
        await tx.trashDocument(documentId, caller.sub, new Date(ctx.now()).toISOString());
        return { deleted: documentId };
      });
    },
    'list-trash': async ({ workspaceId }, { claims, store }) => {
      const caller = requireUser(claims);
      return store.transaction(async (tx) => {
        await workspaceOrThrow(tx, workspaceId);
        await authorize(tx, caller, workspaceId, 'read', 'workspace', workspaceId, { auditAllowed: false });
        await purge(tx);
        return { items: (await tx.listTrash(workspaceId)).map(trashItem) };
      });
    },
    'restore-document': async ({ documentId }, { claims, store }) => {
      const caller = requireUser(claims);
      return store.transaction(async (tx) => {
        await purge(tx);
        const doc = await tx.getTrashedDocument(documentId);
        if (!doc)
          throw new OfbError(
            404,
            'not_found',
            OfbErrorCode.documentNotFound,
            `${documentId} is not in the trash (restored already, or deleted more than ${TRASH_RETENTION_DAYS} days ago)`,
          );
        const kind = doc.kind as 'document' | 'workflow';
        // Restoring is undoing a delete: the same right (editor+), audited as `restore`.
        const role = await authorize(tx, caller, doc.workspaceId, 'delete', kind, documentId, {
          auditAllowed: false,
        });
        await tx.lockQuota(`documents:${doc.workspaceId}`);
        const over = checkQuota('maxDocumentsPerWorkspace', rules, await tx.countDocuments(doc.workspaceId));
        if (over) throw ruleError(over);
        const restored = await tx.restoreDocument(documentId);
        if (!restored) throw documentNotFound(documentId);
        await tx.appendAudit({
          actor: caller.sub,
          action: 'restore',
          resourceKind: kind,
          resourceId: documentId,
          workspaceId: doc.workspaceId,
          allowed: true,
          reason: role === null ? 'service_role' : 'allowed',
        });
        return { document: restored };
      });
    },
  };
}

/** A trash row as `list-trash` answers it, with the day OFB purges it. */
function trashItem(r: TrashRecord) {
  return {
    ...r,
    kind: r.kind as 'document' | 'workflow',
    purgeAt: new Date(Date.parse(r.deletedAt) + TRASH_RETENTION_DAYS * 86_400_000).toISOString(),
  };
}

/**
 * Deletes for good what has been in any trash longer than {@link TRASH_RETENTION_DAYS}, auditing
 * each purge. Run lazily, inside list-trash, delete-document and restore-document: an expired item
 * is purged before anyone could see or restore it, and no scheduler is needed.
 */
async function purgeExpiredTrash(tx: OfbStore, now: number): Promise<void> {
  const before = new Date(now - TRASH_RETENTION_DAYS * 86_400_000).toISOString();
  for (const doc of await tx.purgeTrash(before))
    await tx.appendAudit({
      actor: 'ofb',
      action: 'purge',
      resourceKind: doc.kind,
      resourceId: doc.id,
      workspaceId: doc.workspaceId,
      allowed: true,
      reason: 'trash_expired',
    });
}
