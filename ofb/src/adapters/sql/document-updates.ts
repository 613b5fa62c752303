// Documents' Yjs updates in SQL, appended and compacted under the document's advisory lock: the
// DocumentUpdateStore role of SqlOfbStore.
import type { Role } from '@symphony/schemas';
import type {
  AuditEntry,
  DocumentUpdateRecord,
  DocumentUpdateStore,
  OfbStore,
  WriteTargetRecord,
} from '../../OfbStore.js';
import type { SqlDriver } from '../SqlDriver.js';
import { referenced } from './errors.js';
import { bytes, document, param } from './rows.js';

/** A store that runs on SQL: its transactions hand out stores of the same kind. */
export type SqlStore = OfbStore & { readonly db: SqlDriver };

/**
 * The document's transaction-scoped advisory lock (`$1`: the document id), as a CTE named
 * `document_lock` that statements read before they draw a seq.
 */
export const DOCUMENT_LOCK_CTE = `document_lock as materialized (
  select pg_advisory_xact_lock(hashtextextended('document:' || $1::text, 0)) as locked
)`;

/** An INSERT of `n` updates (params from `$first`) that reads `document_lock` before any nextval. */
export const insertUpdatesAfterLock = (n: number, first: number) =>
  `insert into document_updates (document_id, bytes)
   select $1::text, v.bytes from document_lock,
     (values ${Array.from({ length: n }, (_, i) => `(${i}, $${i + first}::bytea)`).join(', ')}) as v(i, bytes)
   order by v.i`;

/** {@link DocumentUpdateStore} over a {@link SqlDriver}; `store` is the SqlOfbStore it belongs to (its transactions and audit log). */
export class SqlDocumentUpdateStore implements DocumentUpdateStore {
  constructor(
    private readonly db: SqlDriver,
    private readonly store: SqlStore,
  ) {}

  async appendDocumentUpdates(documentId: string, updates: readonly Uint8Array[]): Promise<number[]> {
    if (updates.length === 0) return [];
    // One INSERT that first takes the document's lock (held to COMMIT): rows take their seqs in
    // VALUES order (nextval runs after the sort), and come back in that order.
    const rows = await referenced(`document ${documentId}`, () =>
      this.db.query<{ seq: unknown }>(
        `with ${DOCUMENT_LOCK_CTE} ${insertUpdatesAfterLock(updates.length, 2)} returning seq`,
        [documentId, ...updates.map(param)],
      ),
    );
    return rows.map((r) => Number(r.seq)).sort((a, b) => a - b);
  }

  async appendDocumentUpdatesAudited(
    documentId: string,
    updates: readonly Uint8Array[],
    e: AuditEntry,
  ): Promise<number[]> {
    if (updates.length === 0) {
      await this.store.appendAudit(e);
      return [];
    }
    // Both inserts in one statement: one round trip, one transaction. The audit row's trigger takes
    // the chain's lock, held until the statement commits.
    // Both inserts read the document's lock first, so it is always taken before the chain's lock
    // (as compact-document takes them), and no seq is drawn before it.
    const rows = await referenced(`document ${documentId}`, () =>
      this.db.query<{ seq: unknown }>(
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
      ),
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
    const seq = await this.store.compactDocumentUpdatesWith(documentId, (rows) => ({
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
    return this.store.transaction(async (tx) => {
      await tx.lockDocumentUpdates(documentId);
      // Read under the lock, in the transaction: no append is half done, and the rows deleted are
      // exactly the rows merged (an append that commits later keeps its row).
      const merged = merge(await tx.loadDocumentUpdates(documentId));
      if (!merged) return null;
      const db = (tx as SqlStore).db;
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

  async countDocumentUpdates(documentId: string): Promise<number> {
    const rows = await this.db.query<{ n: unknown }>(
      'select count(*) as n from document_updates where document_id = $1',
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
       where d.id = $1 and d.deleted_at is null`,
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
      `select d.id from documents d where ($1::text is null or d.workspace_id = $1) and d.deleted_at is null
         and exists (select 1 from document_updates u where u.document_id = d.id)
       order by d.id`,
      [workspaceId],
    );
    return rows.map((r) => String(r.id));
  }
}
