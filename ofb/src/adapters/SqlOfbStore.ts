import type { Role } from '@symphony/schemas';
import {
  type AccessRecord,
  type AuditEntry,
  type AuditRecord,
  type AutomergeChunkRecord,
  ConflictError,
  type DocumentKind,
  type DocumentRecord,
  type DocumentUpdateRecord,
  type IdempotencyRecord,
  InvalidTextError,
  type InvitationRecord,
  type MemberRecord,
  type NamedMemberRecord,
  type OfbStore,
  type ReceivedInvitationRecord,
  type SentInvitationRecord,
  type SessionRecord,
  type SessionRevocation,
  type UserRecord,
  type WorkspaceRecord,
  type WriteTargetRecord,
} from '../OfbStore.js';
import type { SqlDriver } from './SqlDriver.js';

type Row = Record<string, unknown>;

const iso = (v: unknown): string => (v instanceof Date ? v.toISOString() : new Date(String(v)).toISOString());

const user = (r: Row): UserRecord => ({
  id: String(r.id),
  name: String(r.name),
  passwordHash: String(r.password_hash),
  createdAt: iso(r.created_at),
});
const workspace = (r: Row): WorkspaceRecord => ({
  id: String(r.id),
  name: String(r.name),
  createdBy: String(r.created_by),
  createdAt: iso(r.created_at),
});
const member = (r: Row): MemberRecord => ({
  workspaceId: String(r.workspace_id),
  userId: String(r.user_id),
  role: r.role as Role,
});
const invitation = (r: Row): InvitationRecord => ({
  id: String(r.id),
  workspaceId: String(r.workspace_id),
  inviteeId: String(r.invitee_id),
  role: r.role as Role,
  invitedBy: String(r.invited_by),
  createdAt: iso(r.created_at),
});
const document = (r: Row): DocumentRecord => ({
  id: String(r.id),
  workspaceId: String(r.workspace_id),
  kind: r.kind as DocumentKind,
  title: String(r.title),
  sizeBytes: Number(r.size_bytes),
  createdAt: iso(r.created_at),
  updatedAt: iso(r.updated_at),
});
const session = (r: Row): SessionRecord => ({
  id: String(r.id),
  userId: String(r.user_id),
  createdAt: iso(r.created_at),
  expiresAt: iso(r.expires_at),
  revokedAt: r.revoked_at === null ? null : iso(r.revoked_at),
  revokedReason: r.revoked_reason === null ? null : (r.revoked_reason as SessionRevocation),
});
const audit = (r: Row): AuditRecord => ({
  seq: Number(r.seq),
  at: iso(r.at),
  actor: String(r.actor),
  action: String(r.action),
  resourceKind: String(r.resource_kind),
  resourceId: String(r.resource_id),
  workspaceId: r.workspace_id === null ? null : String(r.workspace_id),
  allowed: Boolean(r.allowed),
  reason: String(r.reason),
  prevHash: String(r.prev_hash),
  hash: String(r.hash),
});

/** PGlite returns bytea as Uint8Array, postgres.js as Buffer; callers get a plain Uint8Array. */
const bytes = (v: unknown): Uint8Array => new Uint8Array(v as Uint8Array);
/** Both drivers take a Buffer for a bytea parameter. */
const param = (u: Uint8Array): Buffer => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

/**
 * A key starts with the text[] `$1` (whole parts): the first part through the index, then the
 * slice. An empty prefix matches every key.
 */
const prefixMatch = `(cardinality($1::text[]) = 0 or (key[1] = ($1::text[])[1]
  and key[1:cardinality($1::text[])] = $1::text[]))`;

/** Postgres's unique_violation. */
const UNIQUE_VIOLATION = '23505';

async function unique<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if ((error as { code?: string }).code === UNIQUE_VIOLATION)
      throw new ConflictError(`${what} already exists`);
    throw error;
  }
}

