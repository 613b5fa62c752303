// Document metadata: list-documents, create-document, rename-document and delete-document (content
// is stored through sync.ts and automerge.ts).
import { randomUUID } from 'node:crypto';
import { OfbErrorCode } from '@symphony/schemas';
import { checkDocumentSize, checkQuota } from '../../domain/rules.js';
import { ConflictError } from '../../OfbStore.js';
import type { Handlers, OfbContext } from '../context.js';
import { OfbError, ruleError } from '../errors.js';
import { authorize, requireUser, takenIdRefusal } from '../guards.js';
import { contentKind, userDocumentOrThrow, workspaceOrThrow } from '../lookups.js';

/** The functions this group answers. */
export type DocumentFunctionName =
  | 'list-documents'
  | 'create-document'
  | 'rename-document'
  | 'delete-document';

/** Ids `create-document` refuses: `workspace-<id>` names a workspace's index document. */
const reservedIdPrefix = 'workspace-';

/** The document functions under the app's rules (document size, `maxDocumentsPerWorkspace`). */
export function documentFunctions(ctx: OfbContext): Handlers<DocumentFunctionName> {
  const { rules } = ctx;
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
      if (requestedId?.startsWith(reservedIdPrefix))
        throw new OfbError(
          422,
          'validation',
          OfbErrorCode.reservedId,
          `document ids starting with "${reservedIdPrefix}" name workspace index documents; choose another id`,
        );
      return store.transaction(async (tx) => {
        await workspaceOrThrow(tx, workspaceId);
        const id = requestedId ?? randomUUID();
        await authorize(tx, caller, workspaceId, 'write', kind, id);
        await tx.lockQuota(`documents:${workspaceId}`);
        const over = checkQuota('maxDocumentsPerWorkspace', rules, await tx.countDocuments(workspaceId));
        if (over) throw ruleError(over);
        const held = requestedId === undefined ? null : await tx.getDocument(id);
        if (held)
          throw await takenIdRefusal(
            tx,
            caller,
            { workspaceId: held.workspaceId, kind: contentKind(held) },
            { kind, id },
            () => exists(id),
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
        await tx.deleteDocument(documentId);
        return { deleted: documentId };
      });
    },
  };
}
