// OFB's wire contract: each function's request and answer schema, the wire limits, the idempotent set.
import { z } from 'zod';
import { MAX_ID_LENGTH } from './ids.js';
import { NodeOutputs, RunId, RunStatus } from './runs.js';
import { plainText } from './text.js';
import { FindingCode, RejectReason } from './workflow/validate.js';
import { RoleSchema, Title, WorkspaceName } from './workspace.js';

/**
 * The limits of OFB's wire: the request schemas below enforce them, OFB's app and the sync-server's
 * adapters (which split their batches to fit) read them from here.
 */
export const OfbLimits = {
  /** Ids (users, workspaces, documents, sessions, invitations): 1–128 of `A-Za-z0-9_-`. */
  maxIdLength: MAX_ID_LENGTH,
  /** 118 leaves room for the `workspace-` prefix of a workspace's index document id (128 at most). */
  maxWorkspaceIdLength: 118,
  /** An access token `authorize` takes; a Supabase JWT is well under 2 KiB. */
  maxTokenLength: 8192,
  /** Checks per `authorize-many` call: one per open connection of a sync-server, per re-check. */
  maxChecksPerCall: 1000,
  /** Writers one `persist-updates` or `automerge-save` batch may name. */
  maxWritersPerBatch: 1000,
  /** Yjs updates per `persist-updates` call. */
  maxUpdatesPerPersist: 10_000,
  /** Chunks per `automerge-save`, keys per `automerge-remove`. */
  maxChunksPerCall: 1000,
  /** Parts of an automerge-repo storage key (`[documentId, type, hash]` in practice). */
  maxKeyParts: 8,
  /** Characters of one storage key part. */
  maxKeyPartLength: 256,
  /** 64 KiB: the body of every function but the byte functions and `authorize-many`. */
  maxJsonBodyBytes: 64 * 1024,
  /** 4 MiB: `authorize-many`'s body (up to {@link OfbLimits.maxChecksPerCall} tokens). */
  maxChecksBodyBytes: 4 * 1024 * 1024,
  /**
   * 1 MiB: `record-run`'s body. A node's output hash takes ~75 bytes of JSON, so 64 KiB would refuse
   * the record of a run of a few hundred nodes; 1 MiB holds thousands, and bounds what one record
   * adds to every `list-runs` answer.
   */
  maxRunRecordBodyBytes: 1024 * 1024,
} as const;

/** Ids OFB accepts in requests: letters, digits, `_` and `-`, 1–128 long. */
const Id = z
  .string()
  .regex(
    new RegExp(`^[A-Za-z0-9_-]{1,${OfbLimits.maxIdLength}}$`),
    `id must be 1–${OfbLimits.maxIdLength} characters of letters, digits, "_" or "-"`,
  );

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
  name: WorkspaceName,
  id: Id.refine(
    (id) => id.length <= OfbLimits.maxWorkspaceIdLength,
    `workspace id must be at most ${OfbLimits.maxWorkspaceIdLength} characters`,
  ).optional(),
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
      /** The inviter's sign-in name (their id when their account is gone). */
      inviterName: z.string(),
    }),
  ),
});
/** `list-documents`: a workspace's documents and workflows (metadata). */
export const OfbListDocuments = z.strictObject({ workspaceId: Id });
export const OfbAcceptInvitation = z.strictObject({ invitationId: Id });
/** `decline-invitation`: the invitee turns one of their invitations down (it is deleted). */
export const OfbDeclineInvitation = z.strictObject({ invitationId: Id });
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
/**
 * `delete-document`: moves the document or workflow to its workspace's trash (editor+). It is gone
 * for every other function (404 `document_not_found`) until `restore-document` brings it back.
 */
export const OfbDeleteDocument = z.strictObject({ documentId: Id });
/**
 * How long a deleted document or workflow stays in the trash, restorable: 30 days. OFB purges older
 * ones (with their content) whenever a trash is listed or a document is deleted or restored.
 */
export const TRASH_RETENTION_DAYS = 30;
/** `list-trash`: the workspace's deleted documents and workflows, newest first; any member may list. */
export const OfbListTrash = z.strictObject({ workspaceId: Id });
/** `restore-document`: brings a document or workflow back from the trash (editor+). */
export const OfbRestoreDocument = z.strictObject({ documentId: Id });
/**
 * `authorize`: which role does the bearer of `token` hold on this resource? `resourceId` is a
 * document or workflow id, or `workspace-<workspaceId>` (the workspace's index document, kind
 * `workspace`).
 */