/**
 * PostgreSQL's codes for text it cannot store: character_not_in_repertoire (a NUL in a `text`
 * parameter) and untranslatable_character (`\u0000` in `jsonb`).
 */
const UNSTORABLE_TEXT = new Set(['22021', '22P05']);

/** `db`, with every refusal of unstorable text thrown as {@link InvalidTextError}. */
function textChecked(db: SqlDriver): SqlDriver {
  const check = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      if (UNSTORABLE_TEXT.has((error as { code?: string }).code ?? ''))
        throw new InvalidTextError(`text the database cannot store: ${(error as Error).message}`);
      throw error;
    }
  };
  return {
    query: (text, params) => check(() => db.query(text, params)),
    exec: (text) => check(() => db.exec(text)),
    transaction: (fn) => check(() => db.transaction(fn)),
    close: () => db.close(),
  };
}

/**
 * The document's transaction-scoped advisory lock (`$1`: the document id), as a CTE named
 * `document_lock` that statements read before they draw a seq.
 */
const DOCUMENT_LOCK_CTE = `document_lock as materialized (
  select pg_advisory_xact_lock(hashtextextended('document:' || $1::text, 0)) as locked
)`;

/** An INSERT of `n` updates (params from `$first`) that reads `document_lock` before any nextval. */
const insertUpdatesAfterLock = (n: number, first: number) =>
  `insert into document_updates (document_id, bytes)
   select $1::text, v.bytes from document_lock,
     (values ${Array.from({ length: n }, (_, i) => `(${i}, $${i + first}::bytea)`).join(', ')}) as v(i, bytes)
   order by v.i`;

/**
 * {@link OfbStore} over any {@link SqlDriver}. The SQL is plain PostgreSQL 15, so PGlite,
 * PostgreSQL and Supabase run the same statements.
 */
export class SqlOfbStore implements OfbStore {
  /** The driver; inside {@link transaction} it is the transaction's. */
  readonly db: SqlDriver;

  constructor(
    db: SqlDriver,
    private readonly inTransaction = false,
  ) {
    this.db = textChecked(db);
  }

  async transaction<T>(fn: (tx: OfbStore) => Promise<T>): Promise<T> {
    if (this.inTransaction) return fn(this);
    return this.db.transaction((tx) => fn(new SqlOfbStore(tx, true)));
  }

  async createUser(u: Omit<UserRecord, 'createdAt'>): Promise<UserRecord> {
    const rows = await unique(`user "${u.name}"`, () =>
      this.db.query('insert into users (id, name, password_hash) values ($1, $2, $3) returning *', [
        u.id,
        u.name,
        u.passwordHash,
      ]),
    );
    return user(rows[0]!);
  }

  async findUserByName(name: string): Promise<UserRecord | null> {
    const rows = await this.db.query('select * from users where name = $1', [name]);
    return rows[0] ? user(rows[0]) : null;
  }

  async setPasswordHash(userId: string, passwordHash: string): Promise<boolean> {
    const rows = await this.db.query('update users set password_hash = $2 where id = $1 returning id', [
      userId,
      passwordHash,
    ]);
    return rows.length > 0;
  }

  async createSession(
    s: Pick<SessionRecord, 'id' | 'userId' | 'createdAt' | 'expiresAt'>,
  ): Promise<SessionRecord> {
    const rows = await unique(`session ${s.id}`, () =>
      this.db.query(
        'insert into sessions (id, user_id, created_at, expires_at) values ($1, $2, $3, $4) returning *',
        [s.id, s.userId, s.createdAt, s.expiresAt],
      ),
    );
    return session(rows[0]!);
  }

  async getSession(id: string): Promise<SessionRecord | null> {
    const rows = await this.db.query('select * from sessions where id = $1', [id]);
    return rows[0] ? session(rows[0]) : null;
  }

  async getSessions(ids: readonly string[]): Promise<SessionRecord[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.query('select * from sessions where id = any($1::text[])', [[...ids]]);
    return rows.map(session);
  }

