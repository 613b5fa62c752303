// OFB's persistence port: the stored records, the role ports (accounts, Workspaces, Documents, updates,
// Automerge chunks, run records, audit log, idempotency) the SQL adapters implement, and the store's errors.
import type { OfbRecordRun, OfbRunRecord, Role } from '@symphony/schemas';

/** A locally registered user (local sign-in). */
export interface UserRecord {
  readonly id: string;
  readonly name: string;
  readonly passwordHash: string;
  readonly createdAt: string;
}

/** A workspace row. */
export interface WorkspaceRecord {
  readonly id: string;
  readonly name: string;
  readonly createdBy: string;
  readonly createdAt: string;
}

/** A membership row. */
export interface MemberRecord {
  readonly workspaceId: string;
  readonly userId: string;
  readonly role: Role;
}

/** A pending invitation: `inviteeId` becomes a member with `role` once it is accepted. */
export interface InvitationRecord {
  readonly id: string;
  readonly workspaceId: string;
  readonly inviteeId: string;
  readonly role: Role;
  readonly invitedBy: string;
  readonly createdAt: string;
}

/** Whether a resource is a text document or a workflow. */
/** `workspace` is a workspace's index document (`workspace-<workspaceId>`), created with it. */
export type DocumentKind = 'document' | 'workflow' | 'workspace';

/** Metadata of a document or workflow (its content lives in the sync layer). */
export interface DocumentRecord {
  readonly id: string;
  readonly workspaceId: string;
  readonly kind: DocumentKind;
  readonly title: string;
  readonly sizeBytes: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** A document or workflow in its workspace's trash: deleted, restorable until it is purged. */
export interface TrashRecord extends DocumentRecord {
  readonly deletedAt: string;
  /** The user id of who deleted it, and their sign-in name (the id when no user row exists). */
  readonly deletedBy: string;
  readonly deletedByName: string;
}

/** One stored Yjs update (or a compacted state) of a document. */
export interface DocumentUpdateRecord {
  /** Position in the document's history; larger is later. Not dense: seqs are shared by all documents. */
  readonly seq: number;
  readonly bytes: Uint8Array;
}

/** One automerge-repo storage chunk: its key, the document it belongs to (null: the server's own key). */
export interface AutomergeChunkRecord {
  readonly key: readonly string[];
  readonly documentId: string | null;
  readonly bytes: Uint8Array;
}

/**
 * A finished run's record as stored: what `record-run` was sent, the workflow's workspace, who
 * recorded it (`startedBy.name`: their sign-in name, their id when no user row exists) and when.
 */
export type RunRecord = OfbRunRecord;

/** A run record to store: the starter's name is looked up by the store. */
export type NewRunRecord = OfbRecordRun & {
  readonly workspaceId: string;
  /** The user id of the run's starter (the token that recorded it). */
  readonly startedBy: string;
  /** Milliseconds since the epoch, from OFB's clock. */
  readonly recordedAt: number;
};

/** One authoritative decision, as the caller describes it. */
export interface AuditEntry {
  readonly actor: string;
  readonly action: string;
  readonly resourceKind: string;
  readonly resourceId: string;
  readonly workspaceId: string | null;
  readonly allowed: boolean;
  readonly reason: string;
}

/** An audit row as stored: the entry plus its place and hashes in the chain. */
export interface AuditRecord extends AuditEntry {
  readonly seq: number;
  readonly at: string;
  readonly prevHash: string;
  readonly hash: string;
}

/** A member with the sign-in name of their user (their id when no user row exists). */
export interface NamedMemberRecord extends MemberRecord {
  readonly name: string;
}

/** A workspace's pending invitation with the invitee's sign-in name. */
export interface SentInvitationRecord extends InvitationRecord {
  readonly inviteeName: string;
}

/**
 * A pending invitation addressed to a user, with the name of the workspace it opens and the
 * inviter's sign-in name (their id when no user row exists).
 */
export interface ReceivedInvitationRecord extends InvitationRecord {
  readonly workspaceName: string;
  readonly inviterName: string;
}

/**
 * What `authorize` needs about a resource and a user, found together: the resource's workspace and
 * kind (`workspace` for a workspace's index document, `workspace-<id>`), the user's role there
 * (`null`: not a member) and their sign-in name (`null`: no user row).
 */
export interface AccessRecord {
  readonly workspaceId: string;
  readonly kind: DocumentKind | 'workspace';
  readonly role: Role | null;
  readonly userName: string | null;
}

/**
 * What a write of a document's content needs to know, read in one statement: the document, the
 * caller's role in its workspace (null: not a member) and what the document stores now.
 */
export interface WriteTargetRecord {
  readonly document: DocumentRecord;
  readonly role: Role | null;
  /** Total bytes of the document's stored update rows (what `storedDocumentBytes` answers). */
  readonly storedBytes: number;
  /** How many update rows the document has stored (what `countDocumentUpdates` answers). */
  readonly storedRows: number;
}

/** Why a session was revoked. */
export type SessionRevocation = 'sign_out' | 'sign_out_everywhere' | 'password_changed';

/**
 * A sign-in: every token minted for it (the first and each refreshed one) names it in `sid`, and
 * is refused once it is revoked or past `expiresAt`.
 */
export interface SessionRecord {
  readonly id: string;
  readonly userId: string;
  /** When the sign-in happened: the start of every token refreshed from it. */
  readonly createdAt: string;
  /** The end of the session, however often it is refreshed. */
  readonly expiresAt: string;
  readonly revokedAt: string | null;
  readonly revokedReason: SessionRevocation | null;
}

/** The stored answer to one call made with an idempotency key. */
export interface IdempotencyRecord {
  readonly userId: string;
  readonly key: string;
  /** The function called (`create-workspace`, …). */
  readonly function: string;
  /** sha256 (hex) of the parsed request. */
  readonly requestHash: string;
  /** The HTTP status answered: 200, or the 4xx of a refusal. */
  readonly status: number;
  /** The JSON body answered. */
  readonly response: unknown;
  readonly createdAt: string;
}

/** Users and their sign-in sessions. */
export interface AccountStore {
  createUser(user: Omit<UserRecord, 'createdAt'>): Promise<UserRecord>;
  /**
   * The user whose name is `name`, or else whose name has the same `userNameKey` (names are
   * case-insensitive); `createUser` throws {@link ConflictError} for a name whose key is taken.
   */
  findUserByName(name: string): Promise<UserRecord | null>;
  getUser(id: string): Promise<UserRecord | null>;
  /** Replaces the user's password hash; returns whether the user exists. */
  setPasswordHash(userId: string, passwordHash: string): Promise<boolean>;