export const OfbAuthorize = z.strictObject({
  token: z.string().min(1).max(OfbLimits.maxTokenLength),
  resourceId: Id,
});
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
export const OfbAuthorizeMany = z.strictObject({
  checks: z.array(OfbAuthorize).min(1).max(OfbLimits.maxChecksPerCall),
});
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
export const OfbWriters = z.array(Id).max(OfbLimits.maxWritersPerBatch);

/** `persist-updates`: Yjs updates (v1) to store after a document's stored ones, in order. */
export const OfbPersistUpdates = z.strictObject({
  documentId: Id,
  updates: z.array(Base64Bytes).min(1).max(OfbLimits.maxUpdatesPerPersist),
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
const StorageKey = z
  .array(plainText('a storage key part').min(1).max(OfbLimits.maxKeyPartLength))
  .min(1)
  .max(OfbLimits.maxKeyParts);
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
    .max(OfbLimits.maxChunksPerCall),
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
export const OfbAutomergeRemove = z.strictObject({
  keys: z.array(StorageKey).min(1).max(OfbLimits.maxChunksPerCall),
});
/** `automerge-remove-range` (service_role): remove every chunk whose key starts with `prefix`. */
export const OfbAutomergeRemoveRange = z.strictObject({ prefix: StorageKey });
/** `validate-workflow`: OFB's authoritative findings for a stored workflow (any member may ask). */
export const OfbValidateWorkflow = z.strictObject({ documentId: Id });

/** 200: the most run records `list-runs` answers with. */
export const MAX_RUN_RECORDS_LISTED = 200;
/** 50: the run records `list-runs` answers with when the request gives no `limit` (a board's history). */
export const DEFAULT_RUN_RECORDS_LISTED = 50;

/** A finished run's status, as a run record keeps it. */
const FinishedRunStatus = z.enum([RunStatus.succeeded, RunStatus.failed, RunStatus.cancelled]);

/** The fields of a run record as its recorder sends them (`record-run`) and OFB answers them. */
const RunRecordFields = z.strictObject({
  workflowId: Id,
  runId: RunId,
  status: FinishedRunStatus,
  /** Milliseconds since the epoch, from the executor's clock. */
  startedAt: z.number().int().nonnegative(),
  finishedAt: z.number().int().nonnegative(),
  /** The workflow's Automerge heads the run was pinned to. */
  heads: z.array(z.string().min(1).max(128)).max(1000),
  /** Each node's output hashes, by node id (bytes stay on the machine that ran it). */
  outputs: z
    .record(z.string().max(MAX_ID_LENGTH), NodeOutputs)
    .refine((o) => Object.keys(o).length <= 10_000, {
      message: 'at most 10,000 nodes',
    }),
  nodes: z.number().int().nonnegative(),
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  costUsd: z.number().nonnegative(),
  /** The run this one re-ran, and the node it re-ran from. */
  rerunOf: RunId.optional(),
});

/**
 * `record-run` (editor+ on the workflow): the short record of a finished run, kept by OFB so the
 * team's run history survives any one laptop. Who started it is the token's user. Recording the
 * same run again answers the stored record (`created: false`) and changes nothing; a run id recorded
 * for another workflow is refused (409 `run_recorded_elsewhere`). Its body may be up to
 * {@link OfbLimits.maxRunRecordBodyBytes}.
 */
export const OfbRecordRun = RunRecordFields.refine((r) => r.finishedAt >= r.startedAt, {
  message: 'finishedAt must not be before startedAt',
  path: ['finishedAt'],
});
export type OfbRecordRun = z.infer<typeof OfbRecordRun>;

/**
 * `list-runs` (viewer+): the workflow's run records, newest first (by `startedAt`), at most `limit`
 * ({@link DEFAULT_RUN_RECORDS_LISTED} when omitted).
 */
export const OfbListRuns = z.strictObject({
  workflowId: Id,
  limit: z.number().int().min(1).max(MAX_RUN_RECORDS_LISTED).default(DEFAULT_RUN_RECORDS_LISTED),
});

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
  'decline-invitation': OfbDeclineInvitation,
  'change-role': OfbChangeRole,
  'remove-member': OfbRemoveMember,
  'list-members': OfbListMembers,
  'list-invitations': OfbListInvitations,
  'list-documents': OfbListDocuments,
  'create-document': OfbCreateDocument,
  'rename-document': OfbRenameDocument,
  'delete-document': OfbDeleteDocument,
  'list-trash': OfbListTrash,
  'restore-document': OfbRestoreDocument,
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
  'record-run': OfbRecordRun,
  'list-runs': OfbListRuns,
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

/**
 * The functions that honour an {@link IDEMPOTENCY_HEADER}: the mutations a client's outbox
 * replays. OFB refuses the header on any other function (422 `idempotency_not_supported`) rather
 * than silently ignoring it, so callers send a key exactly to these.
 */
export const idempotentOfbFunctions: ReadonlySet<OfbFunctionName> = new Set<OfbFunctionName>([
  'create-workspace',
  'invite-member',
  'accept-invitation',
  'decline-invitation',
  'change-role',
  'remove-member',
  'create-document',
  'rename-document',
  'delete-document',
  'restore-document',
]);

// --- Answers ---------------------------------------------------------------------------------
// What each function answers with status 200. OFB's handlers are typed with these; callers parse
// with `OfbResponses[name]`. Refusals are an `ErrorBody` (errors.ts) instead.

/** A workspace as OFB answers it. */
export const OfbWorkspace = z.object({
  id: z.string(),
  name: z.string(),
  createdBy: z.string(),
  createdAt: z.string(),
});
/** A membership: `userId` holds `role` in `workspaceId`. */
export const OfbMember = z.object({ workspaceId: z.string(), userId: z.string(), role: RoleSchema });
/** A pending invitation as `invite-member` answers it. */
export const OfbInvitation = z.object({
  id: z.string(),
  workspaceId: z.string(),
  inviteeId: z.string(),
  role: RoleSchema,
  invitedBy: z.string(),
  createdAt: z.string(),
});
/** A document's or workflow's metadata (kind `workspace`: a workspace's index document). */
export const OfbDocument = z.object({
  id: z.string(),
  workspaceId: z.string(),
  kind: z.enum(['document', 'workflow', 'workspace']),
  title: z.string(),
  sizeBytes: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export const OfbCreateWorkspaceResult = z.object({ workspace: OfbWorkspace, role: z.literal('owner') });
export const OfbListWorkspacesResult = z.object({
  workspaces: z.array(OfbWorkspace.extend({ role: RoleSchema })),
});
export const OfbInviteMemberResult = z.object({ invitation: OfbInvitation });
/** `accept-invitation` and `change-role`: the membership as it now is. */
export const OfbMemberResult = z.object({ member: OfbMember });
/** `decline-invitation`: which invitation was turned down, to which workspace. */
export const OfbDeclineInvitationResult = z.object({
  declined: z.object({ invitationId: z.string(), workspaceId: z.string() }),
});
export const OfbRemoveMemberResult = z.object({
  removed: z.object({ workspaceId: z.string(), userId: z.string() }),
});
export const OfbListDocumentsResult = z.object({ documents: z.array(OfbDocument) });
export const OfbCreateDocumentResult = z.object({ document: OfbDocument });
/** `rename-document`: `null` only when the document was deleted while it was being renamed. */
export const OfbRenameDocumentResult = z.object({ document: OfbDocument.nullable() });
export const OfbDeleteDocumentResult = z.object({ deleted: z.string() });
/** A document or workflow in the trash: its metadata, who deleted it and when it will be purged. */
export const OfbTrashItem = OfbDocument.extend({
  kind: z.enum(['document', 'workflow']),
  deletedAt: z.string(),
  /** The user id of who deleted it, and their sign-in name (their id when the user is gone). */
  deletedBy: z.string(),
  deletedByName: z.string(),
  /** When OFB purges it: {@link TRASH_RETENTION_DAYS} after `deletedAt`. */
  purgeAt: z.string(),
});
export const OfbListTrashResult = z.object({ items: z.array(OfbTrashItem) });
/** `restore-document`: the document as it now is, back in its workspace. */
export const OfbRestoreDocumentResult = z.object({ document: OfbDocument });
export const OfbPersistUpdatesResult = z.object({
  stored: z.number().int().nonnegative(),
  /** Seq of the last update stored, `null` when none was. */
  lastSeq: z.number().nullable(),
});
export const OfbCompactDocumentResult = z.object({ seq: z.number() });
export const OfbListStoredDocumentsResult = z.object({ documentIds: z.array(z.string()) });
export const OfbAutomergeSaveResult = z.object({ stored: z.number().int().nonnegative() });
export const OfbAutomergeLoadResult = z.object({ bytes: z.string().nullable() });
/** `automerge-remove` and `automerge-remove-range`: how many chunks were removed. */
export const OfbAutomergeRemoveResult = z.object({ removed: z.number().int().nonnegative() });
/** One finding of `validateWorkflow` (see `workflow/validate.ts`). */
export const OfbFinding = z.object({
  code: z.enum(Object.values(FindingCode) as [FindingCode, ...FindingCode[]]),
  severity: z.enum(['error', 'warning']),
  target: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('node'), id: z.string() }),
    z.object({ kind: z.literal('edge'), id: z.string() }),
    z.object({ kind: z.literal('workflow') }),
  ]),
  message: z.string(),
  hint: z.string(),
});
export const OfbValidateWorkflowResult = z.object({
  findings: z.array(OfbFinding),
  /** Every edge's verdict, by edge id. */
  edges: z.record(
    z.string(),
    z.enum(['accepted', ...(Object.values(RejectReason) as [RejectReason, ...RejectReason[]])]),
  ),
});

