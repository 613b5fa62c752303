// OfbStore over SQL: one class composing the role adapters in sql/ under one driver, so every role
// runs in the same transaction. The SQL is plain PostgreSQL 15 (PGlite, PostgreSQL and Supabase).
import type {
  AccountStore,
  AuditLog,
  AutomergeStore,
  DocumentStore,
  DocumentUpdateStore,
  IdempotencyStore,
  OfbStore,
  RunRecordStore,
  WorkspaceStore,
} from '../OfbStore.js';
import type { SqlDriver } from './SqlDriver.js';
import { SqlAccountStore } from './sql/accounts.js';
import { SqlAuditLog, SqlIdempotencyStore } from './sql/audit.js';
import { SqlAutomergeStore } from './sql/automerge.js';
import { SqlDocumentUpdateStore } from './sql/document-updates.js';
import { SqlDocumentStore } from './sql/documents.js';
import { textChecked } from './sql/errors.js';
import { SqlRunRecordStore } from './sql/run-records.js';
import { SqlWorkspaceStore } from './sql/workspaces.js';

/**
 * {@link OfbStore} over any {@link SqlDriver}: each role port is answered by its adapter in
 * `sql/` over this store's driver (inside {@link transaction}, the transaction's). Every refusal of
 * the database comes out as a named store error (`ConflictError`, `MissingReferenceError`,
 * `InvalidTextError`), never as a PostgreSQL code.
 */
export class SqlOfbStore implements OfbStore {
  /** The driver; inside {@link transaction} it is the transaction's. */
  readonly db: SqlDriver;
  private readonly accounts: SqlAccountStore;
  private readonly workspaces: SqlWorkspaceStore;
  private readonly documents: SqlDocumentStore;
  private readonly updates: SqlDocumentUpdateStore;
  private readonly automerge: SqlAutomergeStore;
  private readonly runs: SqlRunRecordStore;
  private readonly audit: SqlAuditLog;
  private readonly idempotency: SqlIdempotencyStore;

  constructor(
    db: SqlDriver,
    private readonly inTransaction = false,
  ) {
    this.db = textChecked(db);
    this.accounts = new SqlAccountStore(this.db);
    this.workspaces = new SqlWorkspaceStore(this.db);
    this.documents = new SqlDocumentStore(this.db);
    this.updates = new SqlDocumentUpdateStore(this.db, this);
    this.automerge = new SqlAutomergeStore(this.db);
    this.runs = new SqlRunRecordStore(this.db);
    this.audit = new SqlAuditLog(this.db);
    this.idempotency = new SqlIdempotencyStore(this.db);
  }

  async transaction<T>(fn: (tx: OfbStore) => Promise<T>): Promise<T> {
    if (this.inTransaction) return fn(this);
    return this.db.transaction((tx) => fn(new SqlOfbStore(tx, true)));
  }

  async lockQuota(scope: string): Promise<void> {
    // Two-key advisory locks: class 727101 keeps them apart from the audit chain's lock (727100).
    await this.db.query('select pg_advisory_xact_lock(727101, hashtext($1))', [scope]);
  }

  async close(): Promise<void> {
    if (!this.inTransaction) await this.db.close();
  }

  // --- AccountStore ---
  createUser(...args: Parameters<AccountStore['createUser']>) {
    return this.accounts.createUser(...args);
  }
  findUserByName(...args: Parameters<AccountStore['findUserByName']>) {
    return this.accounts.findUserByName(...args);
  }
  getUser(...args: Parameters<AccountStore['getUser']>) {
    return this.accounts.getUser(...args);
  }
  setPasswordHash(...args: Parameters<AccountStore['setPasswordHash']>) {
    return this.accounts.setPasswordHash(...args);
  }
  createSession(...args: Parameters<AccountStore['createSession']>) {
    return this.accounts.createSession(...args);
  }
  getSession(...args: Parameters<AccountStore['getSession']>) {
    return this.accounts.getSession(...args);
  }
  getSessions(...args: Parameters<AccountStore['getSessions']>) {
    return this.accounts.getSessions(...args);
  }
  revokeSession(...args: Parameters<AccountStore['revokeSession']>) {
    return this.accounts.revokeSession(...args);
  }
  revokeUserSessions(...args: Parameters<AccountStore['revokeUserSessions']>) {
    return this.accounts.revokeUserSessions(...args);
  }

