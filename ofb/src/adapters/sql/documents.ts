// Documents' metadata and the access check's read in SQL: the DocumentStore role of SqlOfbStore.
import type { Role } from '@symphony/schemas';
import type { AccessRecord, DocumentRecord, DocumentStore, TrashRecord } from '../../OfbStore.js';
import type { SqlDriver } from '../SqlDriver.js';
import { unique } from './errors.js';
import { document, iso } from './rows.js';

/** {@link DocumentStore} over a {@link SqlDriver}. */
export class SqlDocumentStore implements DocumentStore {
  constructor(private readonly db: SqlDriver) {}

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
    const rows = await this.db.query('select * from documents where id = $1 and deleted_at is null', [id]);
    return rows[0] ? document(rows[0]) : null;
  }

  async listDocuments(workspaceId: string): Promise<DocumentRecord[]> {
    const rows = await this.db.query(
      `select * from documents where workspace_id = $1 and kind <> 'workspace' and deleted_at is null
       order by created_at, id`,
      [workspaceId],
    );
    return rows.map(document);
  }

  async countDocuments(workspaceId: string): Promise<number> {
    const rows = await this.db.query<{ n: unknown }>(
      `select count(*) as n from documents
       where workspace_id = $1 and kind <> 'workspace' and deleted_at is null`,
      [workspaceId],
    );
    return Number(rows[0]!.n);
  }

  async renameDocument(id: string, title: string): Promise<DocumentRecord | null> {
    const rows = await this.db.query(
      'update documents set title = $2, updated_at = now() where id = $1 and deleted_at is null returning *',
      [id, title],
    );
    return rows[0] ? document(rows[0]) : null;
  }

  async deleteDocument(id: string): Promise<boolean> {
    return (await this.db.query('delete from documents where id = $1 returning id', [id])).length > 0;
  }

  async trashDocument(id: string, deletedBy: string, at: string): Promise<boolean> {
    const rows = await this.db.query(
      `update documents set deleted_at = $3, deleted_by = $2
       where id = $1 and deleted_at is null and kind <> 'workspace' returning id`,
      [id, deletedBy, at],
    );
    return rows.length > 0;
  }

  async getTrashedDocument(id: string): Promise<TrashRecord | null> {
    const rows = await this.db.query(`${trashSelect} where d.id = $1 and d.deleted_at is not null`, [id]);
    return rows[0] ? trashed(rows[0]) : null;
  }

  async listTrash(workspaceId: string): Promise<TrashRecord[]> {
    const rows = await this.db.query(
      `${trashSelect} where d.workspace_id = $1 and d.deleted_at is not null order by d.deleted_at desc, d.id`,
      [workspaceId],
    );
    return rows.map(trashed);
  }

  async restoreDocument(id: string): Promise<DocumentRecord | null> {
    const rows = await this.db.query(
      `update documents set deleted_at = null, deleted_by = null, updated_at = now()
       where id = $1 and deleted_at is not null returning *`,
      [id],
    );
    return rows[0] ? document(rows[0]) : null;
  }

  async purgeTrash(deletedBefore: string): Promise<DocumentRecord[]> {
    // Content (document_updates, automerge_chunks) goes with the row: their keys cascade.
    const rows = await this.db.query(
      'delete from documents where deleted_at is not null and deleted_at < $1 returning *',
      [deletedBefore],
    );
    return rows.map(document);
  }

  async findAccess(userId: string, resourceId: string): Promise<AccessRecord | null> {
    // One statement: the resource (a workspace's index document first), the role, the user's name.
    const rows = await this.db.query(
      `with target as (
         select w.id as workspace_id, 'workspace'::text as kind, 0 as rank from workspaces w
           where left($2, 10) = 'workspace-' and w.id = substr($2, 11)
         union all
         select d.workspace_id, d.kind, 1 from documents d where d.id = $2 and d.deleted_at is null
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
}

/** A trashed document with the name of who deleted it. */
const trashSelect = `select d.*, coalesce(u.name, d.deleted_by) as deleted_by_name
  from documents d left join users u on u.id = d.deleted_by`;

const trashed = (r: Record<string, unknown>): TrashRecord => ({
  ...document(r),
  deletedAt: iso(r.deleted_at),
  deletedBy: String(r.deleted_by),
  deletedByName: String(r.deleted_by_name),
});
