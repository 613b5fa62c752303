// Ids of documents, workspaces and users: branded zod strings safe to use as file and room names.
import { z } from 'zod';

/** The longest id of anything Symphony names (documents, workspaces, users): 128 characters. */
export const MAX_ID_LENGTH = 128;
/**
 * Characters allowed in a document or workspace id: letters, digits, `_` and `-`, 1–128 long.
 * No dots or slashes, so an id can never name a path outside its folder on disk.
 */
const ID_PATTERN = new RegExp(`^[A-Za-z0-9_-]{1,${MAX_ID_LENGTH}}$`);

const idMessage = `must be 1–${MAX_ID_LENGTH} characters of letters, digits, "_" or "-"`;

/** A document's id; also its room name on the sync-server (`/yjs/<DocumentId>`). */
export const DocumentId = z.string().regex(ID_PATTERN, `document id ${idMessage}`).brand<'DocumentId'>();
export type DocumentId = z.infer<typeof DocumentId>;

/** A workspace's id. */
export const WorkspaceId = z.string().regex(ID_PATTERN, `workspace id ${idMessage}`).brand<'WorkspaceId'>();
export type WorkspaceId = z.infer<typeof WorkspaceId>;

/** A user's id (the `sub` claim once OFB issues tokens). */
export const UserId = z.string().min(1).max(MAX_ID_LENGTH).brand<'UserId'>();
export type UserId = z.infer<typeof UserId>;

/** The prefix of a workspace's index document id: `workspace-<workspaceId>`. */
export const WORKSPACE_INDEX_PREFIX = 'workspace-';

/**
 * The id of the Yjs document that holds a workspace's index (its document list).
 * It shares the `/yjs/` namespace with documents; document ids are UUIDs, so the prefix never collides.
 */
export function workspaceIndexDocumentId(workspaceId: WorkspaceId): DocumentId {
  return DocumentId.parse(`${WORKSPACE_INDEX_PREFIX}${workspaceId}`);
}

/** Whether `id` is a workspace's index document (see {@link workspaceIndexDocumentId}), not a document. */
export function isWorkspaceIndexDocumentId(id: string): boolean {
  return id.startsWith(WORKSPACE_INDEX_PREFIX);
}
