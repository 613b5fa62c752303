// Workspaces, members, roles and document metadata: the entities OFB stores and every client shows.
import { z } from 'zod';
import { DocumentId, UserId, WorkspaceId } from './ids.js';
import { plainText } from './text.js';

/** Roles a member can hold in a workspace. */
export const Role = { owner: 'owner', editor: 'editor', viewer: 'viewer' } as const;
export type Role = (typeof Role)[keyof typeof Role];
export const RoleSchema = z.enum([Role.owner, Role.editor, Role.viewer]);

/**
 * 1–`max` characters, not only white space, no control characters or unpaired surrogates: what a
 * person can read in a list. `what` names the field in every message ("workspace name must not be
 * empty"), so a person reads the name of the field they filled in.
 */
export const readableName = (what: string, max: number) =>
  plainText(what)
    .max(max, `${what} must be at most ${max} characters`)
    .refine((t) => t.trim().length > 0, `${what} must not be empty`);

/** A document's or workflow's title (1–200 characters, see {@link readableName}). */
export const Title = readableName('title', 200);

/** A workspace's name (1–200 characters, see {@link readableName}). */
export const WorkspaceName = readableName('workspace name', 200);

/** A workspace: a named set of documents and workflows shared by its members. */
export const Workspace = z.object({
  id: WorkspaceId,
  name: WorkspaceName,
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
  name: readableName('member name', 100),
  role: RoleSchema,
});
export type Member = z.infer<typeof Member>;
