// Yjs content, the sync-server's storage (service_role only): persist-updates, load-document,
// compact-document and list-stored-documents.
import { base64ToBytes, bytesToBase64, OfbErrorCode } from '@symphony/schemas';
import * as Y from 'yjs';
import { checkDocumentSize } from '../../domain/rules.js';
import { MissingReferenceError } from '../../OfbStore.js';
import type { Handlers, OfbContext } from '../context.js';
import { documentNotFound, OfbError, ruleError } from '../errors.js';
import { authorize, decideAudited, requireServiceRole } from '../guards.js';
import { contentKind, documentOrThrow, workspaceOrThrow } from '../lookups.js';
import { writerAudits } from '../writers.js';

/** The functions this group answers. */
export type SyncFunctionName =
  | 'persist-updates'
  | 'load-document'
  | 'compact-document'
  | 'list-stored-documents';

/** A refused caller of a document's storage is audited against the document it named. */
const storage = (resourceId: string) => ({ resourceKind: 'document-storage', resourceId });

/** The Yjs storage functions under the app's rules (document size) and its background compactor. */
export function syncFunctions(ctx: OfbContext): Handlers<SyncFunctionName> {
  const { rules, compactor } = ctx;
  return {
    'persist-updates': async ({ documentId, updates, writers }, { claims, store }) => {
      const caller = requireServiceRole(claims, 'persist-updates', storage(documentId));
      const decoded = updates.map(base64ToBytes);
      checkYjsUpdates('updates', decoded);
      const batchBytes = decoded.reduce((n, u) => n + u.byteLength, 0);
      // Two statements, no explicit transaction (each round trip counts on the hot path). One read:
      // the document, the caller's role in its workspace, the document's stored bytes and rows. One
      // write: the updates and the `write` decision's audit row, in one statement, so they commit
      // together or not at all; the audit trigger's chain lock is held for that statement only.
      // Between the two, as within a READ COMMITTED transaction, a concurrent change is not seen.
      const target = await store.getWriteTarget(documentId, caller.sub);
      if (!target) throw documentNotFound(documentId);
      const doc = target.document;
      const allowed = decideAudited(
        caller,
        target.role,
        doc.workspaceId,
        'write',
        contentKind(doc),
        documentId,
      );
      const tooLarge = checkDocumentSize(rules, target.storedBytes + batchBytes);
      if (tooLarge) throw ruleError(tooLarge);
      // The users whose changes the batch carries, each decided on their own role and audited by name.
      const [first = allowed, ...more] =
        (await writerAudits(store, caller, writers, {
          workspaceId: doc.workspaceId,
          kind: contentKind(doc),
          resourceId: documentId,
        })) ?? [];
      let seqs: number[];
      try {
        seqs =
          more.length === 0
            ? await store.appendDocumentUpdatesAudited(documentId, decoded, first)
            : await store.transaction(async (tx) => {
                const stored = await tx.appendDocumentUpdatesAudited(documentId, decoded, first);
                for (const entry of more) await tx.appendAudit(entry);
                return stored;
              });
      } catch (error) {
        // The document went away between the read and the write.
        if (error instanceof MissingReferenceError) throw documentNotFound(documentId);
        throw error;
      }
      compactor.persisted(documentId, target.storedRows + seqs.length);
      return { stored: seqs.length, lastSeq: seqs[seqs.length - 1] ?? null };
    },
    'load-document': async ({ documentId }, { claims, store }) => {
      const caller = requireServiceRole(claims, 'load-document', storage(documentId));
      return store.transaction(async (tx) => {
        const doc = await documentOrThrow(tx, documentId);
        await authorize(tx, caller, doc.workspaceId, 'read', contentKind(doc), documentId);
        const rows = await tx.loadDocumentUpdates(documentId);
        return {
          updates: rows.map((r) => bytesToBase64(r.bytes)),
          lastSeq: rows[rows.length - 1]?.seq ?? null,
        };
      });
    },
    'compact-document': async ({ documentId, state, upToSeq }, { claims, store }) => {
      const caller = requireServiceRole(claims, 'compact-document', storage(documentId));
      const bytes = base64ToBytes(state);
      checkYjsUpdates('state', [bytes]);
      const tooLarge = checkDocumentSize(rules, bytes.byteLength);
      if (tooLarge) throw ruleError(tooLarge);
      return store.transaction(async (tx) => {
        // The document's lock first (before the audit row takes the chain's): no append is half done.
        await tx.lockDocumentUpdates(documentId);
        const doc = await documentOrThrow(tx, documentId);
        await authorize(tx, caller, doc.workspaceId, 'write', contentKind(doc), documentId);
        // The rows it replaces are read here and merged into the caller's state, so a row the caller
        // never loaded (an append that committed after its load) is kept, not deleted unmerged.
        const seq = await tx.compactDocumentUpdatesWith(documentId, (rows) => {
          const replaced = rows.filter((r) => upToSeq === undefined || r.seq <= upToSeq);
          return {
            state: replaced.length === 0 ? bytes : Y.mergeUpdates([bytes, ...replaced.map((r) => r.bytes)]),
            seqs: replaced.map((r) => r.seq),
          };
        });
        return { seq: seq! };
      });
    },
    'list-stored-documents': async ({ workspaceId }, { claims, store }) => {
      const caller = requireServiceRole(claims, 'list-stored-documents', {
        resourceKind: 'workspace',
        resourceId: workspaceId ?? '*',
      });
      if (workspaceId === undefined) return { documentIds: await store.listStoredDocuments(null) };
      return store.transaction(async (tx) => {
        await workspaceOrThrow(tx, workspaceId);
        await authorize(tx, caller, workspaceId, 'read', 'workspace', workspaceId);
        return { documentIds: await tx.listStoredDocuments(workspaceId) };
      });
    },
  };
}

/**
 * Refuses bytes that are not a Yjs update (v1): stored, they would make `Y.applyUpdate` throw in
 * every later load of the document. `what` names the field (`updates`, `state`) for the 422.
 */
function checkYjsUpdates(what: string, updates: readonly Uint8Array[]): void {
  updates.forEach((update, index) => {
    try {
      Y.decodeUpdate(update);
    } catch (error) {
      throw new OfbError(
        422,
        'validation',
        OfbErrorCode.invalidUpdate,
        `${what}[${index}] is not a Yjs update: ${String(error)}`,
        { field: what, index },
      );
    }
  });
}
