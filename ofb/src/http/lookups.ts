// The reads functions start with: the workspace, document or workflow a call names, or a 404
// naming it; and the resource kind RBAC decides a document's content as.
import { OfbErrorCode } from '@symphony/schemas';
import type { ResourceKind } from '../domain/rbac.js';
import type { DocumentRecord, OfbStore } from '../OfbStore.js';
import { documentNotFound, OfbError } from './errors.js';

/** The document (any kind) of that id, or 404 `document_not_found`. */
export async function documentOrThrow(tx: OfbStore, documentId: string): Promise<DocumentRecord> {
  const doc = await tx.getDocument(documentId);
  if (!doc) throw documentNotFound(documentId);
  return doc;
}

/** A document a person may rename or delete: a workspace's index document goes with its workspace. */
export async function userDocumentOrThrow(tx: OfbStore, documentId: string) {
  const doc = await documentOrThrow(tx, documentId);
  if (doc.kind === 'workspace')
    throw new OfbError(
      422,
      'validation',
      OfbErrorCode.reservedId,
      `${documentId} is the index of workspace ${doc.workspaceId}; it is renamed and deleted with the workspace`,
    );
  return doc as DocumentRecord & { kind: 'document' | 'workflow' };
}

/** The workspace of that id, or 404 `workspace_not_found`. */
export async function workspaceOrThrow(tx: OfbStore, workspaceId: string) {
  const workspace = await tx.getWorkspace(workspaceId);
  if (!workspace)
    throw new OfbError(404, 'not_found', OfbErrorCode.workspaceNotFound, `no workspace ${workspaceId}`);
  return workspace;
}

/** The workflow a chunk key or `validate-workflow` names, or a 404 naming it. */
export async function workflowOrThrow(tx: OfbStore, documentId: string): Promise<DocumentRecord> {
  const doc = await tx.getDocument(documentId);
  if (doc?.kind !== 'workflow')
    throw new OfbError(
      404,
      'not_found',
      OfbErrorCode.documentNotFound,
      `no workflow ${documentId}: create it in OFB (create-document, kind "workflow") before storing its chunks`,
    );
  return doc;
}

/**
 * The resource kind RBAC decides on for a document's content. A workspace's index document holds
 * the workspace's list of documents, which editors change whenever they add one: its content is
 * decided like a document's.
 */
export const contentKind = (doc: DocumentRecord): ResourceKind =>
  doc.kind === 'workspace' ? 'document' : doc.kind;