  async revokeSession(id: string, reason: SessionRevocation, at: string): Promise<boolean> {
    const rows = await this.db.query(
      `update sessions set revoked_at = $3, revoked_reason = $2
       where id = $1 and revoked_at is null returning id`,
      [id, reason, at],
    );
    return rows.length > 0;
  }

  async revokeUserSessions(userId: string, reason: SessionRevocation, at: string): Promise<number> {
    const rows = await this.db.query(
      `update sessions set revoked_at = $3, revoked_reason = $2
       where user_id = $1 and revoked_at is null returning id`,
      [userId, reason, at],
    );
    return rows.length;
  }

  async createWorkspace(w: Omit<WorkspaceRecord, 'createdAt'>): Promise<WorkspaceRecord> {
    const rows = await unique(`workspace ${w.id}`, () =>
      this.db.query('insert into workspaces (id, name, created_by) values ($1, $2, $3) returning *', [
        w.id,
        w.name,
        w.createdBy,
      ]),
    );
    return workspace(rows[0]!);
  }

  async getWorkspace(id: string): Promise<WorkspaceRecord | null> {
    const rows = await this.db.query('select * from workspaces where id = $1', [id]);
    return rows[0] ? workspace(rows[0]) : null;
  }

  async listWorkspacesFor(userId: string): Promise<{ workspace: WorkspaceRecord; role: Role }[]> {
    const rows = await this.db.query(
      `select w.*, m.role from workspaces w join members m on m.workspace_id = w.id
       where m.user_id = $1 order by w.created_at, w.id`,
      [userId],
    );
    return rows.map((r) => ({ workspace: workspace(r), role: r.role as Role }));
  }

  async countWorkspacesOwnedBy(userId: string): Promise<number> {
    const rows = await this.db.query<{ n: unknown }>(
      `select count(*) as n from members where user_id = $1 and role = 'owner'`,
      [userId],
    );
    return Number(rows[0]!.n);
  }

  async getMember(workspaceId: string, userId: string): Promise<MemberRecord | null> {
    const rows = await this.db.query('select * from members where workspace_id = $1 and user_id = $2', [
      workspaceId,
      userId,
    ]);
    return rows[0] ? member(rows[0]) : null;
  }

  async listMembers(workspaceId: string): Promise<MemberRecord[]> {
    const rows = await this.db.query('select * from members where workspace_id = $1 order by user_id', [
      workspaceId,
    ]);
    return rows.map(member);
  }

  async putMember(m: MemberRecord): Promise<void> {
    await this.db.query(
      `insert into members (workspace_id, user_id, role) values ($1, $2, $3)
       on conflict (workspace_id, user_id) do update set role = excluded.role`,
      [m.workspaceId, m.userId, m.role],
    );
  }

  async removeMember(workspaceId: string, userId: string): Promise<boolean> {
    const rows = await this.db.query(
      'delete from members where workspace_id = $1 and user_id = $2 returning user_id',
      [workspaceId, userId],
    );
    return rows.length > 0;
  }

  async createInvitation(i: Omit<InvitationRecord, 'createdAt'>): Promise<InvitationRecord> {
    const rows = await unique(`invitation of ${i.inviteeId}`, () =>
      this.db.query(
        `insert into invitations (id, workspace_id, invitee_id, role, invited_by)
         values ($1, $2, $3, $4, $5) returning *`,
        [i.id, i.workspaceId, i.inviteeId, i.role, i.invitedBy],
      ),
    );
    return invitation(rows[0]!);
  }

  async getInvitation(id: string): Promise<InvitationRecord | null> {
    const rows = await this.db.query('select * from invitations where id = $1', [id]);
    return rows[0] ? invitation(rows[0]) : null;
  }

  async countInvitations(workspaceId: string): Promise<number> {
    const rows = await this.db.query<{ n: unknown }>(
      'select count(*) as n from invitations where workspace_id = $1',
      [workspaceId],
    );
    return Number(rows[0]!.n);
  }

