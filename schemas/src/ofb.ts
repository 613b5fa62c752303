import { z } from 'zod';
import { RoleSchema, Title } from './workspace.js';

/** Ids OFB accepts in requests: letters, digits, `_` and `-`, 1–128 long. */
const Id = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,128}$/, 'id must be 1–128 characters of letters, digits, "_" or "-"');

/** `sign-up` and `sign-in` request. */
export const OfbCredentials = z.strictObject({
  name: z
    .string()
    .regex(
      /^[A-Za-z0-9._@-]{1,64}$/,
      'name must be 1–64 characters of letters, digits, ".", "_", "-" or "@"',
    ),
  password: z.string().min(8, 'password must be at least 8 characters').max(200),
});
/** `sign-up` and `sign-in` response: a Supabase-style session. */
export const OfbSession = z.object({
  access_token: z.string(),
  token_type: z.literal('bearer'),
  expires_in: z.number(),
  user: z.object({ id: z.string(), name: z.string() }),
});

export const OfbCreateWorkspace = z.strictObject({ name: Title });
export const OfbListWorkspaces = z.strictObject({});
export const OfbInviteMember = z.strictObject({ workspaceId: Id, userId: Id, role: RoleSchema });
export const OfbAcceptInvitation = z.strictObject({ invitationId: Id });
export const OfbChangeRole = z.strictObject({ workspaceId: Id, userId: Id, role: RoleSchema });
export const OfbRemoveMember = z.strictObject({ workspaceId: Id, userId: Id });
export const OfbCreateDocument = z.strictObject({
  workspaceId: Id,
  /** The id to give it (a sync room name); a fresh UUID when omitted. */
  id: Id.optional(),
  kind: z.enum(['document', 'workflow']),
  title: Title,
  sizeBytes: z.number().int().nonnegative().default(0),
});
export const OfbRenameDocument = z.strictObject({ documentId: Id, title: Title });
export const OfbDeleteDocument = z.strictObject({ documentId: Id });
/** `authorize`: which role does the bearer of `token` hold on this document or workflow? */
export const OfbAuthorize = z.strictObject({ token: z.string().min(1).max(8192), resourceId: Id });
export const OfbAuthorizeResult = z.object({
  role: RoleSchema,
  workspaceId: z.string(),
  kind: z.enum(['document', 'workflow']),
  userId: z.string(),
});

/** Bytes on the wire: standard base64 (JSON bodies, as supabase-js `functions.invoke` sends them). */
const Base64Bytes = z.base64().min(1, 'bytes must not be empty');

/** `persist-updates`: Yjs updates (v1) to store after a document's stored ones, in order. */
export const OfbPersistUpdates = z.strictObject({
  documentId: Id,
  updates: z.array(Base64Bytes).min(1).max(10_000),
});
/** `load-document`: a document's stored updates. */
export const OfbLoadDocument = z.strictObject({ documentId: Id });
export const OfbLoadDocumentResult = z.object({
  updates: z.array(z.string()),
  /** Seq of the last stored update, or `null`; pass it to `compact-document` as `upToSeq`. */
  lastSeq: z.number().nullable(),
});
/** `compact-document`: replace the updates up to `upToSeq` (all when omitted) with `state`. */
export const OfbCompactDocument = z.strictObject({
  documentId: Id,
  state: Base64Bytes,
  upToSeq: z.number().int().positive().optional(),
});
/** `list-stored-documents`: documents with stored updates, in a workspace (or all, for the service role). */
export const OfbListStoredDocuments = z.strictObject({ workspaceId: Id.optional() });

/** Every OFB function's request schema, by function name (`/functions/v1/<name>`). */
export const OfbRequests = {
  'sign-up': OfbCredentials,
  'sign-in': OfbCredentials,
  'create-workspace': OfbCreateWorkspace,
  'list-workspaces': OfbListWorkspaces,
  'invite-member': OfbInviteMember,
  'accept-invitation': OfbAcceptInvitation,
  'change-role': OfbChangeRole,
  'remove-member': OfbRemoveMember,
  'create-document': OfbCreateDocument,
  'rename-document': OfbRenameDocument,
  'delete-document': OfbDeleteDocument,
  authorize: OfbAuthorize,
  'persist-updates': OfbPersistUpdates,
  'load-document': OfbLoadDocument,
  'compact-document': OfbCompactDocument,
  'list-stored-documents': OfbListStoredDocuments,
} as const;
export type OfbFunctionName = keyof typeof OfbRequests;
