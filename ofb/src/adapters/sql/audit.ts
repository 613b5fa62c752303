// The audit log and idempotency keys in SQL: the AuditLog and IdempotencyStore roles of SqlOfbStore.
import type {
  AuditEntry,
  AuditLog,
  AuditRecord,
  IdempotencyRecord,
  IdempotencyStore,
} from '../../OfbStore.js';
import type { SqlDriver } from '../SqlDriver.js';
import { unique } from './errors.js';
import { audit, iso } from './rows.js';

/** {@link AuditLog} over a {@link SqlDriver}; the database fills in seq, time and hashes. */
export class SqlAuditLog implements AuditLog {
  constructor(private readonly db: SqlDriver) {}

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
}

/** {@link IdempotencyStore} over a {@link SqlDriver}. */
export class SqlIdempotencyStore implements IdempotencyStore {
  constructor(private readonly db: SqlDriver) {}

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
}