  // --- WorkspaceStore ---
  createWorkspace(...args: Parameters<WorkspaceStore['createWorkspace']>) {
    return this.workspaces.createWorkspace(...args);
  }
  getWorkspace(...args: Parameters<WorkspaceStore['getWorkspace']>) {
    return this.workspaces.getWorkspace(...args);
  }
  listWorkspacesFor(...args: Parameters<WorkspaceStore['listWorkspacesFor']>) {
    return this.workspaces.listWorkspacesFor(...args);
  }
  countWorkspacesOwnedBy(...args: Parameters<WorkspaceStore['countWorkspacesOwnedBy']>) {
    return this.workspaces.countWorkspacesOwnedBy(...args);
  }
  getMember(...args: Parameters<WorkspaceStore['getMember']>) {
    return this.workspaces.getMember(...args);
  }
  listMembers(...args: Parameters<WorkspaceStore['listMembers']>) {
    return this.workspaces.listMembers(...args);
  }
  listNamedMembers(...args: Parameters<WorkspaceStore['listNamedMembers']>) {
    return this.workspaces.listNamedMembers(...args);
  }
  putMember(...args: Parameters<WorkspaceStore['putMember']>) {
    return this.workspaces.putMember(...args);
  }
  removeMember(...args: Parameters<WorkspaceStore['removeMember']>) {
    return this.workspaces.removeMember(...args);
  }
  createInvitation(...args: Parameters<WorkspaceStore['createInvitation']>) {
    return this.workspaces.createInvitation(...args);
  }
  getInvitation(...args: Parameters<WorkspaceStore['getInvitation']>) {
    return this.workspaces.getInvitation(...args);
  }
  countInvitations(...args: Parameters<WorkspaceStore['countInvitations']>) {
    return this.workspaces.countInvitations(...args);
  }
  deleteInvitation(...args: Parameters<WorkspaceStore['deleteInvitation']>) {
    return this.workspaces.deleteInvitation(...args);
  }
  listSentInvitations(...args: Parameters<WorkspaceStore['listSentInvitations']>) {
    return this.workspaces.listSentInvitations(...args);
  }
  listReceivedInvitations(...args: Parameters<WorkspaceStore['listReceivedInvitations']>) {
    return this.workspaces.listReceivedInvitations(...args);
  }

  // --- DocumentStore ---
  createDocument(...args: Parameters<DocumentStore['createDocument']>) {
    return this.documents.createDocument(...args);
  }
  getDocument(...args: Parameters<DocumentStore['getDocument']>) {
    return this.documents.getDocument(...args);
  }
  listDocuments(...args: Parameters<DocumentStore['listDocuments']>) {
    return this.documents.listDocuments(...args);
  }
  countDocuments(...args: Parameters<DocumentStore['countDocuments']>) {
    return this.documents.countDocuments(...args);
  }
  renameDocument(...args: Parameters<DocumentStore['renameDocument']>) {
    return this.documents.renameDocument(...args);
  }
  deleteDocument(...args: Parameters<DocumentStore['deleteDocument']>) {
    return this.documents.deleteDocument(...args);
  }
  trashDocument(...args: Parameters<DocumentStore['trashDocument']>) {
    return this.documents.trashDocument(...args);
  }
  getTrashedDocument(...args: Parameters<DocumentStore['getTrashedDocument']>) {
    return this.documents.getTrashedDocument(...args);
  }
  listTrash(...args: Parameters<DocumentStore['listTrash']>) {
    return this.documents.listTrash(...args);
  }
  restoreDocument(...args: Parameters<DocumentStore['restoreDocument']>) {
    return this.documents.restoreDocument(...args);
  }
  purgeTrash(...args: Parameters<DocumentStore['purgeTrash']>) {
    return this.documents.purgeTrash(...args);
  }
  findAccess(...args: Parameters<DocumentStore['findAccess']>) {
    return this.documents.findAccess(...args);
  }