  /** Starts a session for an existing user; `createdAt` and `expiresAt` come from the caller's clock. */
  createSession(
    session: Pick<SessionRecord, 'id' | 'userId' | 'createdAt' | 'expiresAt'>,
  ): Promise<SessionRecord>;
  getSession(id: string): Promise<SessionRecord | null>;
  /** The sessions of `ids` that exist, in any order (one read for a batch of checks). */
  getSessions(ids: readonly string[]): Promise<SessionRecord[]>;
  /** Revokes one live session (at `at`); returns whether it was live. A revoked session stays revoked. */
  revokeSession(id: string, reason: SessionRevocation, at: string): Promise<boolean>;
  /** Revokes every live session of the user (at `at`); returns how many. */
  revokeUserSessions(userId: string, reason: SessionRevocation, at: string): Promise<number>;
}

/** Workspaces, their members and pending invitations. */
export interface WorkspaceStore {
  createWorkspace(workspace: Omit<WorkspaceRecord, 'createdAt'>): Promise<WorkspaceRecord>;
  getWorkspace(id: string): Promise<WorkspaceRecord | null>;
  /** The workspaces `userId` is a member of, with the role held in each. */
  listWorkspacesFor(userId: string): Promise<{ workspace: WorkspaceRecord; role: Role }[]>;
  countWorkspacesOwnedBy(userId: string): Promise<number>;

  getMember(workspaceId: string, userId: string): Promise<MemberRecord | null>;
  listMembers(workspaceId: string): Promise<MemberRecord[]>;
  /** The workspace's members with their names, ordered by name. */
  listNamedMembers(workspaceId: string): Promise<NamedMemberRecord[]>;
  /** Adds the member, or changes the role of an existing one. */
  putMember(member: MemberRecord): Promise<void>;
  /** Returns whether a row was removed. */
  removeMember(workspaceId: string, userId: string): Promise<boolean>;