/** A run record as OFB stores and answers it: who started it (id and sign-in name), and when OFB recorded it. */
export const OfbRunRecord = RunRecordFields.extend({
  workspaceId: z.string(),
  startedBy: z.object({ userId: z.string(), name: z.string() }),
  recordedAt: z.number().int().nonnegative(),
});
export type OfbRunRecord = z.infer<typeof OfbRunRecord>;
export const OfbRecordRunResult = z.object({ record: OfbRunRecord, created: z.boolean() });
export const OfbListRunsResult = z.object({ runs: z.array(OfbRunRecord) });

/** Every OFB function's answer schema (status 200), by function name, as {@link OfbRequests}. */
export const OfbResponses = {
  'sign-up': OfbSession,
  'sign-in': OfbSession,
  'refresh-session': OfbSession,
  'sign-out': OfbSignOutResult,
  'change-password': OfbSession,
  'create-workspace': OfbCreateWorkspaceResult,
  'list-workspaces': OfbListWorkspacesResult,
  'invite-member': OfbInviteMemberResult,
  'accept-invitation': OfbMemberResult,
  'decline-invitation': OfbDeclineInvitationResult,
  'change-role': OfbMemberResult,
  'remove-member': OfbRemoveMemberResult,
  'list-members': OfbListMembersResult,
  'list-invitations': OfbListInvitationsResult,
  'list-documents': OfbListDocumentsResult,
  'create-document': OfbCreateDocumentResult,
  'rename-document': OfbRenameDocumentResult,
  'delete-document': OfbDeleteDocumentResult,
  'list-trash': OfbListTrashResult,
  'restore-document': OfbRestoreDocumentResult,
  authorize: OfbAuthorizeResult,
  'authorize-many': OfbAuthorizeManyResult,
  'persist-updates': OfbPersistUpdatesResult,
  'load-document': OfbLoadDocumentResult,
  'compact-document': OfbCompactDocumentResult,
  'list-stored-documents': OfbListStoredDocumentsResult,
  'automerge-save': OfbAutomergeSaveResult,
  'automerge-load': OfbAutomergeLoadResult,
  'automerge-load-range': OfbAutomergeLoadRangeResult,
  'automerge-remove': OfbAutomergeRemoveResult,
  'automerge-remove-range': OfbAutomergeRemoveResult,
  'validate-workflow': OfbValidateWorkflowResult,
  'record-run': OfbRecordRunResult,
  'list-runs': OfbListRunsResult,
} as const satisfies { readonly [N in OfbFunctionName]: z.ZodType };

/** What function `N` answers (status 200), as its handler returns it and a caller parses it. */
export type OfbResponse<N extends OfbFunctionName> = z.infer<(typeof OfbResponses)[N]>;
/** What function `N` takes, once parsed (defaults applied). */
export type OfbRequest<N extends OfbFunctionName> = z.output<(typeof OfbRequests)[N]>;
