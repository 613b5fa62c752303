// Workspaces, members, roles and document metadata: the entities OFB stores and every client shows.
import { z } from 'zod';
import { DocumentId, UserId, WorkspaceId } from './ids.js';
import { plainText } from './text.js';

/** Roles a member can hold in a workspace. */
export const Role = { owner: 'owner', editor: 'editor', viewer: 'viewer' } as const;
export type Role = (typeof Role)[keyof typeof Role];
export const RoleSchema = z.enum([Role.owner, Role.editor, Role.viewer]);

/**
 * 1–200 characters, not only white space, no control characters or unpaired surrogates: what a
 * person can read in a list (workspace names, document and workflow titles).
 */
export const Title = plainText('title')
  .max(200, 'title must be at most 200 characters')
  .refine((t) => t.trim().length > 0, 'title must not be empty');

/** A workspace: a named set of documents and workflows shared by its members. */
export const Workspace = z.object({
  id: WorkspaceId,
  name: Title,
  createdAt: z.iso.datetime(),
});
export type Workspace = z.infer<typeof Workspace>;

/**
 * 10 MiB: the most a text document or workflow may hold (its stored updates), OFB's default limit,
 * and what the sync-server checks before it relays an edit. Larger is almost certainly a paste
 * accident or an attack.
 */
export const MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;

/** A document's metadata, as listed on the workspace home. The text itself is a Y.Doc. */
export const DocumentMeta = z.object({
  id: DocumentId,
  workspaceId: WorkspaceId,
  title: Title,
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type DocumentMeta = z.infer<typeof DocumentMeta>;

/** A person's membership in a workspace. */
export const Member = z.object({
  workspaceId: WorkspaceId,
  userId: UserId,
  name: plainText('member name').min(1).max(100),
  role: RoleSchema,
});
export type Member = z.infer<typeof Member>;