  // --- DocumentUpdateStore ---
  appendDocumentUpdates(...args: Parameters<DocumentUpdateStore['appendDocumentUpdates']>) {
    return this.updates.appendDocumentUpdates(...args);
  }
  appendDocumentUpdatesAudited(...args: Parameters<DocumentUpdateStore['appendDocumentUpdatesAudited']>) {
    return this.updates.appendDocumentUpdatesAudited(...args);
  }
  loadDocumentUpdates(...args: Parameters<DocumentUpdateStore['loadDocumentUpdates']>) {
    return this.updates.loadDocumentUpdates(...args);
  }
  lockDocumentUpdates(...args: Parameters<DocumentUpdateStore['lockDocumentUpdates']>) {
    return this.updates.lockDocumentUpdates(...args);
  }
  compactDocumentUpdates(...args: Parameters<DocumentUpdateStore['compactDocumentUpdates']>) {
    return this.updates.compactDocumentUpdates(...args);
  }
  compactDocumentUpdatesWith(...args: Parameters<DocumentUpdateStore['compactDocumentUpdatesWith']>) {
    return this.updates.compactDocumentUpdatesWith(...args);
  }
  storedDocumentBytes(...args: Parameters<DocumentUpdateStore['storedDocumentBytes']>) {
    return this.updates.storedDocumentBytes(...args);
  }
  countDocumentUpdates(...args: Parameters<DocumentUpdateStore['countDocumentUpdates']>) {
    return this.updates.countDocumentUpdates(...args);
  }
  getWriteTarget(...args: Parameters<DocumentUpdateStore['getWriteTarget']>) {
    return this.updates.getWriteTarget(...args);
  }
  listStoredDocuments(...args: Parameters<DocumentUpdateStore['listStoredDocuments']>) {
    return this.updates.listStoredDocuments(...args);
  }

  // --- AutomergeStore ---
  saveAutomergeChunks(...args: Parameters<AutomergeStore['saveAutomergeChunks']>) {
    return this.automerge.saveAutomergeChunks(...args);
  }
  loadAutomergeChunk(...args: Parameters<AutomergeStore['loadAutomergeChunk']>) {
    return this.automerge.loadAutomergeChunk(...args);
  }
  loadAutomergeRange(...args: Parameters<AutomergeStore['loadAutomergeRange']>) {
    return this.automerge.loadAutomergeRange(...args);
  }
  removeAutomergeChunks(...args: Parameters<AutomergeStore['removeAutomergeChunks']>) {
    return this.automerge.removeAutomergeChunks(...args);
  }
  removeAutomergeRange(...args: Parameters<AutomergeStore['removeAutomergeRange']>) {
    return this.automerge.removeAutomergeRange(...args);
  }
  storedAutomergeBytes(...args: Parameters<AutomergeStore['storedAutomergeBytes']>) {
    return this.automerge.storedAutomergeBytes(...args);
  }

  // --- RunRecordStore ---
  createRunRecord(...args: Parameters<RunRecordStore['createRunRecord']>) {
    return this.runs.createRunRecord(...args);
  }
  getRunRecord(...args: Parameters<RunRecordStore['getRunRecord']>) {
    return this.runs.getRunRecord(...args);
  }
  listRunRecords(...args: Parameters<RunRecordStore['listRunRecords']>) {
    return this.runs.listRunRecords(...args);
  }

  // --- AuditLog ---
  appendAudit(...args: Parameters<AuditLog['appendAudit']>) {
    return this.audit.appendAudit(...args);
  }
  listAudit(...args: Parameters<AuditLog['listAudit']>) {
    return this.audit.listAudit(...args);
  }

  // --- IdempotencyStore ---
  getIdempotencyRecord(...args: Parameters<IdempotencyStore['getIdempotencyRecord']>) {
    return this.idempotency.getIdempotencyRecord(...args);
  }
  putIdempotencyRecord(...args: Parameters<IdempotencyStore['putIdempotencyRecord']>) {
    return this.idempotency.putIdempotencyRecord(...args);
  }
}