  async deleteInvitation(id: string): Promise<boolean> {
    return (await this.db.query('delete from invitations where id = $1 returning id', [id])).length > 0;
  }

  async createDocument(d: Omit<DocumentRecord, 'createdAt' | 'updatedAt'>): Promise<DocumentRecord> {
    const rows = await unique(`document ${d.id}`, () =>
      this.db.query(
        `insert into documents (id, workspace_id, kind, title, size_bytes)
         values ($1, $2, $3, $4, $5) returning *`,
        [d.id, d.workspaceId, d.kind, d.title, d.sizeBytes],
      ),
    );
    return document(rows[0]!);
  }

  async getDocument(id: string): Promise<DocumentRecord | null> {
    const rows = await this.db.query('select * from documents where id = $1', [id]);
    return rows[0] ? document(rows[0]) : null;
  }

  async listDocuments(workspaceId: string): Promise<DocumentRecord[]> {
    const rows = await this.db.query(
      "select * from documents where workspace_id = $1 and kind <> 'workspace' order by created_at, id",
      [workspaceId],
    );
    return rows.map(document);
  }

  async countDocuments(workspaceId: string): Promise<number> {
    const rows = await this.db.query<{ n: unknown }>(
      "select count(*) as n from documents where workspace_id = $1 and kind <> 'workspace'",
      [workspaceId],
    );
    return Number(rows[0]!.n);
  }

  async renameDocument(id: string, title: string): Promise<DocumentRecord | null> {
    const rows = await this.db.query(
      'update documents set title = $2, updated_at = now() where id = $1 returning *',
      [id, title],
    );
    return rows[0] ? document(rows[0]) : null;
  }

  async deleteDocument(id: string): Promise<boolean> {
    return (await this.db.query('delete from documents where id = $1 returning id', [id])).length > 0;
  }

  async appendDocumentUpdates(documentId: string, updates: readonly Uint8Array[]): Promise<number[]> {
    if (updates.length === 0) return [];
    // One INSERT that first takes the document's lock (held to COMMIT): rows take their seqs in
    // VALUES order (nextval runs after the sort), and come back in that order.
    const rows = await this.db.query<{ seq: unknown }>(
      `with ${DOCUMENT_LOCK_CTE} ${insertUpdatesAfterLock(updates.length, 2)} returning seq`,
      [documentId, ...updates.map(param)],
    );
    return rows.map((r) => Number(r.seq)).sort((a, b) => a - b);
  }

  async appendDocumentUpdatesAudited(
    documentId: string,
    updates: readonly Uint8Array[],
    e: AuditEntry,
  ): Promise<number[]> {
    if (updates.length === 0) {
      await this.appendAudit(e);
      return [];
    }
    // Both inserts in one statement: one round trip, one transaction. The audit row's trigger takes
    // the chain's lock, held until the statement commits.
    // Both inserts read the document's lock first, so it is always taken before the chain's lock
    // (as compact-document takes them), and no seq is drawn before it.
    const rows = await this.db.query<{ seq: unknown }>(
      `with ${DOCUMENT_LOCK_CTE}, audit as (
         insert into audit_log (actor, action, resource_kind, resource_id, workspace_id, allowed, reason, prev_hash, hash)
         select $2::text, $3::text, $4::text, $5::text, $6::text, $7::boolean, $8::text, '', '' from document_lock
         returning seq
       ), updates as (
         ${insertUpdatesAfterLock(updates.length, 9)} returning seq
       )
       select seq from updates`,
      [
        documentId,
        e.actor,
        e.action,
        e.resourceKind,
        e.resourceId,
        e.workspaceId,
        e.allowed,
        e.reason,
        ...updates.map(param),
      ],
    );
    return rows.map((r) => Number(r.seq)).sort((a, b) => a - b);
  }

