// Verifies OFB's hash-chained audit_log page by page, with PostgreSQL recomputing each row's hash:
// the check behind `symphony audit verify`.
import { AUDIT_GENESIS_HASH, auditHashSql, type SqlDriver } from '@symphony/ofb';

/** The `prev_hash` of the first row: the trigger's `repeat('0', 64)` (OFB's {@link AUDIT_GENESIS_HASH}). */
export const genesisHash = AUDIT_GENESIS_HASH;

/** Where the chain first breaks, and how. */
export interface AuditBreak {
  /** `audit_log.seq` of the first row that fails. */
  readonly seq: string;
  /** `content`: the row's fields no longer hash to its stored `hash` (a field was changed). `link`: its `prev_hash` is not the previous row's `hash` (a row was removed, inserted or rewritten before it). */
  readonly kind: 'content' | 'link';
  readonly expected: string;
  readonly actual: string;
}

/** The outcome of {@link verifyAuditChain}: rows checked, the head hash when intact, or the first break. */
export type AuditVerdict =
  | { readonly ok: true; readonly rows: number; readonly head: string }
  | { readonly ok: false; readonly rows: number; readonly broken: AuditBreak };

/** 1,000 rows per round trip: a million-row log is a thousand queries and never held in memory at once. */
const pageSize = 1000;

/**
 * Each row with the hash recomputed by PostgreSQL itself, with OFB's own expression of the
 * trigger's hash ({@link auditHashSql}: written out inline, so a tamperer who redefines the
 * database's functions cannot make a forged row verify).
 */
const pageQuery = `
select a.seq::text as seq, a.prev_hash, a.hash,
  ${auditHashSql('a')} as recomputed
from public.audit_log a
where a.seq > $1::bigint
order by a.seq
limit ${pageSize}`;

interface Row {
  seq: string;
  prev_hash: string;
  hash: string;
  recomputed: string;
}

/**
 * Walks `audit_log` in `seq` order and checks that every row's `prev_hash` is the previous row's
 * `hash` and that its `hash` is the SHA-256 the insert trigger would compute for its content.
 * Gaps in `seq` are not breaks (a rolled-back write consumes a sequence value). `onProgress` is
 * called after each page with rows checked and the total counted at the start.
 */
export async function verifyAuditChain(
  db: SqlDriver,
  onProgress: (checked: number, total: number) => void = () => {},
): Promise<AuditVerdict> {
  const [count] = await db.query<{ n: string }>('select count(*)::text as n from public.audit_log');
  const total = Number(count?.n ?? 0);
  let previous = genesisHash;
  let after = '0';
  let rows = 0;
  for (;;) {
    const page = await db.query<Row>(pageQuery, [after]);
    for (const row of page) {
      if (row.prev_hash !== previous) {
        return {
          ok: false,
          rows,
          broken: { seq: row.seq, kind: 'link', expected: previous, actual: row.prev_hash },
        };
      }
      if (row.recomputed !== row.hash) {
        return {
          ok: false,
          rows,
          broken: { seq: row.seq, kind: 'content', expected: row.recomputed, actual: row.hash },
        };
      }
      previous = row.hash;
      rows += 1;
    }
    onProgress(rows, Math.max(total, rows));
    if (page.length < pageSize) return { ok: true, rows, head: previous };
    after = page[page.length - 1]!.seq;
  }
}
