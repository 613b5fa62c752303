import { z } from 'zod';
import { plainText } from './text.js';
import { RoleSchema, Title } from './workspace.js';

/** Ids OFB accepts in requests: letters, digits, `_` and `-`, 1–128 long. */
const Id = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,128}$/, 'id must be 1–128 characters of letters, digits, "_" or "-"');

/** A user name for local sign-in. */
export const UserName = z
  .string()
  .regex(/^[A-Za-z0-9._@-]{1,64}$/, 'name must be 1–64 characters of letters, digits, ".", "_", "-" or "@"');

/** A password as OFB takes it (only its scrypt hash is stored). */
const Password = z.string().min(8, 'password must be at least 8 characters').max(200);

/** `sign-up` and `sign-in` request. */
export const OfbCredentials = z.strictObject({ name: UserName, password: Password });
/** `sign-up` and `sign-in` response: a Supabase-style session. */
export const OfbSession = z.object({
  access_token: z.string(),
  token_type: z.literal('bearer'),
  expires_in: z.number(),
  user: z.object({ id: z.string(), name: z.string() }),
});

/**
 * `create-workspace`. `id` lets a client create a workspace offline and use it at once; the
 * outbox replays the call later (with an idempotency key, so a replay applies once).
 */
export const OfbCreateWorkspace = z.strictObject({
  name: Title,
  // 118 leaves room for the `workspace-` prefix of its index document's id (128 at most).
  id: Id.refine((id) => id.length <= 118, 'workspace id must be at most 118 characters').optional(),
});
export const OfbListWorkspaces = z.strictObject({});
/**
 * `refresh-session`: a still-valid token of a session buys a fresh one (same user, same session),
 * for the usual lifetime but never past {@link MAX_SESSION_SECONDS} after the sign-in that began it.
 */
export const OfbRefreshSession = z.strictObject({});
/**
 * The most a session (a sign-in and every token refreshed from it) may last: 30 days. Refreshing
 * must not keep a leaked token alive forever; a month is as long as a person on one laptop goes
 * between typing their password without it becoming a chore, and a session past it asks them again.
 */
export const MAX_SESSION_SECONDS = 30 * 86_400;
/**
 * `sign-out`: revokes the caller's session (every token refreshed from the same sign-in), or with
 * `everywhere: true` every session of the caller's user. Revoked tokens are refused at once.
 */
export const OfbSignOut = z.strictObject({ everywhere: z.boolean().optional() });
export const OfbSignOutResult = z.object({ revoked: z.number().int().nonnegative() });
/**
 * `change-password`: needs the current password; revokes every session of the user (every other
 * device is signed out) and answers a fresh session for the caller.
 */
export const OfbChangePassword = z.strictObject({ currentPassword: Password, newPassword: Password });
/** `invite-member`: name the invitee by id or by their sign-in name (exactly one). */
export const OfbInviteMember = z
  .strictObject({ workspaceId: Id, userId: Id.optional(), userName: UserName.optional(), role: RoleSchema })
  .refine((b) => (b.userId === undefined) !== (b.userName === undefined), {
    message: 'give exactly one of userId and userName',
    path: ['userId'],
  });
/** `list-members`: members (with names) and pending invitations of a workspace; any member may list. */
export const OfbListMembers = z.strictObject({ workspaceId: Id });
export const OfbListMembersResult = z.object({
  members: z.array(z.object({ userId: z.string(), name: z.string(), role: RoleSchema })),
  invitations: z.array(
    z.object({ id: z.string(), inviteeId: z.string(), inviteeName: z.string(), role: RoleSchema }),
  ),
});
/** `list-invitations`: the caller's own pending invitations. */
export const OfbListInvitations = z.strictObject({});
export const OfbListInvitationsResult = z.object({
  invitations: z.array(
    z.object({
      id: z.string(),
      workspaceId: z.string(),
      workspaceName: z.string(),
      role: RoleSchema,
      invitedBy: z.string(),
    }),
  ),
});
/** `list-documents`: a workspace's documents and workflows (metadata). */
export const OfbListDocuments = z.strictObject({ workspaceId: Id });
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
/**
 * `authorize`: which role does the bearer of `token` hold on this resource? `resourceId` is a
 * document or workflow id, or `workspace-<workspaceId>` (the workspace's index document, kind
 * `workspace`).
 */
export const OfbAuthorize = z.strictObject({ token: z.string().min(1).max(8192), resourceId: Id });
export const OfbAuthorizeResult = z.object({
  role: RoleSchema,
  workspaceId: z.string(),
  kind: z.enum(['document', 'workflow', 'workspace']),
  userId: z.string(),
  /** The user's sign-in name (what collaborators see); the sync-server stamps it on presence. */
  userName: z.string(),
  /** The token's `exp` (seconds since the epoch): the sync-server closes the connection then. */
  exp: z.number(),
});
export type OfbAuthorizeResult = z.infer<typeof OfbAuthorizeResult>;
/**
 * `authorize-many` (service_role only): many `authorize` checks in one call, answered in order.
 * The sync-server re-checks every open connection with it every few seconds.
 */