  createInvitation(invitation: Omit<InvitationRecord, 'createdAt'>): Promise<InvitationRecord>;
  getInvitation(id: string): Promise<InvitationRecord | null>;
  countInvitations(workspaceId: string): Promise<number>;
  deleteInvitation(id: string): Promise<boolean>;
  /** The workspace's pending invitations with the invitees' names, oldest first. */
  listSentInvitations(workspaceId: string): Promise<SentInvitationRecord[]>;
  /** The invitations pending for `userId`, with workspace and inviter names, oldest first. */
  listReceivedInvitations(userId: string): Promise<ReceivedInvitationRecord[]>;
}

/**
 * Documents' and workflows' metadata, and the one read an access check makes. A document in the
 * trash is absent for every method but the trash's own (`getTrashedDocument`, `listTrash`,
 * `restoreDocument`, `purgeTrash`).
 */
export interface DocumentStore {
  createDocument(document: Omit<DocumentRecord, 'createdAt' | 'updatedAt'>): Promise<DocumentRecord>;
  getDocument(id: string): Promise<DocumentRecord | null>;
  listDocuments(workspaceId: string): Promise<DocumentRecord[]>;
  countDocuments(workspaceId: string): Promise<number>;
  renameDocument(id: string, title: string): Promise<DocumentRecord | null>;
  /** Deletes the row and, with it, its content (for good: the trash is `trashDocument`). */
  deleteDocument(id: string): Promise<boolean>;
  /** Moves a live document or workflow to the trash (by `deletedBy`, at `at`, ISO); returns whether it was live. */
  trashDocument(id: string, deletedBy: string, at: string): Promise<boolean>;
  getTrashedDocument(id: string): Promise<TrashRecord | null>;
  /** The workspace's trash, most recently deleted first. */
  listTrash(workspaceId: string): Promise<TrashRecord[]>;
  /** Brings a trashed document back; `null` when it is not in the trash. */
  restoreDocument(id: string): Promise<DocumentRecord | null>;
  /** Deletes for good (with their content) the trashed documents deleted before `deletedBefore` (ISO). */
  purgeTrash(deletedBefore: string): Promise<DocumentRecord[]>;
  /**
   * One read for an access check: `resourceId` is a document or workflow id, or
   * `workspace-<workspaceId>` (a workspace's index document, which wins over a document of that
   * id). `null` when no such resource exists.
   */
  findAccess(userId: string, resourceId: string): Promise<AccessRecord | null>;
}

/** Documents' Yjs content: their stored updates, appended, loaded and compacted. */
export interface DocumentUpdateStore {
  /**
   * Stores `updates` after the document's stored ones, in one statement; returns their seqs in
   * order. Throws {@link MissingReferenceError} when the document does not exist.
   */
  appendDocumentUpdates(documentId: string, updates: readonly Uint8Array[]): Promise<number[]>;
  /**
   * Stores `updates` as {@link appendDocumentUpdates} does and appends `audit` to the audit chain,
   * in one statement (so one transaction: both commit or neither). Returns the updates' seqs in order.
   */
  appendDocumentUpdatesAudited(
    documentId: string,
    updates: readonly Uint8Array[],
    audit: AuditEntry,
  ): Promise<number[]>;
  /** The document's stored updates in seq order (`[]` when none). */
  loadDocumentUpdates(documentId: string): Promise<DocumentUpdateRecord[]>;
  /**
   * Replaces every stored update with seq ≤ `upToSeq` (all of them when omitted) by `state`, in one
   * transaction; the state keeps its place before any later update. Returns the state's seq.
   */
  compactDocumentUpdates(documentId: string, state: Uint8Array, upToSeq?: number): Promise<number>;
  /**
   * Compacts under the document's lock, in one transaction: reads the stored rows, `merge` picks the
   * rows to replace (`seqs`, from the rows it was given) and the state that replaces them, or `null`
   * to leave them; exactly those rows are deleted, so a row it did not see is never lost. Returns the
   * state's seq (it takes the largest replaced seq), or null.
   */
  compactDocumentUpdatesWith(
    documentId: string,
    merge: (
      rows: readonly DocumentUpdateRecord[],
    ) => { readonly state: Uint8Array; readonly seqs: readonly number[] } | null,
  ): Promise<number | null>;
  /**
   * Takes the document's transaction-scoped advisory lock (appends and compactions of one document
   * hold it, so a compaction never reads while an append that took a seq is uncommitted). Call it
   * first in the transaction, before anything that takes the audit chain's lock.
   */
  lockDocumentUpdates(documentId: string): Promise<void>;
  /** Total bytes stored for the document. */
  storedDocumentBytes(documentId: string): Promise<number>;
  /** How many update rows the document has stored (what background compaction watches). */
  countDocumentUpdates(documentId: string): Promise<number>;
  /**
   * The document, `userId`'s role in its workspace and the document's stored bytes and rows, in
   * one statement (the reads of `persist-updates`); null when there is no such document.
   */
  getWriteTarget(documentId: string, userId: string): Promise<WriteTargetRecord | null>;
  /** Ids of the documents that have stored updates, in one workspace or (`null`) in all. */
  listStoredDocuments(workspaceId: string | null): Promise<string[]>;
}

/** automerge-repo's storage chunks (owner: http/functions/automerge.ts). */
export interface AutomergeStore {
  /** Stores the chunks in one statement; a chunk whose key exists replaces it. */
  saveAutomergeChunks(chunks: readonly AutomergeChunkRecord[]): Promise<void>;
  /** One chunk's bytes, or null when the key is absent. */
  loadAutomergeChunk(key: readonly string[]): Promise<Uint8Array | null>;
  /** Every chunk whose key starts with `prefix` (whole key parts), in the order keys were first saved. */
  loadAutomergeRange(prefix: readonly string[]): Promise<AutomergeChunkRecord[]>;
  /** Removes the keys (absent keys are fine); returns how many rows went. */
  removeAutomergeChunks(keys: readonly (readonly string[])[]): Promise<number>;
  /** Removes every chunk whose key starts with `prefix`; returns how many rows went. */
  removeAutomergeRange(prefix: readonly string[]): Promise<number>;
  /** Total chunk bytes stored for the document, `[documentId, 'sync-state', …]` excluded. */
  storedAutomergeBytes(documentId: string): Promise<number>;
}

/** Finished runs' records (owner: http/functions/runs.ts). Records are written once, never changed. */
export interface RunRecordStore {
  /**
   * Stores the record unless its run id is recorded already, and returns it as stored; `null` (and
   * nothing written) when the run id is taken. A concurrent insert of the same run id waits for the
   * first to commit and then answers `null`. Throws {@link MissingReferenceError} when the workflow
   * or workspace does not exist.
   */
  createRunRecord(record: NewRunRecord): Promise<RunRecord | null>;
  getRunRecord(runId: string): Promise<RunRecord | null>;
  /** The workflow's records, newest first (by `startedAt`, then run id), at most `limit`. */
  listRunRecords(workflowId: string, limit: number): Promise<RunRecord[]>;
}

/** The append-only, hash-chained audit log. */
export interface AuditLog {
  /** Appends to the audit chain; the database fills in `seq`, `at` and the hashes. */
  appendAudit(entry: AuditEntry): Promise<AuditRecord>;
  /** Audit rows in chain order, `afterSeq` exclusive. */
  listAudit(options?: { workspaceId?: string; afterSeq?: number; limit?: number }): Promise<AuditRecord[]>;
}

/** Stored answers of calls made with an idempotency key. */
export interface IdempotencyStore {
  getIdempotencyRecord(userId: string, key: string): Promise<IdempotencyRecord | null>;
  /** Stores an answer; throws {@link ConflictError} when (user, key) already has one. */
  putIdempotencyRecord(record: Omit<IdempotencyRecord, 'createdAt'>): Promise<void>;
}

/**
 * OFB's persistence port: the role ports above under one transaction. Every method runs in the
 * current transaction when called on the `tx` given to {@link OfbStore.transaction}; outside one,
 * each call commits on its own.
 */
export interface OfbStore
  extends AccountStore,
    WorkspaceStore,
    DocumentStore,
    DocumentUpdateStore,
    AutomergeStore,
    RunRecordStore,
    AuditLog,
    IdempotencyStore {
  /** Runs `fn` in one transaction: everything it wrote commits together or not at all. */
  transaction<T>(fn: (tx: OfbStore) => Promise<T>): Promise<T>;
  /**
   * Holds a lock on `scope` (`workspaces:<userId>`, …) until the current transaction ends, so two
   * concurrent quota checks on one scope run one after the other instead of both passing.
   */
  lockQuota(scope: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Thrown when a text cannot be stored as given (PostgreSQL refuses a NUL in `text` and `jsonb`):
 * schemas refuse such text in the fields they name; this catches any field they do not.
 */
export class InvalidTextError extends Error {
  override name = 'InvalidTextError';
}

/**
 * Thrown when a write names a row that is not there (a foreign key): a document deleted between the
 * read that found it and the write of its content.
 */
export class MissingReferenceError extends Error {
  override name = 'MissingReferenceError';
}

/** Thrown when a write would break a uniqueness rule (a taken user name, a duplicate id). */
export class ConflictError extends Error {
  override name = 'ConflictError';
}