  async loadDocumentUpdates(documentId: string): Promise<DocumentUpdateRecord[]> {
    const rows = await this.db.query<{ seq: unknown; bytes: unknown }>(
      'select seq, bytes from document_updates where document_id = $1 order by seq',
      [documentId],
    );
    return rows.map((r) => ({ seq: Number(r.seq), bytes: bytes(r.bytes) }));
  }

  async lockDocumentUpdates(documentId: string): Promise<void> {
    await this.db.query(`with ${DOCUMENT_LOCK_CTE} select 1 from document_lock`, [documentId]);
  }

  async compactDocumentUpdates(documentId: string, state: Uint8Array, upToSeq?: number): Promise<number> {
    const seq = await this.compactDocumentUpdatesWith(documentId, (rows) => ({
      state,
      seqs: rows.filter((r) => upToSeq === undefined || r.seq <= upToSeq).map((r) => r.seq),
    }));
    return seq!;
  }

  async compactDocumentUpdatesWith(
    documentId: string,
    merge: (
      rows: readonly DocumentUpdateRecord[],
    ) => { readonly state: Uint8Array; readonly seqs: readonly number[] } | null,
  ): Promise<number | null> {
    return this.transaction(async (tx) => {
      await tx.lockDocumentUpdates(documentId);
      // Read under the lock, in the transaction: no append is half done, and the rows deleted are
      // exactly the rows merged (an append that commits later keeps its row).
      const merged = merge(await tx.loadDocumentUpdates(documentId));
      if (!merged) return null;
      const db = (tx as SqlOfbStore).db;
      const [gone] = await db.query<{ last: unknown }>(
        `with gone as (
           delete from document_updates where document_id = $1 and seq = any($2::bigint[])
           returning seq
         ) select max(seq) as last from gone`,
        [documentId, merged.seqs.map(String)],
      );
      const state = merged.state;
      // The state takes the largest replaced seq, so it stays before every later update.
      const rows =
        gone?.last === null || gone?.last === undefined
          ? await db.query<{ seq: unknown }>(
              'insert into document_updates (document_id, bytes) values ($1, $2) returning seq',
              [documentId, param(state)],
            )
          : await db.query<{ seq: unknown }>(
              'insert into document_updates (document_id, seq, bytes) values ($1, $2, $3) returning seq',
              [documentId, gone.last, param(state)],
            );
      return Number(rows[0]!.seq);
    });
  }

  async storedDocumentBytes(documentId: string): Promise<number> {
    const rows = await this.db.query<{ n: unknown }>(
      'select coalesce(sum(octet_length(bytes)), 0) as n from document_updates where document_id = $1',
      [documentId],
    );
    return Number(rows[0]!.n);
  }

  async getWriteTarget(documentId: string, userId: string): Promise<WriteTargetRecord | null> {
    // The sum reads the document's rows through the primary key; background compaction keeps them
    // few (YjsCompactor's maxRows), so it stays cheap.
    const rows = await this.db.query(
      `select d.*, m.role as member_role, s.n as stored_bytes, s.c as stored_rows
       from documents d
       left join members m on m.workspace_id = d.workspace_id and m.user_id = $2
       cross join lateral (
         select coalesce(sum(octet_length(u.bytes)), 0) as n, count(*) as c
         from document_updates u where u.document_id = d.id
       ) s
       where d.id = $1`,
      [documentId, userId],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      document: document(r),
      role: r.member_role === null ? null : (r.member_role as Role),
      storedBytes: Number(r.stored_bytes),
      storedRows: Number(r.stored_rows),
    };
  }

  async listStoredDocuments(workspaceId: string | null): Promise<string[]> {
    const rows = await this.db.query<{ id: string }>(
      `select d.id from documents d where ($1::text is null or d.workspace_id = $1)
         and exists (select 1 from document_updates u where u.document_id = d.id)
       order by d.id`,
      [workspaceId],
    );
    return rows.map((r) => String(r.id));
  }