export const OfbAuthorizeMany = z.strictObject({ checks: z.array(OfbAuthorize).min(1).max(1000) });
export const OfbAuthorizeManyResult = z.object({
  results: z.array(
    z.union([
      OfbAuthorizeResult.extend({ ok: z.literal(true) }),
      z.object({ ok: z.literal(false), status: z.number(), code: z.string(), message: z.string() }),
    ]),
  ),
});

/** Bytes on the wire: standard base64 (JSON bodies, as supabase-js `functions.invoke` sends them). */
const Base64Bytes = z.base64().min(1, 'bytes must not be empty');

/**
 * User ids whose changes a service-role batch carries (`persist-updates`, `automerge-save`): OFB
 * decides each one's write right itself and audits the batch under their names. Optional.
 */
export const OfbWriters = z.array(Id).max(1000);

/** `persist-updates`: Yjs updates (v1) to store after a document's stored ones, in order. */
export const OfbPersistUpdates = z.strictObject({
  documentId: Id,
  updates: z.array(Base64Bytes).min(1).max(10_000),
  writers: OfbWriters.optional(),
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

/** An automerge-repo storage key (`StorageKey`): `[documentId, 'snapshot' | 'incremental' | …, …]`. */
const StorageKey = z.array(plainText('a storage key part').min(1).max(256)).min(1).max(8);
/**
 * `automerge-save` (service_role): automerge-repo chunks to store, in one call and one transaction.
 * The first key part is the document id (which must exist in OFB as a workflow), except keys of
 * the server's own (`['storage-adapter-id']`). For a workflow, OFB loads the document with the new
 * chunks and refuses (422 `invalid_workflow`) any that would leave it outside the Workflow schema.
 */
export const OfbAutomergeSave = z.strictObject({
  chunks: z
    .array(z.strictObject({ key: StorageKey, bytes: Base64Bytes }))
    .min(1)
    .max(1000),
  writers: OfbWriters.optional(),
});
/** `automerge-load` (service_role): one chunk, `bytes: null` when absent. */
export const OfbAutomergeLoad = z.strictObject({ key: StorageKey });
/** `automerge-load-range` (service_role): every chunk whose key starts with `prefix`. */
export const OfbAutomergeLoadRange = z.strictObject({ prefix: StorageKey });
export const OfbAutomergeLoadRangeResult = z.object({
  chunks: z.array(z.object({ key: z.array(z.string()), bytes: z.string() })),
});
/** `automerge-remove` (service_role): remove these keys (absent keys are fine). */
export const OfbAutomergeRemove = z.strictObject({ keys: z.array(StorageKey).min(1).max(1000) });
/** `automerge-remove-range` (service_role): remove every chunk whose key starts with `prefix`. */
export const OfbAutomergeRemoveRange = z.strictObject({ prefix: StorageKey });
/** `validate-workflow`: OFB's authoritative findings for a stored workflow (any member may ask). */
export const OfbValidateWorkflow = z.strictObject({ documentId: Id });

/** Every OFB function's request schema, by function name (`/functions/v1/<name>`). */
export const OfbRequests = {
  'sign-up': OfbCredentials,
  'sign-in': OfbCredentials,
  'refresh-session': OfbRefreshSession,
  'sign-out': OfbSignOut,
  'change-password': OfbChangePassword,
  'create-workspace': OfbCreateWorkspace,
  'list-workspaces': OfbListWorkspaces,
  'invite-member': OfbInviteMember,
  'accept-invitation': OfbAcceptInvitation,
  'change-role': OfbChangeRole,
  'remove-member': OfbRemoveMember,
  'list-members': OfbListMembers,
  'list-invitations': OfbListInvitations,
  'list-documents': OfbListDocuments,
  'create-document': OfbCreateDocument,
  'rename-document': OfbRenameDocument,
  'delete-document': OfbDeleteDocument,
  authorize: OfbAuthorize,
  'authorize-many': OfbAuthorizeMany,
  'persist-updates': OfbPersistUpdates,
  'load-document': OfbLoadDocument,
  'compact-document': OfbCompactDocument,
  'list-stored-documents': OfbListStoredDocuments,
  'automerge-save': OfbAutomergeSave,
  'automerge-load': OfbAutomergeLoad,
  'automerge-load-range': OfbAutomergeLoadRange,
  'automerge-remove': OfbAutomergeRemove,
  'automerge-remove-range': OfbAutomergeRemoveRange,
  'validate-workflow': OfbValidateWorkflow,
} as const;

/**
 * Header carrying a client-chosen idempotency key (8–128 characters of letters, digits, `_`, `-`)
 * on any mutating function: OFB stores the answer with the key, per user, in the write's own
 * transaction, and answers a repeat with the stored answer instead of applying it again.
 */
export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const IdempotencyKey = z
  .string()
  .regex(/^[A-Za-z0-9_-]{8,128}$/, 'idempotency key must be 8–128 characters of letters, digits, "_" or "-"');
export type OfbFunctionName = keyof typeof OfbRequests;