  // --- Automerge chunks and Yjs compaction (owner: automerge-functions.ts) ---
  async countDocumentUpdates(documentId: string): Promise<number> {
    const rows = await this.db.query<{ n: unknown }>(
      'select count(*) as n from document_updates where document_id = $1',
      [documentId],
    );
    return Number(rows[0]!.n);
  }

  async saveAutomergeChunks(chunks: readonly AutomergeChunkRecord[]): Promise<void> {
    if (chunks.length === 0) return;
    // The last chunk of a key wins, as if each were saved in turn (ON CONFLICT cannot touch a row twice).
    const byKey = new Map(chunks.map((c) => [JSON.stringify(c.key), c]));
    const unique = [...byKey.values()];
    const values = unique.map((_, i) => `($${3 * i + 1}::text[], $${3 * i + 2}, $${3 * i + 3})`).join(', ');
    await this.db.query(
      `insert into automerge_chunks (key, document_id, bytes) values ${values}
       on conflict (key) do update set bytes = excluded.bytes, document_id = excluded.document_id`,
      unique.flatMap((c) => [[...c.key], c.documentId, param(c.bytes)]),
    );
  }

  async loadAutomergeChunk(key: readonly string[]): Promise<Uint8Array | null> {
    const rows = await this.db.query<{ bytes: unknown }>(
      'select bytes from automerge_chunks where key = $1::text[]',
      [[...key]],
    );
    return rows[0] ? bytes(rows[0].bytes) : null;
  }

  async loadAutomergeRange(prefix: readonly string[]): Promise<AutomergeChunkRecord[]> {
    const rows = await this.db.query<{ key: string[]; document_id: unknown; bytes: unknown }>(
      `select key, document_id, bytes from automerge_chunks where ${prefixMatch} order by seq`,
      [[...prefix]],
    );
    return rows.map((r) => ({
      key: [...r.key],
      documentId: r.document_id === null ? null : String(r.document_id),
      bytes: bytes(r.bytes),
    }));
  }

  async removeAutomergeChunks(keys: readonly (readonly string[])[]): Promise<number> {
    if (keys.length === 0) return 0;
    const list = keys.map((_, i) => `$${i + 1}::text[]`).join(', ');
    const rows = await this.db.query(
      `delete from automerge_chunks where key in (${list}) returning 1`,
      keys.map((k) => [...k]),
    );
    return rows.length;
  }

  async removeAutomergeRange(prefix: readonly string[]): Promise<number> {
    const rows = await this.db.query(`delete from automerge_chunks where ${prefixMatch} returning 1`, [
      [...prefix],
    ]);
    return rows.length;
  }

  async storedAutomergeBytes(documentId: string): Promise<number> {
    const rows = await this.db.query<{ n: unknown }>(
      `select coalesce(sum(octet_length(bytes)), 0) as n from automerge_chunks
       where document_id = $1 and key[2] is distinct from 'sync-state'`,
      [documentId],
    );
    return Number(rows[0]!.n);
  }
  // --- end of Automerge chunks ---

  async appendAudit(e: AuditEntry): Promise<AuditRecord> {
    const rows = await this.db.query(
      `insert into audit_log (actor, action, resource_kind, resource_id, workspace_id, allowed, reason, prev_hash, hash)
       values ($1, $2, $3, $4, $5, $6, $7, '', '') returning *`,
      [e.actor, e.action, e.resourceKind, e.resourceId, e.workspaceId, e.allowed, e.reason],
    );
    return audit(rows[0]!);
  }

  async listAudit(
    options: { workspaceId?: string; afterSeq?: number; limit?: number } = {},
  ): Promise<AuditRecord[]> {
    const rows = await this.db.query(
      `select * from audit_log where ($1::text is null or workspace_id = $1) and seq > $2
       order by seq limit $3`,
      [options.workspaceId ?? null, options.afterSeq ?? 0, options.limit ?? 1000],
    );
    return rows.map(audit);
  }

  // --- Sessions, listings, access checks and idempotency keys (the functions' own reads) ---

  async getUser(id: string): Promise<UserRecord | null> {
    const rows = await this.db.query('select * from users where id = $1', [id]);
    return rows[0] ? user(rows[0]) : null;
  }

  async listNamedMembers(workspaceId: string): Promise<NamedMemberRecord[]> {
    const rows = await this.db.query(
      `select m.*, coalesce(u.name, m.user_id) as name from members m left join users u on u.id = m.user_id
       where m.workspace_id = $1 order by coalesce(u.name, m.user_id), m.user_id`,
      [workspaceId],
    );
    return rows.map((r) => ({ ...member(r), name: String(r.name) }));
  }

  async listSentInvitations(workspaceId: string): Promise<SentInvitationRecord[]> {
    const rows = await this.db.query(
      `select i.*, coalesce(u.name, i.invitee_id) as invitee_name
       from invitations i left join users u on u.id = i.invitee_id
       where i.workspace_id = $1 order by i.created_at, i.id`,
      [workspaceId],
    );
    return rows.map((r) => ({ ...invitation(r), inviteeName: String(r.invitee_name) }));
  }

  async listReceivedInvitations(userId: string): Promise<ReceivedInvitationRecord[]> {
    const rows = await this.db.query(
      `select i.*, w.name as workspace_name from invitations i join workspaces w on w.id = i.workspace_id
       where i.invitee_id = $1 order by i.created_at, i.id`,
      [userId],
    );
    return rows.map((r) => ({ ...invitation(r), workspaceName: String(r.workspace_name) }));
  }

  async findAccess(userId: string, resourceId: string): Promise<AccessRecord | null> {
    // One statement: the resource (a workspace's index document first), the role, the user's name.
    const rows = await this.db.query(
      `with target as (
         select w.id as workspace_id, 'workspace'::text as kind, 0 as rank from workspaces w
           where left($2, 10) = 'workspace-' and w.id = substr($2, 11)
         union all
         select d.workspace_id, d.kind, 1 from documents d where d.id = $2
         order by rank limit 1
       )
       select t.workspace_id, t.kind, m.role, (select u.name from users u where u.id = $1) as user_name
       from target t left join members m on m.workspace_id = t.workspace_id and m.user_id = $1`,
      [userId, resourceId],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      workspaceId: String(r.workspace_id),
      kind: r.kind as AccessRecord['kind'],
      role: r.role === null ? null : (r.role as Role),
      userName: r.user_name === null ? null : String(r.user_name),
    };
  }

  async getIdempotencyRecord(userId: string, key: string): Promise<IdempotencyRecord | null> {
    const rows = await this.db.query('select * from idempotency_keys where user_id = $1 and key = $2', [
      userId,
      key,
    ]);
    const r = rows[0];
    if (!r) return null;
    return {
      userId: String(r.user_id),
      key: String(r.key),
      function: String(r.function),
      requestHash: String(r.request_hash),
      status: Number(r.status),
      // Both drivers parse jsonb; a string here would be a driver configured not to.
      response: typeof r.response === 'string' ? JSON.parse(r.response) : r.response,
      createdAt: iso(r.created_at),
    };
  }

  async putIdempotencyRecord(record: Omit<IdempotencyRecord, 'createdAt'>): Promise<void> {
    await unique(`idempotency key ${record.key}`, () =>
      this.db.query(
        `insert into idempotency_keys (user_id, key, function, request_hash, status, response)
         values ($1, $2, $3, $4, $5, $6::jsonb)`,
        [
          record.userId,
          record.key,
          record.function,
          record.requestHash,
          record.status,
          JSON.stringify(record.response),
        ],
      ),
    );
  }

  async lockQuota(scope: string): Promise<void> {
    // Two-key advisory locks: class 727101 keeps them apart from the audit chain's lock (727100).
    await this.db.query('select pg_advisory_xact_lock(727101, hashtext($1))', [scope]);
  }

  async close(): Promise<void> {
    if (!this.inTransaction) await this.db.close();
  }
}
